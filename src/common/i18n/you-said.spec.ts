import { join } from 'node:path';
import { I18n } from './i18n.service';
import { formatDay, languageName, type PublishedActionText, youSaidItems } from './you-said';

const i18n = new I18n(join(process.cwd(), 'views', 'locales'));

const action = (teamId: string, n: number, fields: Partial<PublishedActionText> = {}) => ({
  teamId,
  heard: `${teamId} heard ${n}`,
  planned: `${teamId} did ${n}`,
  status: 'done' as const,
  doneOn: '2026-03-05',
  locale: 'en',
  translated: true,
  ...fields,
});

describe('youSaidItems', () => {
  it('takes the teams in turn, best first, up to the maximum', () => {
    const actions = [action('a', 1), action('a', 2), action('a', 3), action('b', 1)];
    const items = youSaidItems(actions, 'en', i18n, { max: 3 });
    expect(items.map((i) => i.planned)).toEqual(['a did 1', 'b did 1', 'a did 2']);
    expect(youSaidItems(actions, 'en', i18n, { max: 2 }).map((i) => i.planned)).toEqual([
      'a did 1',
      'b did 1',
    ]);
    expect(youSaidItems([], 'en', i18n, { max: 3 })).toEqual([]);
  });

  it('marks an untranslated action in the reader language, with the language it is written in', () => {
    const [persian] = youSaidItems([action('a', 1, { translated: false })], 'fa', i18n, { max: 1 });
    expect(persian).toMatchObject({
      lang: 'en',
      dir: 'ltr',
      untranslatedNote: '(ترجمه نشده؛ به زبان انگلیسی نوشته شده است)',
    });
    const [english] = youSaidItems(
      [action('a', 1, { translated: false, locale: 'fa' })],
      'en',
      i18n,
      { max: 1 },
    );
    expect(english).toMatchObject({
      lang: 'fa',
      dir: 'rtl',
      untranslatedNote: '(not translated; written in Persian)',
    });
    const [translated] = youSaidItems([action('a', 1)], 'en', i18n, { max: 1 });
    expect(translated.untranslatedNote).toBeUndefined();
  });

  it('dates only what is done, the reader way', () => {
    const [inProgress] = youSaidItems(
      [action('a', 1, { status: 'in_progress', doneOn: null })],
      'en',
      i18n,
      { max: 1 },
    );
    expect(inProgress).toMatchObject({ done: false, doneOn: null });
    expect(formatDay('2026-03-05', 'en')).toBe('March 5, 2026');
    expect(formatDay('2026-03-05', 'es')).toBe('5 de marzo de 2026');
    expect(formatDay('2026-03-05', 'ja')).toBe('2026年3月5日');
    expect(formatDay('2026-03-05', 'fa')).toBe('۱۴ اسفند ۱۴۰۴');
    expect(languageName('ja', 'es')).toBe('japonés');
  });
});
