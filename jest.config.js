const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Packages published as ES modules only, with no CommonJS entry. NestJS 12 is one of them, and
 * Jest on Node 20 loads ES modules only in its native ESM mode (node --experimental-vm-modules,
 * see package.json). When a CommonJS package `require`s one of these, Babel turns that copy into
 * CommonJS for Jest. The application itself is built to CommonJS and relies on Node's own
 * require(esm); this dance is for Jest's module loader only.
 */
function esmOnlyPackages(root = join(__dirname, 'node_modules')) {
  const names = [];
  const visit = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@') && !prefix) {
        visit(join(dir, entry.name), `${entry.name}/`);
        continue;
      }
      const file = join(dir, entry.name, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"')) {
        names.push(prefix + entry.name);
      }
    }
  };
  if (existsSync(root)) visit(root, '');
  return names;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How every spec is loaded, whichever project it belongs to. */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', useESM: true, diagnostics: false }],
    '^.+\\.m?js$': 'babel-jest',
  },
  transformIgnorePatterns: [
    `/node_modules/(?!(${esmOnlyPackages().map(escapeRegExp).join('|')})/)`,
  ],
};

/**
 * Two projects: `unit` (pure functions beside the code, test/unit, and test/architecture, which
 * reads the source) needs no database and runs alone with `npm run test:unit`; `database`
 * (integration, e2e, browser and process tests) starts PostgreSQL once for the run. `npm test` runs both.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
        '<rootDir>/test/architecture/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'database',
      testMatch: ['<rootDir>/test/{integration,e2e,browser,process}/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
  // Each test file of `database` gets its own database cloned from a migrated template (test/setup).
  maxWorkers: 2,
};
