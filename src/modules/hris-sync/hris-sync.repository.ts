import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { HrisSyncRun, type RunPlan } from './entities/hris-sync-run.entity';
import { HrisSyncSetting } from './entities/hris-sync-setting.entity';

export type HrisSyncSettingValues = Pick<
  HrisSyncSetting,
  'enabled' | 'source' | 'format' | 'mapping' | 'cron' | 'maxDeactivatePercent'
>;

export const DEFAULT_HRIS_SYNC_SETTING: HrisSyncSettingValues = {
  enabled: false,
  source: '',
  format: 'csv',
  mapping: {},
  cron: '0 5 * * *',
  maxDeactivatePercent: 10,
};

/** The HRIS sync's settings (one row) and its runs. */
@Injectable()
export class HrisSyncRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async setting(): Promise<HrisSyncSettingValues | undefined> {
    const row = await this.dataSource.getRepository(HrisSyncSetting).findOneBy({ id: 1 });
    return row ?? undefined;
  }

  async saveSetting(values: HrisSyncSettingValues): Promise<void> {
    await this.dataSource.getRepository(HrisSyncSetting).upsert({ id: 1, ...values }, ['id']);
  }

  async insertRun(run: {
    status: HrisSyncRun['status'];
    trigger: string;
    fileHash: Buffer | null;
    plan: RunPlan | null;
    error: string | null;
  }): Promise<HrisSyncRun> {
    const repo = this.dataSource.getRepository(HrisSyncRun);
    return repo.save(repo.create({ ...run, confirmedAt: null }));
  }

  findRun(id: string): Promise<HrisSyncRun | null> {
    return this.dataSource.getRepository(HrisSyncRun).findOneBy({ id });
  }

  /** Marks a stopped run confirmed (once: two confirmations at once, one wins). */
  async confirmRun(id: string, plan: RunPlan): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(HrisSyncRun)
      .update({ id, status: 'stopped' }, { status: 'confirmed', plan, confirmedAt: new Date() });
    return (result.affected ?? 0) === 1;
  }

  /**
   * How many people applied runs deactivated since `since`, counting only runs after the last
   * run HR confirmed (a confirmation approves what came before it).
   */
  async deactivatedSince(since: Date): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `SELECT coalesce(sum((plan->'counts'->>'deactivated')::int), 0)::int AS n
         FROM hris_sync_run
        WHERE status = 'applied'
          AND created_at > greatest($1::timestamptz,
                (SELECT max(confirmed_at) FROM hris_sync_run WHERE status = 'confirmed'))`,
      [since],
    );
    return row.n;
  }

  recentRuns(limit = 20): Promise<HrisSyncRun[]> {
    return this.dataSource
      .getRepository(HrisSyncRun)
      .find({ order: { createdAt: 'DESC' }, take: limit });
  }
}
