import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import type { I18n } from '../i18n/i18n.service';

/**
 * One Handlebars instance for pages and mails. Helpers:
 * - `t "key" name=value` translates in the locale of the page (`@root.locale`);
 * - `eq a b` compares;
 * - `json value` writes JSON safe to put inside <script type="application/json">;
 * - `releaseSize` is m (MIX_BATCH_SIZE): the fewest people an answer is released with, which the
 *   survey pages promise;
 * - `asset "/assets/app.css"` is a static file's address with its version, which browsers keep
 *   without asking again (see common/http/static-assets.ts).
 * - `formatDate value style="medium"` (or `time=true`, `zone="Europe/Madrid"`),
 *   `formatNumber value digits=1`, `formatSigned value`, `formatPeriod start grain`: Intl formatting in the page's locale (`@root.locale`),
 *   never a raw Date string; a `YYYY-MM-DD` value is a calendar day, shown as that day.
 * - `encodeUri value` is a value put in a URL's query (`next=…`), percent-encoded.
 * Templates use double braces only, so every value is escaped.
 */
export function createHandlebars(
  i18n: I18n,
  viewsDir: string,
  options: { releaseSize?: number; assetUrl?: (path: string) => string } = {},
): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('releaseSize', () => options.releaseSize ?? 10);
  hbs.registerHelper('asset', (path: string) => options.assetUrl?.(path) ?? path);
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const locale = (options.data?.root as { locale?: string } | undefined)?.locale ?? i18n.fallback;
    return i18n.t(locale, key, options.hash ?? {});
  });
  const localeOf = (options: Handlebars.HelperOptions) =>
    (options.data?.root as { locale?: string } | undefined)?.locale ?? i18n.fallback;
  hbs.registerHelper('formatDate', function (value: unknown, options: Handlebars.HelperOptions) {
    if (value === null || value === undefined || value === '') return '';
    const hash = (options.hash ?? {}) as { style?: string; time?: boolean; zone?: string };
    const style = (hash.style ?? 'medium') as 'full' | 'long' | 'medium' | 'short';
    return i18n.date(localeOf(options), value as Date | string, {
      dateStyle: style,
      ...(hash.time ? { timeStyle: 'short' as const } : {}),
      ...(hash.zone ? { timeZone: hash.zone } : {}),
    });
  });
  hbs.registerHelper('formatNumber', function (value: unknown, options: Handlebars.HelperOptions) {
    if (value === null || value === undefined || value === '') return '';
    const n = Number(value);
    if (!Number.isFinite(n)) return String(value);
    const digits = (options.hash as { digits?: number } | undefined)?.digits;
    return i18n.number(
      localeOf(options),
      n,
      digits === undefined ? {} : { minimumFractionDigits: 0, maximumFractionDigits: digits },
    );
  });
  hbs.registerHelper('formatSigned', function (value: unknown, options: Handlebars.HelperOptions) {
    const n = Number(value);
    if (value === null || value === undefined || !Number.isFinite(n)) return '';
    const digits = (options.hash as { digits?: number } | undefined)?.digits ?? 1;
    return i18n.signed(localeOf(options), n, digits);
  });
  hbs.registerHelper(
    'formatPeriod',
    function (start: unknown, grain: unknown, options: Handlebars.HelperOptions) {
      if (typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(start))
        return String(start ?? '');
      const g = grain === 'week' || grain === 'quarter' ? grain : 'month';
      return i18n.period(localeOf(options), start, g);
    },
  );
  hbs.registerHelper('encodeUri', (value: unknown) =>
    typeof value === 'string' ? encodeURIComponent(value) : '',
  );
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper(
    'includes',
    (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value),
  );
  hbs.registerHelper(
    'json',
    (value: unknown) => new hbs.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')),
  );
  const partialsDir = join(viewsDir, 'partials');
  for (const file of listTemplates(partialsDir)) {
    const name = relative(partialsDir, file).replace(/\.hbs$/, '');
    hbs.registerPartial(name, readFileSync(file, 'utf8'));
  }
  return hbs;
}

function listTemplates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listTemplates(join(dir, entry.name))
      : entry.name.endsWith('.hbs')
        ? [join(dir, entry.name)]
        : [],
  );
}
