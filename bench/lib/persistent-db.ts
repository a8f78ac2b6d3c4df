import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { migrateWithLock } from '../../src/database/migrate';
import { postmasterPid, stopEmbedded } from './database';
import { freePort } from './net';

/** The database of `bench:seed` / `bench:reports`: kept between runs, unlike `npm run bench`'s. */
export interface PersistentDatabase {
  url: string;
  kind: 'embedded' | 'external';
  /** Where the embedded data lives (undefined for --database-url). */
  dataDir?: string;
  postmasterPid(): Promise<number | undefined>;
  close(): Promise<void>;
}

export const BENCH_PG_DIR = join('.data', 'bench-pg');

/**
 * `url` when given, else a persistent embedded PostgreSQL in `<project>/.data/bench-pg` (never
 * the app's own `.data/postgres`), started on a free port of its own. Migrated either way with
 * the app's migrations.
 */
export async function openPersistentDatabase(
  projectRoot: string,
  url: string | undefined,
  log: (line: string) => void,
): Promise<PersistentDatabase> {
  const db = url ? external(url) : await embedded(projectRoot, log);
  try {
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      const applied = await migrateWithLock(dataSource);
      if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    } finally {
      await dataSource.destroy();
    }
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

function external(url: string): PersistentDatabase {
  return {
    url,
    kind: 'external',
    postmasterPid: async () => undefined,
    close: async () => undefined,
  };
}

async function embedded(
  projectRoot: string,
  log: (line: string) => void,
): Promise<PersistentDatabase> {
  const parent = join(projectRoot, '.data');
  const dataDir = join(projectRoot, BENCH_PG_DIR);
  await mkdir(parent, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(parent, 0o755).catch(() => undefined);
  const port = await freePort();
  log(
    `${existsSync(join(dataDir, 'PG_VERSION')) ? 'starting' : 'initialising'} embedded PostgreSQL in ${BENCH_PG_DIR} on port ${port}`,
  );
  const db = await startEmbeddedPostgres({ dataDir, port, database: 'inpulse_bench' });
  return {
    url: db.url,
    kind: 'embedded',
    dataDir,
    postmasterPid: () => postmasterPid(dataDir),
    close: () => stopEmbedded(db, dataDir),
  };
}

/** Runs cleanup steps once, in reverse order, on normal exit and on Ctrl-C / SIGTERM. */
export function cleanupStack(onInterrupt: (signal: string) => void) {
  const steps: { name: string; run: () => Promise<void> }[] = [];
  let cleaning: Promise<void> | undefined;
  const run = () =>
    (cleaning ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(
            `bench: could not ${step.name}: ${error instanceof Error ? error.message : error}`,
          );
        }
      }
    })());
  // embedded-postgres hooks these signals to stop PostgreSQL and exit at once; ours replace its
  // hooks (call again after starting it) so that the app is stopped first.
  const hook = () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.once(signal, () => {
        console.error(`bench: ${signal}, cleaning up`);
        onInterrupt(signal);
        void run().finally(() => process.exit(130));
      });
    }
  };
  hook();
  return {
    push(name: string, step: () => Promise<void>) {
      steps.push({ name, run: step });
      hook();
    },
    run,
  };
}

/** `--name value` / `--name=value` / `--flag` from argv. */
export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>) {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match || !(match[1] in known)) throw new Error(`unknown argument "${argv[i]}"`);
    const [, name, inline] = match;
    if (known[name] === 'flag') out[name] = true;
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}
