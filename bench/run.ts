/**
 * `npm run bench`: every benchmark of the project, one after the other, each a script of its own
 * that prints the project's figure beside a raw-PostgreSQL baseline measured in the same run, and
 * the ratio. Arguments after `--` go to every scenario that takes them (e.g. `-- --only reports`).
 * See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findProjectRoot } from '../src/config/app-config';

interface Scenario {
  name: string;
  script: string;
  what: string;
}

/** In the order they run. Each one is also its own `npm run bench:<name>`. */
export const SCENARIOS: Scenario[] = [
  { name: 'submit', script: 'submit.js', what: 'survey submit path vs raw INSERTs' },
  {
    name: 'reports',
    script: 'reports.js',
    what: 'team page and overview vs the raw aggregate SQL (seeds 1 M responses if empty)',
  },
  {
    name: 'mail',
    script: 'mail.js',
    what: 'invitation mail to a local SMTP sink vs a bare nodemailer pool; queueing vs raw INSERT … SELECT',
  },
  {
    name: 'waves',
    script: 'waves.js',
    what: 'a wave to 100,000 employees (invitations + mail queued) vs a raw INSERT … SELECT',
  },
];

function run(script: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, script), ...args], {
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  findProjectRoot(__dirname);
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(argv[onlyAt + 1]?.split(',')) : undefined;
  const rest = onlyAt >= 0 ? argv.filter((_, i) => i !== onlyAt && i !== onlyAt + 1) : argv;
  const unknown = [...(only ?? [])].filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(
      `bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const outcome: { name: string; code: number }[] = [];
  for (const scenario of SCENARIOS.filter((s) => !only || only.has(s.name))) {
    console.log(`\n=== bench ${scenario.name}: ${scenario.what} ===\n`);
    outcome.push({ name: scenario.name, code: await run(scenario.script, rest) });
  }
  console.log('\n=== bench summary ===');
  for (const { name, code } of outcome)
    console.log(`  ${name.padEnd(10)} ${code === 0 ? 'ran' : `FAILED (exit ${code})`}`);
  console.log('  figures: above, and in bench/results/*.json');
  return outcome.some((o) => o.code !== 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
