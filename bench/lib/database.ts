import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from './net';

export interface BenchDatabase {
  url: string;
  /** How to describe it in the report. */
  kind: 'embedded' | 'external';
  /** PID of the postmaster when it runs on this machine and we know it (for CPU accounting). */
  postmasterPid(): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * The benchmark's own database: a scratch database on BENCH_DATABASE_URL (created now, dropped
 * at the end), or else a fresh embedded PostgreSQL in a temporary folder (removed at the end).
 */
export async function provisionDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL?.trim();
  return external ? scratchDatabase(external, log) : embeddedDatabase(log);
}

async function embeddedDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'inpulse-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'pg');
  const port = await freePort();
  log(`starting embedded PostgreSQL in ${dataDir} on port ${port}`);
  let db;
  try {
    db = await startEmbeddedPostgres({ dataDir, port, database: 'inpulse_bench' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const embedded = db;
  return {
    url: embedded.url,
    kind: 'embedded',
    postmasterPid: () => postmasterPid(dataDir),
    async close() {
      try {
        await stopEmbedded(embedded, dataDir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function scratchDatabase(
  baseUrl: string,
  log: (line: string) => void,
): Promise<BenchDatabase> {
  const name = `inpulse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  log(`created scratch database ${name} on ${url.host}`);
  return {
    url: url.toString(),
    kind: 'external',
    async postmasterPid() {
      return undefined; // maybe not on this machine: no CPU figures for PostgreSQL
    },
    async close() {
      const client = new Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The PostgreSQL server's process id, from its data folder. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops an embedded PostgreSQL. stop() waits for PostgreSQL's exit event, which never comes if
 * it has already gone (a Ctrl-C in the terminal reaches it too); PostgreSQL removes
 * postmaster.pid on exit, so that is watched as well, for 20 s at most.
 */
export async function stopEmbedded(db: { stop(): Promise<void> }, dataDir: string): Promise<void> {
  let done = false;
  const stopping = db.stop().finally(() => {
    done = true;
  });
  const until = Date.now() + 20_000;
  while (!done && Date.now() < until && existsSync(join(dataDir, 'postmaster.pid'))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (done) await stopping;
}
