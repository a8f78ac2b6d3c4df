import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Messages = { [key: string]: string | Messages };

export interface LocaleInfo {
  code: string;
  name: string;
  dir: 'ltr' | 'rtl';
}

/**
 * Translations live in views/locales/<code>.json, one file per language; adding a language is
 * adding a file. Each file has `_meta.name` and `_meta.dir`. Missing keys fall back to English.
 */
export class I18n {
  private readonly messages = new Map<string, Messages>();
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
        _meta?: { name?: string; dir?: string };
      };
      this.messages.set(code, content);
      this.locales.push({
        code,
        name: content._meta?.name ?? code,
        dir: content._meta?.dir === 'rtl' ? 'rtl' : 'ltr',
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

  /** The message at a dotted `key`, with `{name}` placeholders filled in. */
  t(locale: string, key: string, vars: Record<string, unknown> = {}): string {
    const template = this.lookup(locale, key) ?? this.lookup(this.fallback, key) ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in vars ? String(vars[name]) : whole,
    );
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
