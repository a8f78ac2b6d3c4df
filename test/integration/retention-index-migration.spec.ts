import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase, migrateUpTo } from '../setup/test-database';

/**
 * The RetentionMailIndex migration during a rolling upgrade: old instances keep queueing mail
 * while it builds its index, so it must not hold mail_message's writers back (a plain
 * CREATE INDEX takes a SHARE lock that every INSERT then waits behind).
 */
describe('the RetentionMailIndex migration', () => {
  it('lets other connections insert mail while it builds its index', async () => {
    const db = await createTestDatabase({ empty: true });
    const names = MIGRATIONS.map((m) => (m as unknown as { name: string }).name);
    const at = names.findIndex((name) => name.startsWith('RetentionMailIndex'));
    expect(at).toBeGreaterThan(0);
    await migrateUpTo(db.url, at);
    const dataSource = createDataSource(db.url, { poolSize: 4 });
    await dataSource.initialize();
    const insertMail = (runner: { query: (sql: string) => Promise<unknown> }, key: string) =>
      runner.query(
        `INSERT INTO mail_message (kind, to_address, locale, due_at, dedupe_key, queue_id)
         VALUES ('test', 'a@example.com', 'en', now(), '${key}', gen_random_uuid())`,
      );
    // An instance mid-way through queueing a mail: its transaction is open.
    const old = dataSource.createQueryRunner();
    const other = dataSource.createQueryRunner();
    await old.connect();
    await other.connect();
    try {
      await old.startTransaction();
      await insertMail(old, 'open');
      const migrating = migrateWithLock(dataSource);
      // Until the index build waits for that transaction.
      for (;;) {
        const [{ n }] = await other.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE query LIKE '%ix_mail_message_done%' AND wait_event_type IS NOT NULL
              AND wait_event_type NOT IN ('Client', 'Activity')`,
        );
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Another instance queues a mail meanwhile: it must not wait behind the build (a wait
      // here would be a lock held by the migration; lock_timeout turns it into an error).
      await other.query(`SET lock_timeout = '5s'`);
      await insertMail(other, 'meanwhile');
      await old.commitTransaction();
      expect(await migrating).toEqual(names.slice(at));
      const [index] = await other.query(
        `SELECT x.indisvalid AS valid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
          WHERE c.relname = 'ix_mail_message_done'`,
      );
      expect(index).toEqual({ valid: true });
    } finally {
      await old.release();
      await other.release();
      await dataSource.destroy();
      await db.drop();
    }
  });
});
