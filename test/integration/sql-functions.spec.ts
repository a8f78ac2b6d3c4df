import { Client } from 'pg';
import {
  REPORT_ROLLUP_FUNCTIONS,
  REPORT_ROLLUP_TRIGGERS,
} from '../../src/database/sql/report-rollups.sql';
import { createTestDatabase, urlFor, type TestDatabase } from '../setup/test-database';

/**
 * The functions and triggers that live in the database have one source, src/database/sql: what
 * the migrations left in the database is exactly that text, so nobody has to find the last
 * migration that touched one (and a change to the file without a migration fails here).
 *
 * PostgreSQL itself normalises: each definition is read with pg_get_functiondef or
 * pg_get_triggerdef, the source statement is run, the definition read again and the transaction
 * rolled back. Any difference (body, arguments, return type, language, volatility, timing, table,
 * transition tables) fails.
 */
const nameOf = (sql: string, kind: 'FUNCTION' | 'TRIGGER') =>
  new RegExp(`${kind} (\\w+)`).exec(sql)?.[1] as string;

const FUNCTIONS = REPORT_ROLLUP_FUNCTIONS.map((sql) => [nameOf(sql, 'FUNCTION'), sql]);
const TRIGGERS = REPORT_ROLLUP_TRIGGERS.map((sql) => [nameOf(sql, 'TRIGGER'), sql]);

describe('functions and triggers in the database', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: urlFor(db.name) });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  /** The definition `read` returns now, and after running `sql` (rolled back). */
  async function beforeAndAfter(read: string, name: string, sql: string) {
    await client.query('BEGIN');
    try {
      const before = (await client.query(read, [name])).rows.map((r) => r.def as string);
      await client.query(sql);
      const after = (await client.query(read, [name])).rows.map((r) => r.def as string);
      return { before, after };
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it.each(FUNCTIONS)('function %s is the text of its source file', async (name, sql) => {
    const { before, after } = await beforeAndAfter(
      `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
        WHERE p.proname = $1`,
      name,
      sql,
    );
    expect(before).toHaveLength(1);
    expect(before).toEqual(after);
  });

  it.each(TRIGGERS)('trigger %s is the text of its source file', async (name, sql) => {
    const { before, after } = await beforeAndAfter(
      `SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t WHERE t.tgname = $1 AND NOT t.tgisinternal`,
      name,
      sql,
    );
    expect(before).toHaveLength(1);
    expect(before).toEqual(after);
  });

  it('holds no function or trigger that has no source (none of an earlier design left behind)', async () => {
    const functions = await client.query(
      `SELECT p.proname AS name FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
        WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                           WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1`,
    );
    expect(functions.rows.map((r) => r.name)).toEqual(FUNCTIONS.map(([name]) => name).sort());
    const triggers = await client.query(
      `SELECT t.tgname AS name FROM pg_trigger t
         JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE NOT t.tgisinternal ORDER BY 1`,
    );
    expect(triggers.rows.map((r) => r.name)).toEqual(TRIGGERS.map(([name]) => name).sort());
  });
});
