import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { APP_ROLE, APP_ROLE_PASSWORD } from '../../src/database/app-role';
import { freePort } from './free-port';

/** Debian's package (`apt-get install pgbouncer`; `.ci/run` installs it when missing). */
export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface Pooler {
  /** 127.0.0.1:port of the pooler. */
  host: string;
  port: number;
  /** `url` with its host and port replaced by the pooler's (same user, password, database). */
  through(url: string): string;
  /** A `SHOW …` of PgBouncer's admin console (CLIENTS, SERVERS, POOLS, STATS), as rows. */
  show(what: 'CLIENTS' | 'SERVERS' | 'POOLS' | 'STATS'): Promise<Record<string, unknown>[]>;
  /** Everything PgBouncer wrote (its log goes to stderr). */
  output(): string;
  stop(): Promise<void>;
}

export function pgbouncerInstalled(): boolean {
  return existsSync(PGBOUNCER);
}

/** Whether the port takes a TCP connection now. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Starts PgBouncer (a child process, its own ini in a temporary folder) in front of the
 * PostgreSQL at `serverUrl` (a superuser's URL: its host, port and credentials), in transaction
 * mode, on a free port of 127.0.0.1. The wildcard `*` database sends every database name to that
 * server, so each cloned test database works through it. Clients authenticate with SCRAM (the
 * embedded server's method) against a userlist holding the superuser's and the app role's
 * passwords, which PgBouncer also uses to log in to the server. PgBouncer refuses to run as root:
 * as root (CI) it drops to `nobody` with `-u`, so its files are world-readable (test passwords).
 */
export async function startPgbouncer(
  serverUrl: string,
  options: { poolSize?: number } = {},
): Promise<Pooler> {
  if (!pgbouncerInstalled())
    throw new Error(`${PGBOUNCER} is missing: apt-get install pgbouncer (or TEST_POOLER=off)`);
  const server = new URL(serverUrl);
  const dir = mkdtempSync(join(tmpdir(), 'inpulse-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const users = [
    [decodeURIComponent(server.username), decodeURIComponent(server.password)],
    [APP_ROLE, APP_ROLE_PASSWORD],
  ];
  writeFileSync(
    join(dir, 'userlist.txt'),
    users.map(([user, password]) => `${quote(user)} ${quote(password)}`).join('\n') + '\n',
    { mode: 0o644 },
  );
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `admin_users = ${users[0][0]}`,
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 2000',
    `default_pool_size = ${options.poolSize ?? 10}`,
    // A test database is dropped after its file: idle server connections go soon. Its pool entry
    // (and the transactions SHOW STATS counted on it, which global-teardown.ts reads at the end of
    // the run) stays for the run: a few dozen idle entries cost nothing.
    'server_idle_timeout = 10',
    'autodb_idle_timeout = 86400',
    'server_login_retry = 1',
    'log_connections = 0',
    'log_disconnections = 0',
    'log_pooler_errors = 1',
  ].join('\n');
  const iniPath = join(dir, 'pgbouncer.ini');
  writeFileSync(iniPath, ini + '\n', { mode: 0o644 });

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const child: ChildProcess = spawn(PGBOUNCER, [...(isRoot ? ['-u', 'nobody'] : []), iniPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + 30_000;
  while (!(await listening(port))) {
    if (!alive() || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PgBouncer did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    through(url: string) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async show(what) {
      const admin = new URL(serverUrl);
      admin.hostname = '127.0.0.1';
      admin.port = String(port);
      admin.pathname = '/pgbouncer';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        return (await client.query(`SHOW ${what}`)).rows;
      } finally {
        await client.end();
      }
    },
    output: () => output,
    async stop() {
      // SIGTERM: immediate shutdown (clients are gone by now, or should be).
      if (alive()) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
