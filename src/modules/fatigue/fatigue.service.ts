import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { FatigueErrors } from './fatigue.errors';
import { FatigueRepository } from './fatigue.repository';

export const MAX_FATIGUE_DAYS = 365;

/**
 * The survey fatigue budget: at most one invitation per person per N days, across pulses and
 * ticket surveys (0 = off). How the code that invites people applies it:
 *
 * 1. inside its transaction, `const days = await fatigue.lockBudget(manager)` — this also
 *    serialises budgeted inserts, so two sendings at once cannot both let the same person in;
 * 2. in its `INSERT INTO invitation … SELECT`, the predicate `fatigueAllows('e.id', '$n')`
 *    (fatigue.sql.ts) with `days` as parameter $n;
 * 3. `fatigue.recordSkipped(manager, 'survey', surveyId, candidates − inserted)`.
 *
 * HR sees the setting and the counts at /admin/settings and GET /api/v1/settings/fatigue.
 */
@Injectable()
export class FatigueService {
  constructor(
    private readonly fatigue: FatigueRepository,
    private readonly audit: AuditService,
  ) {}

  /** The budget in days; 0 = no budget. */
  days(): Promise<number> {
    return this.fatigue.days();
  }

  async setDays(raw: unknown, actor: Principal | undefined, ip?: string): Promise<number> {
    const days = typeof raw === 'string' && /^\d{1,3}$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_FATIGUE_DAYS)
      throw FatigueErrors.invalidDays(raw);
    await this.fatigue.setDays(days);
    await this.audit.record({
      action: 'settings.fatigue_changed',
      actor,
      target: 'fatigue_days',
      ip,
      details: { days },
    });
    return days;
  }

  /** Takes the budget lock for the caller's transaction and returns the budget in days. */
  lockBudget(manager: EntityManager): Promise<number> {
    return this.fatigue.lock(manager);
  }

  /** Adds to what the budget kept out of one sending (`source` 'survey' for surveys and waves). */
  async recordSkipped(
    manager: EntityManager | undefined,
    source: string,
    sourceId: string,
    skipped: number,
  ): Promise<void> {
    if (skipped > 0) await this.fatigue.addSkipped(manager, source, sourceId, skipped);
  }

  /** The setting, the total skipped and the latest sources with their counts. */
  async summary(limit = 50) {
    const [days, skipped] = await Promise.all([this.fatigue.days(), this.fatigue.skipped(limit)]);
    return { days, skippedTotal: skipped.total, skipped: skipped.items };
  }

  skippedFor(source: string, sourceId: string): Promise<number> {
    return this.fatigue.skippedFor(source, sourceId);
  }
}
