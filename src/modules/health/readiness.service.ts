import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { connectionErrorLabel } from '../../database/db-errors';

export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Whether this instance can serve: the database answers (within the connect timeout, whatever
 * the network does) and every migration it knows is applied. Asked on each `GET /readyz`, so it
 * turns 503 while the database is away and back to 200 when it returns, with no restart.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<Readiness> {
    const timeoutMs = this.config.database.connectTimeoutSeconds * 1000;
    try {
      const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
      // A query timeout of its own: a stalled connection must not hold the probe for ever.
      await pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as QueryConfig);
      if (await this.dataSource.showMigrations())
        return { ready: false, reason: 'migrations pending' };
      return { ready: true };
    } catch (error) {
      const label = connectionErrorLabel(error);
      return {
        ready: false,
        reason: label ? `database unreachable (${label})` : 'database error',
      };
    }
  }
}
