import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * Returns the secret called `name`, generating and storing it on first use. Used only in demo
 * mode: production sets APP_SECRET in the environment. Stored in the database
 * (not a file) so that every instance of a scaled-out demo agrees.
 */
export async function demoSecret(dataSource: DataSource, name: string): Promise<string> {
  const candidate = randomBytes(24).toString('base64url');
  const rows: { value: string }[] = await dataSource.query(
    `INSERT INTO instance_secret (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
     RETURNING value`,
    [name, candidate],
  );
  return rows[0].value;
}
