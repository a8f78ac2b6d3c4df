import { rmSync } from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const pooler = (globalThis as Record<string, unknown>).__INPULSE_TEST_POOLER__ as
    { stop(): Promise<void> } | undefined;
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
}
