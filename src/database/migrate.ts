import { DataSource } from 'typeorm';
import { ownSession } from './session-lock';

/** Arbitrary, fixed key of the advisory lock that serialises start-up work across instances. */
const MIGRATION_LOCK_KEY = 7_215_301_914;

/** How often an instance waiting for another's migrations tries the lock again. */
const LOCK_POLL_MS = 250;

/**
 * Runs `work` while holding a session-level advisory lock shared by every instance, so that
 * instances starting at once take turns at what must happen once: migrations, the first
 * administrator, the demo seed. It waits by trying the lock again and again rather than in one
 * blocked statement, which would hold a snapshot all along and so keep the old row versions a
 * migration rewrites a table to be rid of (AnonymousReleaseScrub). The lock lives on a
 * connection of its own (to `on`: a data source, or a URL); `work` may use any other.
 *
 * A session-level lock must be taken on the server itself, never through a transaction-mode
 * pooler, which would leave it on whichever server connection ran the statement (and run the
 * unlock on another): behind PgBouncer, `on` is DATABASE_DIRECT_URL (docs/pooler.md).
 */
export async function underStartupLock<T>(
  on: DataSource | string,
  work: () => Promise<T>,
): Promise<T> {
  const session = await ownSession(on);
  try {
    for (;;) {
      const [{ locked }] = await session.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ]);
      if (locked) break;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return await work();
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await session.close();
  }
}

/**
 * Applies pending migrations under the start-up lock, so that two instances starting at once do
 * not both try: the second waits, then finds nothing left to do.
 */
export async function migrateWithLock(dataSource: DataSource): Promise<string[]> {
  return underStartupLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  });
}

/** SQL the entities would need that the migrations did not create: empty when they agree. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
