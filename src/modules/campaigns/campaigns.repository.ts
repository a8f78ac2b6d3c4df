import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Campaign, type CampaignStatus } from './entities/campaign.entity';
import { Wave } from './entities/wave.entity';

/** Arbitrary, fixed key: one scheduler pass at a time across every instance. */
const SCHEDULER_LOCK_KEY = 7_215_301_916;

export type CampaignFields = Omit<Campaign, 'id' | 'createdAt' | 'updatedAt' | 'questionnaire'>;

export interface DueWork {
  open: string[];
  remind: string[];
  close: string[];
}

/** A wave that ran and closed before this instance recorded it (the demo's history). */
export interface PastWave {
  number: number;
  opensAt: string;
  closesAt: string;
  surveyId: string;
  invited: number;
  remindersSent: number;
}

@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(fields: CampaignFields, manager: EntityManager): Promise<Campaign> {
    const repo = manager.getRepository(Campaign);
    return repo.save(repo.create(fields));
  }

  async update(
    id: string,
    fields: Partial<CampaignFields>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.getRepository(Campaign).update({ id }, fields);
  }

  find(id: string): Promise<Campaign | null> {
    return this.dataSource.getRepository(Campaign).findOneBy({ id });
  }

  /** Every campaign, newest first, with its number of waves and the next or current one. */
  list(): Promise<(Campaign & { waves: number; lastOpensAt: Date | null })[]> {
    return this.dataSource
      .getRepository(Campaign)
      .createQueryBuilder('c')
      .addSelect(
        (q) => q.select('count(*)::int').from(Wave, 'w').where('w.campaign_id = c.id'),
        'waves',
      )
      .addSelect(
        (q) => q.select('max(w.opens_at)').from(Wave, 'w').where('w.campaign_id = c.id'),
        'last_opens_at',
      )
      .orderBy('c.created_at', 'DESC')
      .getRawAndEntities()
      .then(({ raw, entities }) =>
        entities.map((c, i) => ({
          ...c,
          waves: Number((raw[i] as { waves: number }).waves),
          lastOpensAt: (raw[i] as { last_opens_at: Date | null }).last_opens_at,
        })),
      );
  }

  async setStatus(id: string, status: CampaignStatus, scheduleFrom?: Date): Promise<void> {
    await this.dataSource
      .getRepository(Campaign)
      .update({ id }, scheduleFrom ? { status, scheduleFrom } : { status });
  }

  activeCampaigns(manager: EntityManager): Promise<Campaign[]> {
    return manager.getRepository(Campaign).findBy({ status: 'active' });
  }

  async waveCount(campaignId: string): Promise<number> {
    return this.dataSource.getRepository(Wave).countBy({ campaignId });
  }

  waves(campaignId: string): Promise<Wave[]> {
    return this.dataSource
      .getRepository(Wave)
      .find({ where: { campaignId }, order: { opensAt: 'DESC' } });
  }

  findWave(id: string): Promise<Wave | null> {
    return this.dataSource.getRepository(Wave).findOneBy({ id });
  }

  /** Takes the scheduler lock for this transaction; false when another instance holds it. */
  async tryLockScheduler(manager: EntityManager): Promise<boolean> {
    const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      SCHEDULER_LOCK_KEY,
    ]);
    return locked;
  }

  async lastOpensAt(campaignId: string, manager: EntityManager): Promise<Date | null> {
    const [row] = await manager.query(
      'SELECT max(opens_at) AS last FROM wave WHERE campaign_id = $1',
      [campaignId],
    );
    return row.last;
  }

  /**
   * The wave of (campaign, opening time), created once: a second call — another instance, a
   * re-run — finds it there and creates nothing. Returns the id when this call created it.
   */
  async insertWave(
    campaignId: string,
    opensAt: Date,
    closesAt: Date,
    manager: EntityManager,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO wave (campaign_id, number, opens_at, closes_at)
       SELECT $1, coalesce(max(number), 0) + 1, $2, $3 FROM wave WHERE campaign_id = $1
       ON CONFLICT (campaign_id, opens_at) DO NOTHING
       RETURNING id`,
      [campaignId, opensAt, closesAt],
    );
    return rows[0]?.id;
  }

  /** Closed past waves of a campaign, in one statement. */
  async insertPastWaves(campaignId: string, waves: PastWave[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO wave (campaign_id, number, opens_at, closes_at, status, survey_id, invited,
                         reminders_sent, opened_at, closed_at)
       SELECT $1, w.number, w."opensAt", w."closesAt", 'closed', w."surveyId", w.invited,
              w."remindersSent", w."opensAt", w."closesAt"
         FROM jsonb_to_recordset($2::jsonb) AS w(number int, "opensAt" timestamptz,
              "closesAt" timestamptz, "surveyId" uuid, invited int, "remindersSent" int)
        ORDER BY w.number`,
      [campaignId, JSON.stringify(waves)],
    );
  }

  /** The wave, locked for this transaction (openers, reminders and closers queue behind it). */
  lockWave(id: string, manager: EntityManager): Promise<Wave | null> {
    return manager
      .getRepository(Wave)
      .createQueryBuilder('w')
      .setLock('pessimistic_write')
      .where('w.id = :id', { id })
      .getOne();
  }

  async updateWave(id: string, fields: Partial<Wave>, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(Wave).update({ id }, fields);
  }

  /** What the scheduler should hand to jobs at `now`. */
  async dueWork(now: Date): Promise<DueWork> {
    const rows: { id: string; work: keyof DueWork }[] = await this.dataSource.query(
      `SELECT w.id, 'open' AS work FROM wave w
        WHERE w.status = 'scheduled' AND w.opens_at <= $1
       UNION ALL
       SELECT w.id, 'close' FROM wave w
        WHERE w.status = 'open' AND w.closes_at <= $1
       UNION ALL
       SELECT w.id, 'remind' FROM wave w JOIN campaign c ON c.id = w.campaign_id
        WHERE w.status = 'open' AND w.closes_at > $1 AND c.status = 'active'
          AND w.reminders_sent < (SELECT count(*) FROM unnest(c.reminder_days) d
                                   WHERE w.opens_at + make_interval(days => d) <= $1)`,
      [now],
    );
    const due: DueWork = { open: [], remind: [], close: [] };
    for (const row of rows) due[row.work].push(row.id);
    return due;
  }
}
