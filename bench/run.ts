/**
 * `npm run bench`: every benchmark of the project, one after the other, each a script of its own
 * that prints the project's figure beside a raw-PostgreSQL baseline measured in the same run, and
 * the ratio. `npm run bench -- --only reports,submit` runs some of them; each scenario's own
 * options are on its own script (`npm run bench:<name> -- …`). See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findProjectRoot } from '../src/config/app-config';
import { runBench } from './lib/results';

interface Scenario {
  name: string;
  /** Scripts of dist/bench run in turn, with their arguments; the scenario stops at a failure. */
  steps: [string, ...string[]][];
  what: string;
}

/** In the order they run. Each one is also its own `npm run bench:<name>`. */
export const SCENARIOS: Scenario[] = [
  { name: 'submit', steps: [['submit.js']], what: 'survey submit path vs raw INSERTs' },
  {
    name: 'reports',
    // On the data bench:seed left (e.g. 10 M responses), or 1 M seeded now when there is none.
    steps: [['seed.js', '--responses', '1000000', '--if-empty'], ['reports.js']],
    what: 'team page and overview vs the raw aggregate SQL',
  },
  {
    name: 'services',
    // On the same data as the reports (seeded above when there was none).
    steps: [['seed.js', '--responses', '1000000', '--if-empty'], ['services.js']],
    what: 'the service directory (chart and a team page) vs the raw SQL of its statements',
  },
  {
    name: 'webhooks',
    steps: [['webhooks.js']],
    what: 'signed ticket webhooks at 200/s for a minute (open loop) vs raw INSERTs of the same events',
  },
  {
    name: 'tickets',
    steps: [['ticket-surveys.js']],
    what: 'a bulk close: 10,000 due ticket surveys decided by the job workers vs raw decision transactions',
  },
  {
    name: 'mail',
    steps: [['mail.js']],
    what: 'invitation mail to a local SMTP sink vs a bare nodemailer pool; queueing vs raw INSERT … SELECT',
  },
  {
    name: 'waves',
    steps: [['waves.js']],
    what: 'a wave to 100,000 employees (invitations + mail queued) vs a raw INSERT … SELECT',
  },
  {
    name: 'digest',
    steps: [['digest.js']],
    what: 'the weekly digest to 1,000 leads (figures, claims, mails queued) vs the same SQL raw',
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
  if (rest.length > 0) {
    console.error(
      `bench: unknown arguments ${rest.join(' ')}; use --only <names>, and each scenario's own npm script for its options`,
    );
    return 2;
  }
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
    let code = 0;
    for (const [script, ...args] of scenario.steps) {
      code = await run(script, args);
      if (code !== 0) break;
    }
    outcome.push({ name: scenario.name, code });
  }
  console.log('\n=== bench summary ===');
  for (const { name, code } of outcome)
    console.log(`  ${name.padEnd(10)} ${code === 0 ? 'ran' : `FAILED (exit ${code})`}`);
  console.log('  figures: above, and in bench/results/*.json');
  return outcome.some((o) => o.code !== 0) ? 1 : 0;
}

runBench('bench', main);
