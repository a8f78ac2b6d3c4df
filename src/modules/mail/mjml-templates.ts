import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MJML_SUFFIX = '.mjml.hbs';

/**
 * The MJML mails of views/emails (`<name>.mjml.hbs`), compiled once to HTML — a Handlebars
 * template, filled per mail — for each writing direction: `[[dir]]`, `[[start]]` and `[[end]]` in
 * the source become `ltr`/`left`/`right` or `rtl`/`right`/`left` (MJML needs its alignments as
 * literal attributes, so a mirrored mail is its own compiled template). Handlebars blocks between
 * MJML elements sit in `<mj-raw>`. Keys: `<name>.ltr` and `<name>.rtl`.
 */
export async function compileMjmlTemplates(folder: string): Promise<Map<string, string>> {
  const compiled = new Map<string, string>();
  const files = readdirSync(folder).filter((f) => f.endsWith(MJML_SUFFIX));
  if (files.length === 0) return compiled;
  const mjml = await loadMjml();
  for (const file of files) {
    const name = file.slice(0, -MJML_SUFFIX.length);
    const source = readFileSync(join(folder, file), 'utf8');
    for (const dir of ['ltr', 'rtl'] as const) {
      const [start, end] = dir === 'rtl' ? ['right', 'left'] : ['left', 'right'];
      const filled = source
        .replaceAll('[[dir]]', dir)
        .replaceAll('[[start]]', start)
        .replaceAll('[[end]]', end);
      const result = await mjml(filled, { validationLevel: 'strict', minify: false });
      if (result.errors.length > 0)
        throw new Error(`${file}: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
      compiled.set(`${name}.${dir}`, result.html);
    }
  }
  return compiled;
}

type Mjml = (
  source: string,
  options: Record<string, unknown>,
) => Promise<{ html: string; errors: { formattedMessage: string }[] }>;

/** mjml is CommonJS with an `exports.default`: as loaded by Node's require or by an ES import. */
async function loadMjml(): Promise<Mjml> {
  const loaded = (await import('mjml')) as { default: Mjml | { default: Mjml } };
  return typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
}
