// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { readdirSync } from 'node:fs';

/** The feature folders under src/modules. */
const FEATURES = readdirSync('src/modules', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * Imports between features, decided per pair (STYLE.md: a feature owns its tables; another feature
 * calls its service, not its repository). Every other pair is allowed: test/architecture lists
 * the tables each feature's SQL names, with the reason for each crossing.
 */
const NEVER = {
  // The anonymity boundary: what holds answers never imports the directory of people…
  responses: {
    features: ['directory'],
    why: 'answers never meet the directory of people (the anonymity boundary)',
  },
  reports: {
    features: ['directory'],
    why: 'reports never meet the directory of people (the anonymity boundary)',
  },
  // …and the directory never reads answers or reports.
  directory: {
    features: ['responses', 'reports'],
    why: 'the directory of people never reads answers (the anonymity boundary)',
  },
  // The leaves everyone builds on depend on no feature, so no cycle can form through them.
  teams: {
    features: FEATURES.filter((f) => f !== 'teams'),
    why: 'teams is a leaf: every feature may use it, it uses none',
  },
  audit: {
    features: FEATURES.filter((f) => f !== 'audit'),
    why: 'audit is a leaf: every feature records into it, it uses none',
  },
};

function featureBoundaries() {
  return FEATURES.map((feature) => {
    const patterns = [
      {
        group: ['../*/*.repository', '../../*/*.repository', '**/modules/*/*.repository'],
        message: `another feature's repository: call its service instead (a feature owns its tables)`,
      },
      // The demo is not part of production: no feature depends on it.
      ...(feature === 'demo'
        ? []
        : [{ group: ['**/demo/*', '**/demo/**'], message: 'no feature depends on the demo' }]),
    ];
    const never = NEVER[feature];
    if (never) {
      patterns.push({
        group: never.features.flatMap((f) => [`**/${f}/*`, `**/${f}/**`]),
        message: `${feature} never imports ${never.features.join(', ')}: ${never.why}`,
      });
    }
    return {
      files: [`src/modules/${feature}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
}

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'test-artifacts/', 'public/vendor/'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  ...featureBoundaries(),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly' } },
  },
);
