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
