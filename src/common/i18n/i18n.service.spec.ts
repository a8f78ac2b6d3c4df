import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I18n } from './i18n.service';

const folder = join(process.cwd(), 'views', 'locales');

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('I18n', () => {
  const i18n = new I18n(folder);

  it('knows every language that has a file, with its direction', () => {
    expect(i18n.locales.map((l) => [l.code, l.dir])).toEqual([
      ['en', 'ltr'],
      ['es', 'ltr'],
      ['fa', 'rtl'],
      ['ja', 'ltr'],
    ]);
  });

  it('every locale file has exactly the keys and placeholders of English', () => {
    const english = JSON.parse(readFileSync(join(folder, 'en.json'), 'utf8'));
    const englishKeys = keys(english).sort();
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.json'))) {
      const other = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      expect({ file, keys: keys(other).sort() }).toEqual({ file, keys: englishKeys });
      for (const key of englishKeys.filter((k) => !k.startsWith('_meta'))) {
        const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect({ file, key, p: placeholders(i18n.t(file.replace('.json', ''), key)) }).toEqual({
          file,
          key,
          p: placeholders(i18n.t('en', key)),
        });
      }
    }
  });

  it.each([
    ['es', undefined, 'es'],
    ['es-MX', undefined, 'es'],
    ['de', 'fa-IR,fa;q=0.9,en;q=0.8', 'fa'],
    [undefined, 'de-DE, ja;q=0.5, es;q=0.7', 'es'],
    [undefined, 'de', 'en'],
    [undefined, 'ja;q=0, es', 'es'],
    [null, '', 'en'],
  ])('negotiates locale %s with Accept-Language %s to %s', (own, header, expected) => {
    expect(i18n.negotiate(own, header)).toBe(expected);
  });

  it('fills placeholders and falls back to English', () => {
    expect(i18n.t('en', 'common.threshold', { k: 7 })).toContain('at least 7 people');
    expect(i18n.t('xx', 'survey.submit')).toBe('Send my answers');
    expect(i18n.t('en', 'no.such.key')).toBe('no.such.key');
  });
});
