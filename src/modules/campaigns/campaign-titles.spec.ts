import { cleanTitles, respondentTitle, respondentTitles, titleProblems } from './campaign-titles';

describe('campaign titles', () => {
  it('takes the campaign’s own title, else the template’s wording, else a plain one', () => {
    const titles = respondentTitles({ titles: { es: ' Encuesta de IT ' }, template: 'pulse' });
    expect(titles).toEqual({
      en: 'How are our services doing?',
      es: 'Encuesta de IT',
      ja: '社内サービスについてのアンケート',
      fa: 'خدمات ما چگونه است؟',
    });
    expect(respondentTitle({ titles: {}, template: null }, 'ja')).toBe('パルスサーベイ');
    // A language the campaign does not speak: English.
    expect(respondentTitle({ titles: { en: 'Ours' }, template: null }, 'de')).toBe('Ours');
  });

  it('stores titles trimmed, without the empty ones', () => {
    expect(cleanTitles({ en: '  Hello ', es: '   ', fa: '' })).toEqual({ en: 'Hello' });
    expect(cleanTitles(undefined)).toEqual({});
  });

  it('names each problem with its language', () => {
    expect(titleProblems({ de: 'Hallo' })).toEqual(['titles: no language de; use en, es, ja, fa']);
    expect(titleProblems({ en: 'x'.repeat(201), es: 'a\u0000b' })).toEqual([
      'titles.en is longer than 200 characters',
      'titles.es contains control characters',
    ]);
    expect(titleProblems({ ja: 3 as unknown as string })).toEqual(['titles.ja must be text']);
  });
});
