import { readdirSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import type { Pooler } from './pgbouncer';

/**
 * When apps of this run went through the run's PgBouncer (test-app.ts left a mark), the
 * transactions PgBouncer counted for the test databases: none means the e2e specs did not in
 * fact go through it, which fails the run.
 */
async function poolerProblem(pooler: Pooler | undefined): Promise<string | undefined> {
  const marks = process.env.INPULSE_TEST_POOLER_MARKS;
  if (!pooler || !marks) return undefined;
  const marked = readdirSync(marks).length > 0;
  rmSync(marks, { recursive: true, force: true });
  if (!marked) return undefined;
  const stats = await pooler.show('STATS');
  const transactions = stats
    .filter((row) => row.database !== 'pgbouncer')
    .reduce((sum, row) => sum + Number(row.total_xact_count ?? 0), 0);
  process.stdout.write(`\nPgBouncer carried ${transactions} transactions of the test apps\n`);
  return transactions > 0
    ? undefined
    : 'apps were to connect through PgBouncer, yet it carried no transaction (SHOW STATS)';
}

export default async function globalTeardown(): Promise<void> {
  const pooler = (globalThis as Record<string, unknown>).__INPULSE_TEST_POOLER__ as
    Pooler | undefined;
  const problem = await poolerProblem(pooler);
  await pooler?.stop();
  const adminUrl = process.env.INPULSE_TEST_ADMIN_URL;
  const template = process.env.INPULSE_TEST_TEMPLATE;
  if (adminUrl && template) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${template}%`],
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  const embedded = (globalThis as Record<string, unknown>).__INPULSE_TEST_PG__ as
    { db: { stop(): Promise<void> }; dir: string } | undefined;
  if (embedded) {
    await embedded.db.stop();
    rmSync(embedded.dir, { recursive: true, force: true });
  }
  if (problem) throw new Error(problem);
}
