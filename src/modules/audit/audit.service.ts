import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/access.decorator';
import { AuditRepository, type AuditFilter } from './audit.repository';

export interface AuditEntry {
  action: string;
  actor?: Principal;
  target?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The entry each `retention.purge` run leaves, with its counts (docs/retention.md). */
export const RETENTION_PURGED_ACTION = 'retention.purged';

/** The audit log: who did what to inpulse. Never anything about survey answers. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  /**
   * Records `entry`; with `manager`, inside that transaction, so a change and its entry commit
   * (or roll back) together.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.audit.insert(
      {
        action: entry.action,
        actorUserId: entry.actor?.kind === 'user' ? entry.actor.id : null,
        actorTokenId: entry.actor?.kind === 'token' ? entry.actor.id : null,
        target: entry.target?.slice(0, 400) ?? null,
        ip: entry.ip?.slice(0, 64) ?? null,
        details: entry.details ?? null,
      },
      manager,
    );
  }

  list(filter: AuditFilter) {
    return this.audit.list(filter);
  }

  actions() {
    return this.audit.actions();
  }

  /** The last `retention.purge` run: when, and how many rows it deleted in all. */
  async lastPurge(): Promise<{ at: Date; deleted: number } | undefined> {
    const [run] = await this.audit.list({ action: RETENTION_PURGED_ACTION, limit: 1, offset: 0 });
    if (!run) return undefined;
    const counts = (run.details?.deleted ?? {}) as Record<string, number>;
    return { at: run.at, deleted: Object.values(counts).reduce((sum, n) => sum + n, 0) };
  }

  /** Job `retention.purge`: one batch of events older than `days` days; how many went. */
  purgeOlderThan(days: number, limit: number): Promise<number> {
    return this.audit.purgeBatch(days, limit);
  }
}
