import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
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

/**
 * Named values of this instance kept in the database (demo mode: the demo's passwords, API
 * token and live survey), for a module that has no table of its own for them.
 */
@Injectable()
export class InstanceSecretsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The value called `name`, stored as `fallback` the first time. */
  async secret(name: string, fallback: string): Promise<string> {
    const rows: { value: string }[] = await this.dataSource.query(
      `INSERT INTO instance_secret (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value`,
      [name, fallback],
    );
    return rows[0].value;
  }

  /** The value called `name`, if one was stored. */
  async find(name: string): Promise<string | undefined> {
    const rows: { value: string }[] = await this.dataSource.query(
      'SELECT value FROM instance_secret WHERE name = $1',
      [name],
    );
    return rows[0]?.value;
  }

  async store(name: string, value: string): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO instance_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value',
      [name, value],
    );
  }
}
