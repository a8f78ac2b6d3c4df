import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The project root (tests run from it). */
export const ROOT = process.cwd();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** The application's TypeScript files (migrations and specs aside), relative, with `/`. */
export function sourceFiles(): string[] {
  return walk(join(ROOT, 'src'))
    .map((path) => relative(ROOT, path).split(sep).join('/'))
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'))
    .filter((path) => !path.startsWith('src/database/migrations/'));
}

/** The feature a file belongs to: its folder under src/modules, or common, database, app. */
export function featureOf(path: string): string {
  const parts = path.split('/');
  if (parts[1] === 'modules') return parts[2];
  if (parts[1] === 'common' || parts[1] === 'database') return parts[1];
  return 'app';
}

/** Every table an entity declares, with the feature that owns it (the entity's folder). */
export function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const path of sourceFiles()) {
    for (const match of readFileSync(join(ROOT, path), 'utf8').matchAll(/@Entity\(\s*'(\w+)'/g)) {
      owners.set(match[1], featureOf(path));
    }
  }
  return owners;
}

/** The text of every string and template literal in a file (a template's parts joined by a space). */
function literals(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      found.push(node.text);
    } else if (ts.isTemplateExpression(node)) {
      found.push([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' '));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The tables a file's SQL names: identifiers after FROM, JOIN, INTO, UPDATE, TABLE, USING,
 * REFERENCES (and each item of a FROM or USING list) that are tables of the schema.
 */
export function tablesNamed(path: string, tables: Set<string>): Set<string> {
  const named = new Set<string>();
  const keyword = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE|USING|REFERENCES|TRUNCATE)\s+(?=([^;()]*))/gi;
  for (const literal of literals(path)) {
    if (!/\b(SELECT|INSERT|UPDATE|DELETE|TRUNCATE|WITH)\b/.test(literal)) continue;
    for (const match of literal.matchAll(keyword)) {
      // "FROM a x, b y JOIN …": the first name, and each name after a comma up to a keyword.
      const list = match[1].split(
        /\b(?:WHERE|JOIN|ON|SET|VALUES|SELECT|GROUP|ORDER|LIMIT|RETURNING|AS)\b/i,
      )[0];
      for (const item of list.split(',')) {
        const name = /^\s*"?(\w+)"?/.exec(item)?.[1];
        if (name && tables.has(name)) named.add(name);
      }
    }
  }
  return named;
}

/** Whether a file holds SQL: a statement in one of its literals. */
export function holdsSql(path: string): boolean {
  return literals(path).some((literal) =>
    /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VACUUM|ANALYZE|CREATE|ALTER|DROP|TRUNCATE)\s/.test(
      literal,
    ),
  );
}

/** Each place where a file's SQL names a table another feature owns. */
export function crossings(): { file: string; feature: string; table: string; owner: string }[] {
  const owners = tableOwners();
  const tables = new Set(owners.keys());
  const found = [];
  for (const file of sourceFiles()) {
    const feature = featureOf(file);
    for (const table of tablesNamed(file, tables)) {
      const owner = owners.get(table) as string;
      if (owner !== feature) found.push({ file, feature, table, owner });
    }
  }
  return found;
}
