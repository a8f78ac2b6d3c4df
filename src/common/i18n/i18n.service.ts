import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';

type Messages = { [key: string]: string | Messages };

export interface LocaleInfo {
  code: string;
  name: string;
  dir: 'ltr' | 'rtl';
  /** The BCP 47 tag given to Intl (`fa-u-ca-gregory`: Persian digits, the Gregorian calendar). */
  intl: string;
}

export type Grain = 'week' | 'month' | 'quarter';

/**
 * Translations live in views/locales/<code>.json, one catalogue per language; adding a language is
 * adding a file. Each file has `_meta.name`, `_meta.dir` and `_meta.intl`. Messages are ICU
 * MessageFormat (FormatJS's `intl-messageformat`): `{name}` placeholders, `{count, plural, one {…}
 * other {…}}`, `{n, number}`, `{d, date, medium}`. Missing keys fall back to English.
 *
 * Dates, numbers and periods are formatted with Intl in the locale's `_meta.intl` tag. Persian
 * uses the Gregorian calendar with Persian digits: report periods are Gregorian months and
 * quarters, and a Solar Hijri label would name a span that is not the period's.
 */
export class I18n {
  private readonly messages = new Map<string, Messages>();
  private readonly compiled = new Map<string, IntlMessageFormat | null>();
  private readonly resolved = new Map<string, Resolved>();
  private readonly numberFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateFormats = new Map<string, Intl.DateTimeFormat>();
  readonly locales: LocaleInfo[] = [];

  constructor(
    folder: string,
    readonly fallback = 'en',
  ) {
    for (const file of readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const code = file.replace(/\.json$/, '');
      const content = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Messages & {
        _meta?: { name?: string; dir?: string; intl?: string };
      };
      this.messages.set(code, content);
      this.locales.push({
        code,
        name: content._meta?.name ?? code,
        dir: content._meta?.dir === 'rtl' ? 'rtl' : 'ltr',
        intl: content._meta?.intl ?? code,
      });
    }
    if (!this.messages.has(fallback))
      throw new Error(`i18n: ${folder}/${fallback}.json is missing`);
  }

  has(locale: string): boolean {
    return this.messages.has(locale);
  }

  info(locale: string): LocaleInfo {
    return this.locales.find((l) => l.code === locale) ?? this.info(this.fallback);
  }

  /** The supported locale closest to `tag` (`es-MX` → `es`), or undefined. */
  match(tag: string | null | undefined): string | undefined {
    if (!tag) return undefined;
    const lower = tag.trim().toLowerCase();
    if (this.messages.has(lower)) return lower;
    const base = lower.split(/[-_]/)[0];
    return this.messages.has(base) ? base : undefined;
  }

  /** Picks the locale: the person's own if we have it, then Accept-Language, then English. */
  negotiate(preferred: string | null | undefined, acceptLanguage?: string | string[]): string {
    const own = this.match(preferred);
    if (own) return own;
    const header = Array.isArray(acceptLanguage)
      ? acceptLanguage.join(',')
      : (acceptLanguage ?? '');
    const ranked = header
      .split(',')
      .map((part, index) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        const quality = q ? Number(q.slice(2)) : 1;
        return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
      })
      .filter((entry) => entry.tag && entry.quality > 0)
      .sort((a, b) => b.quality - a.quality || a.index - b.index);
    for (const entry of ranked) {
      const found = this.match(entry.tag);
      if (found) return found;
    }
    return this.fallback;
  }

  /**
   * The message at a dotted `key`, formatted with ICU MessageFormat in `locale`. A placeholder
   * without a value is left as `{name}` (and the key itself is returned when no catalogue has it),
   * so a page never fails over a message.
   */
  t(locale: string, key: string, vars: Record<string, unknown> = {}): string {
    const message = this.resolve(locale, key);
    const { own, format } = message;
    if (!format) return this.lookup(own, key) ?? key;
    // A message without arguments reads the same whatever the values: formatted once.
    if (message.constant !== undefined) return message.constant;
    try {
      const out = format.format(withPlaceholders(format, vars, message.names));
      const text = typeof out === 'string' ? out : (out as unknown[]).join('');
      if (message.names.length === 0) message.constant = text;
      return text;
    } catch {
      return (this.lookup(own, key) ?? key).replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in vars ? String(vars[name]) : whole,
      );
    }
  }

  /** Which catalogue answers `key` in `locale`, its compiled message and argument names (kept). */
  private resolve(locale: string, key: string): Resolved {
    const cacheKey = `${locale}|${key}`;
    let message = this.resolved.get(cacheKey);
    if (!message) {
      const own = this.lookup(locale, key) !== undefined ? locale : this.fallback;
      const format = this.compile(own, key);
      message = { own, format, names: format ? argumentNames(format) : [] };
      // Only the catalogues' own locales are kept: any other is answered in the fallback anyway.
      if (this.messages.has(locale)) this.resolved.set(cacheKey, message);
    }
    return message;
  }

  /** The raw ICU source of a message (for the catalogue test), or undefined. */
  source(locale: string, key: string): string | undefined {
    return this.lookup(locale, key);
  }

  /** A number in the locale's digits and separators (`1,234.5`, `۱٬۲۳۴٫۵`). */
  number(locale: string, value: number, options: Intl.NumberFormatOptions = {}): string {
    const cacheKey = `${locale}|${isEmpty(options) ? '' : JSON.stringify(options)}`;
    let format = this.numberFormats.get(cacheKey);
    if (!format) {
      format = new Intl.NumberFormat(this.info(locale).intl, options);
      this.numberFormats.set(cacheKey, format);
    }
    return format.format(value);
  }

  /** A signed change (`+3.2`, `-41.9`) in the locale's digits and signs. */
  signed(locale: string, value: number, fractionDigits = 1): string {
    return this.number(locale, value, {
      signDisplay: 'exceptZero',
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
  }

  /**
   * A date or instant. A `YYYY-MM-DD` string is a calendar day and is shown as that day whatever
   * the time zone; an instant is shown in `timeZone` (UTC when none is given).
   */
  date(
    locale: string,
    value: Date | string,
    options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' },
  ): string {
    const calendarDay = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    const instant = calendarDay
      ? new Date(`${value}T12:00:00Z`)
      : value instanceof Date
        ? value
        : new Date(value);
    if (Number.isNaN(instant.getTime())) return String(value);
    const effective = calendarDay
      ? { ...options, timeZone: 'UTC' }
      : { timeZone: 'UTC', ...options };
    const cacheKey = `${locale}|${JSON.stringify(effective)}`;
    let format = this.dateFormats.get(cacheKey);
    if (!format) {
      format = new Intl.DateTimeFormat(this.info(locale).intl, effective);
      this.dateFormats.set(cacheKey, format);
    }
    return format.format(instant);
  }

  /** A report period by its first day: "November 2026", "noviembre de 2026", "2026年11月", a quarter, a week. */
  period(locale: string, start: string, grain: Grain): string {
    if (grain === 'month') return this.date(locale, start, { month: 'long', year: 'numeric' });
    if (grain === 'week')
      return this.t(locale, 'format.week_of', { date: this.date(locale, start) });
    const month = Number(start.slice(5, 7));
    return this.t(locale, 'format.quarter', {
      quarter: this.number(locale, Math.floor((month - 1) / 3) + 1),
      year: this.number(locale, Number(start.slice(0, 4)), { useGrouping: false }),
    });
  }

  private compile(locale: string, key: string): IntlMessageFormat | null {
    const cacheKey = `${locale}|${key}`;
    if (this.compiled.has(cacheKey)) return this.compiled.get(cacheKey) ?? null;
    const source = this.lookup(locale, key);
    let format: IntlMessageFormat | null = null;
    if (source !== undefined) {
      try {
        format = new IntlMessageFormat(source, this.info(locale).intl, undefined, {
          ignoreTag: true,
        });
      } catch {
        format = null;
      }
    }
    this.compiled.set(cacheKey, format);
    return format;
  }

  private lookup(locale: string, key: string): string | undefined {
    let node: string | Messages | undefined = this.messages.get(locale);
    for (const part of key.split('.')) {
      if (node === undefined || typeof node === 'string') return undefined;
      node = node[part];
    }
    return typeof node === 'string' ? node : undefined;
  }
}

/** The names of a message's arguments, nested plurals and selects included. */
export function argumentNames(format: IntlMessageFormat): string[] {
  const names = new Set<string>();
  const walk = (elements: unknown[]): void => {
    for (const element of elements as {
      type: number;
      value?: unknown;
      options?: Record<string, { value: unknown[] }>;
      children?: unknown[];
    }[]) {
      // 0 literal, 7 pound: no argument; every other element names one in `value`.
      if (element.type !== 0 && element.type !== 7 && typeof element.value === 'string')
        names.add(element.value);
      for (const option of Object.values(element.options ?? {})) walk(option.value);
      if (element.children) walk(element.children);
    }
  };
  walk(format.getAst() as unknown[]);
  return [...names].sort();
}

/** A message as `t` finds it: the catalogue that has it, compiled, and its arguments' names. */
interface Resolved {
  own: string;
  format: IntlMessageFormat | null;
  names: string[];
  /** The text of a message without arguments, once formatted. */
  constant?: string;
}

function isEmpty(options: object): boolean {
  return Object.keys(options).length === 0;
}

/** Values for every argument: a missing one is shown as `{name}` rather than failing. */
function withPlaceholders(
  format: IntlMessageFormat,
  vars: Record<string, unknown>,
  names: string[] = argumentNames(format),
): Record<string, string | number | boolean | Date> {
  const out: Record<string, string | number | boolean | Date> = {};
  for (const name of names)
    out[name] = name in vars ? (vars[name] as string | number) : `{${name}}`;
  for (const [name, value] of Object.entries(vars))
    if (!(name in out)) out[name] = value as string | number;
  return out;
}
