import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** Key of the transaction-level advisory lock that serialises budgeted invitation inserts. */
const BUDGET_LOCK_KEY = 7_402_113;

export interface SkippedBySource {
  source: string;
  sourceId: string;
  /** The survey's name when the source is a survey (a wave is one). */
  name: string | null;
  skipped: number;
  updatedAt: Date;
}

@Injectable()
export class FatigueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async days(manager?: EntityManager): Promise<number> {
    const rows: { days: number }[] = await (manager ?? this.dataSource).query(
      'SELECT days FROM fatigue_setting WHERE id = 1',
    );
    return rows[0]?.days ?? 0;
  }

  async setDays(days: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO fatigue_setting (id, days) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET days = EXCLUDED.days, updated_at = now()`,
      [days],
    );
  }

  /**
   * With a budget, waits for any other budgeted insert to commit, then reads the budget again;
   * with none, takes no lock (sendings do not wait on each other for nothing).
   */
  async lock(manager: EntityManager): Promise<number> {
    if ((await this.days(manager)) === 0) return 0;
    await manager.query('SELECT pg_advisory_xact_lock($1)', [BUDGET_LOCK_KEY]);
    return this.days(manager);
  }

  async addSkipped(
    manager: EntityManager | undefined,
    source: string,
    sourceId: string,
    skipped: number,
  ): Promise<void> {
    await (manager ?? this.dataSource).query(
      `INSERT INTO fatigue_skip (source, source_id, skipped) VALUES ($1, $2, $3)
       ON CONFLICT (source, source_id)
       DO UPDATE SET skipped = fatigue_skip.skipped + EXCLUDED.skipped, updated_at = now()`,
      [source, sourceId, skipped],
    );
  }

  /** The total, and the most recent sources with what each one skipped. */
  async skipped(limit: number): Promise<{ total: number; items: SkippedBySource[] }> {
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      'SELECT coalesce(sum(skipped), 0)::int AS total FROM fatigue_skip',
    );
    const items: SkippedBySource[] = await this.dataSource.query(
      `SELECT f.source, f.source_id AS "sourceId", s.name, f.skipped, f.updated_at AS "updatedAt"
         FROM fatigue_skip f
         LEFT JOIN survey s ON f.source = 'survey' AND s.id = f.source_id
        ORDER BY f.updated_at DESC, f.source_id LIMIT $1`,
      [limit],
    );
    return { total, items };
  }

  async skippedFor(source: string, sourceId: string): Promise<number> {
    const rows: { skipped: number }[] = await this.dataSource.query(
      'SELECT skipped FROM fatigue_skip WHERE source = $1 AND source_id = $2',
      [source, sourceId],
    );
    return rows[0]?.skipped ?? 0;
  }
}
