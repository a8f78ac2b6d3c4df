import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = process.cwd();
const pages = [
  'README.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

describe('the README and docs/', () => {
  it('link only to files that exist (relative links, from the page that holds them)', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const file = target.split('#')[0];
        if (!existsSync(resolve(root, dirname(page), file))) broken.push(`${page} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const unlinked = pages
      .filter((page) => page.startsWith('docs/'))
      .filter((page) => !readme.includes(`](${page})`));
    expect(unlinked).toEqual([]);
  });
});
