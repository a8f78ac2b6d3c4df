import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I18n } from '../i18n/i18n.service';
import { createHandlebars } from './handlebars';

const views = join(process.cwd(), 'views');

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templates(join(dir, entry.name))
      : entry.name.endsWith('.hbs')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('templates', () => {
  const hbs = createHandlebars(new I18n(join(views, 'locales')), views);

  it('print nothing unescaped but the page body inside the layout', () => {
    const raw = templates(views).flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{&\s*([^}]+?)\s*\}\}/g,
        ),
      ].map((m) => `${file.slice(views.length)}: ${m[1] ?? m[2]}`),
    );
    expect(raw).toEqual(['/layouts/main.hbs: body']);
  });

  it('escape user data, and give scripts JSON that cannot close its <script> element', () => {
    const page = hbs.compile(
      '<p>{{name}}</p><script type="application/json">{{json data}}</script>',
    )({
      name: '<img src=x onerror=alert(1)>',
      data: { label: '</script><script>alert(1)</script>' },
    });
    expect(page).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(page).not.toContain('</script><script>');
    expect(page).toContain('\\u003c/script>');
    const json = page.match(/<script type="application\/json">(.*)<\/script>/)![1];
    expect(JSON.parse(json)).toEqual({ label: '</script><script>alert(1)</script>' });
  });
});
