import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock, schemaDrift } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase } from '../setup/test-database';

describe('migrations', () => {
  it('create exactly the schema the entities describe', async () => {
    const db = await createTestDatabase();
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      expect(await schemaDrift(dataSource)).toEqual([]);
      // The check sees a difference when there is one.
      await dataSource.query('ALTER TABLE response DROP COLUMN source');
      expect((await schemaDrift(dataSource)).join('\n')).toMatch(/source/);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });

  it('are applied once when two instances start at the same time', async () => {
    const db = await createTestDatabase({ empty: true });
    const sources = [
      createDataSource(db.url, { poolSize: 2 }),
      createDataSource(db.url, { poolSize: 2 }),
    ];
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const applied = await Promise.all(sources.map((s) => migrateWithLock(s)));
      expect(applied.map((a) => a.length).sort()).toEqual([0, MIGRATIONS.length]);
      const [{ count }] = await sources[0].query(
        'SELECT count(*)::int AS count FROM typeorm_migrations',
      );
      expect(count).toBe(MIGRATIONS.length);
      expect(await schemaDrift(sources[0])).toEqual([]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await db.drop();
    }
  });
});
