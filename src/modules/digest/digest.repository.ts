import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DigestSetting } from './entities/digest-setting.entity';

export type DigestSettingValues = Pick<
  DigestSetting,
  'enabled' | 'weekday' | 'hour' | 'grain' | 'locale' | 'timeZone'
>;

/** The digest's own tables: its setting, who opted out, and the claims of sent mails. */
@Injectable()
export class DigestRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async setting(): Promise<DigestSettingValues | undefined> {
    const row = await this.dataSource.getRepository(DigestSetting).findOneBy({ id: 1 });
    return row ?? undefined;
  }

  async saveSetting(values: DigestSettingValues): Promise<void> {
    await this.dataSource.getRepository(DigestSetting).upsert({ id: 1, ...values }, ['id']);
  }

  async optedOut(): Promise<Set<string>> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      'SELECT user_id FROM digest_opt_out',
    );
    return new Set(rows.map((r) => r.user_id));
  }

  async isOptedOut(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM digest_opt_out WHERE user_id = $1',
      [userId],
    );
    return rows.length > 0;
  }

  /** Opts the person out (true) or in again (false); nothing when they are already so. */
  async setOptOut(userId: string, out: boolean): Promise<void> {
    if (out)
      await this.dataSource.query(
        'INSERT INTO digest_opt_out (user_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [userId],
      );
    else await this.dataSource.query('DELETE FROM digest_opt_out WHERE user_id = $1', [userId]);
  }

  /**
   * Claims the digest of a person for a week in the caller's transaction: false when it was
   * claimed already (a second tick waits on the first one's row lock, then finds it).
   */
  async claimDigest(manager: EntityManager, userId: string, weekStart: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO digest_sent (user_id, week_start) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, weekStart],
    );
    return rows.length === 1;
  }

  /** Claims the alert about a team's drop in a period, like claimDigest. */
  async claimAlert(
    manager: EntityManager,
    alert: { teamId: string; grain: string; periodStart: string; delta: number },
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO digest_alert (team_id, grain, period_start, delta) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING team_id`,
      [alert.teamId, alert.grain, alert.periodStart, alert.delta],
    );
    return rows.length === 1;
  }

  /** Alerts already sent for these periods, as `team|grain|start`. */
  async alertsSent(grain: string, periodStart: string): Promise<Set<string>> {
    const rows: { team_id: string }[] = await this.dataSource.query(
      'SELECT team_id FROM digest_alert WHERE grain = $1 AND period_start = $2',
      [grain, periodStart],
    );
    return new Set(rows.map((r) => r.team_id));
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
