import { REPORT_ROLLUP_FUNCTIONS } from '../../src/database/sql/report-rollups.sql';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The functions that live in the database have one source, src/database/sql: what the migrations
 * left in the database is exactly that text, so nobody has to find the last migration that
 * touched a function (and a change to the file without a migration fails here).
 */
describe('functions in the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(REPORT_ROLLUP_FUNCTIONS.map((sql) => [/FUNCTION (\w+)\(/.exec(sql)?.[1] as string, sql]))(
    '%s is the text of its source file',
    async (name, sql) => {
      const body = /\$fn\$([\s\S]*)\$fn\$/.exec(sql)?.[1];
      expect(body).toBeDefined();
      const rows: { source: string }[] = await t.dataSource.query(
        'SELECT prosrc AS source FROM pg_proc WHERE proname = $1',
        [name],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].source).toBe(body);
    },
  );

  it('leaves no function of an earlier design behind', async () => {
    const rows: { name: string }[] = await t.dataSource.query(
      `SELECT proname AS name FROM pg_proc WHERE proname LIKE 'report%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.name)).toEqual(
      REPORT_ROLLUP_FUNCTIONS.map((sql) => /FUNCTION (\w+)\(/.exec(sql)?.[1] as string).sort(),
    );
  });
});
