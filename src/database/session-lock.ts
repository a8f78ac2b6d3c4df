import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * An advisory lock's key: a fixed class (one per kind of work) and a name hashed by PostgreSQL
 * (hashtext), the two-int form of the advisory lock functions, so that unrelated units of work
 * (another team, another month) never wait for each other.
 */
export interface AdvisoryKey {
  classId: number;
  name: string;
}

export interface OwnSession {
  query(sql: string, values: unknown[]): Promise<{ [column: string]: unknown }[]>;
  close(): Promise<void>;
}

/**
 * One session of its own: a client of a URL (the server itself, DATABASE_DIRECT_URL: never a
 * connection of the app's pool, which behind a transaction-mode pooler is no session at all), or,
 * where no such URL is known (the embedded server, no pooler), a query runner of a data source.
 */
export async function ownSession(on: DataSource | string): Promise<OwnSession> {
  if (typeof on !== 'string') {
    const runner = on.createQueryRunner();
    await runner.connect();
    return {
      query: (sql, values) => runner.query(sql, values),
      close: () => runner.release(),
    };
  }
  const client = new Client({ connectionString: on, application_name: 'inpulse' });
  // A broken connection fails the statement in flight; without a listener it would end the process.
  client.on('error', () => undefined);
  await client.connect();
  return {
    query: async (sql, values) => (await client.query(sql, values)).rows,
    close: () => client.end(),
  };
}

/** Ends a hold on a session-level lock (unlocks, then closes its session). */
export type ReleaseSessionLock = () => Promise<void>;

/**
 * The session-level advisory lock `key` on a session of its own (see ownSession), or undefined
 * when another session holds it. Nothing else runs on that session: it holds no pooled
 * connection and no transaction, so no idle-in-transaction timeout ends it; the lock goes with
 * the session should the process die.
 */
export async function trySessionLock(
  on: DataSource | string,
  key: AdvisoryKey,
): Promise<ReleaseSessionLock | undefined> {
  const session = await ownSession(on);
  try {
    const [{ locked }] = await session.query(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [key.classId, key.name],
    );
    if (!locked) {
      await session.close();
      return undefined;
    }
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  return async () => {
    try {
      await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [key.classId, key.name]);
    } finally {
      await session.close();
    }
  };
}

/**
 * Runs `work` while holding the session-level advisory lock `key` on a session of its own,
 * waiting for it in one statement (for short work: the wait is as long as another's `work`).
 * The waiting session is not one of the app's pool, so callers waiting here never leave the
 * holder's `work` without the pooled connections it needs.
 */
export async function underSessionLock<T>(
  on: DataSource | string,
  key: AdvisoryKey,
  work: () => Promise<T>,
): Promise<T> {
  const session = await ownSession(on);
  try {
    await session.query('SELECT pg_advisory_lock($1, hashtext($2))', [key.classId, key.name]);
    try {
      return await work();
    } finally {
      await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [key.classId, key.name]);
    }
  } finally {
    await session.close();
  }
}
