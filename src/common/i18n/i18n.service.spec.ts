import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { argumentNames, I18n } from './i18n.service';

const folder = join(process.cwd(), 'views', 'locales');

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('I18n', () => {
  const i18n = new I18n(folder);
  const compile = (code: string, key: string) =>
    new IntlMessageFormat(i18n.source(code, key) ?? '', i18n.info(code).intl, undefined, {
      ignoreTag: true,
    });
  const parses = (code: string, key: string) => {
    try {
      compile(code, key);
      return true;
    } catch {
      return false;
    }
  };
  const argsOf = (code: string, key: string) => argumentNames(compile(code, key));

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
        const code = file.replace('.json', '');
        // Every message parses as ICU MessageFormat, and names the same arguments as English.
        expect({ file, key, parses: parses(code, key) }).toEqual({ file, key, parses: true });
        expect({ file, key, args: argsOf(code, key) }).toEqual({
          file,
          key,
          args: argsOf('en', key),
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

  it('formats ICU plurals, numbers, dates and periods in each language', () => {
    expect(i18n.number('fa', 1234.5)).toBe('۱٬۲۳۴٫۵');
    expect(i18n.signed('en', -41.9)).toBe('-41.9');
    expect(i18n.signed('en', 3.24)).toBe('+3.2');
    expect(i18n.period('en', '2026-11-01', 'month')).toBe('November 2026');
    expect(i18n.period('es', '2026-11-01', 'month')).toBe('noviembre de 2026');
    expect(i18n.period('ja', '2026-11-01', 'month')).toBe('2026年11月');
    expect(i18n.period('fa', '2026-11-01', 'month')).toBe('نوامبر ۲۰۲۶');
    expect(i18n.period('en', '2026-10-01', 'quarter')).toBe('Q4 2026');
    expect(i18n.period('en', '2026-11-02', 'week')).toBe('Week of Nov 2, 2026');
    // A calendar day is that day in every time zone.
    expect(i18n.date('en', '2026-01-01')).toBe('Jan 1, 2026');
    expect(i18n.t('en', 'no.such.key')).toBe('no.such.key');
  });

  it('leaves a placeholder without a value visible instead of failing', () => {
    expect(i18n.t('en', 'common.threshold')).toContain('{k}');
  });
});
