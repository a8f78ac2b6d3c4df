import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditFilter {
  /** Part of the actor's e-mail or name, or of the token's name, or the actor's user id. */
  user?: string;
  /** Actions starting with this. */
  action?: string;
  /** From this day (UTC) on, inclusive, YYYY-MM-DD. */
  from?: string;
  /** Up to and including this day (UTC), YYYY-MM-DD. */
  to?: string;
  limit: number;
  offset: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `text` as a LIKE pattern that matches it anywhere, its own % and _ taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One entry; in `manager`'s transaction when given (the change it records commits with it). */
  async insert(event: Omit<AuditEvent, 'id' | 'at'>, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource).query(
      `INSERT INTO audit_event (actor_user_id, actor_token_id, action, target, ip, details)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [
        event.actorUserId,
        event.actorTokenId,
        event.action,
        event.target,
        event.ip,
        event.details ? JSON.stringify(event.details) : null,
      ],
    );
  }

  /**
   * Newest first, with the actor's e-mail, filtered by who (part of an e-mail or name, or a user
   * id), action (prefix) and days (UTC, both ends included).
   */
  list(
    filter: AuditFilter,
  ): Promise<(AuditEvent & { actorEmail: string | null; actorTokenName: string | null })[]> {
    const user = filter.user?.trim();
    return this.dataSource.query(
      `SELECT e.id, e.at, e.action, e.target, e.ip, e.details, e.actor_user_id AS "actorUserId",
              e.actor_token_id AS "actorTokenId", u.email AS "actorEmail", t.name AS "actorTokenName"
         FROM audit_event e
         LEFT JOIN app_user u ON u.id = e.actor_user_id
         LEFT JOIN api_token t ON t.id = e.actor_token_id
        WHERE ($1::text IS NULL OR u.email ILIKE $1 OR u.name ILIKE $1 OR t.name ILIKE $1
               OR e.actor_user_id = $2::uuid)
          AND ($3::text IS NULL OR e.action LIKE $3 || '%')
          AND ($4::date IS NULL OR e.at >= $4::date::timestamp AT TIME ZONE 'UTC')
          AND ($5::date IS NULL OR e.at < ($5::date + 1)::timestamp AT TIME ZONE 'UTC')
        ORDER BY e.at DESC, e.id LIMIT $6 OFFSET $7`,
      [
        user ? containing(user) : null,
        user && UUID.test(user) ? user : null,
        filter.action?.replace(/_/g, '\\_') ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.limit,
        filter.offset,
      ],
    );
  }

  async actions(): Promise<string[]> {
    const rows: { action: string }[] = await this.dataSource.query(
      'SELECT DISTINCT action FROM audit_event ORDER BY action',
    );
    return rows.map((r) => r.action);
  }

  /** `retention.purge`: at most `limit` events older than `days` days; how many went. */
  async purgeBatch(days: number, limit: number): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `WITH old AS (SELECT id FROM audit_event
                     WHERE at < now() - make_interval(days => $1) LIMIT $2),
       gone AS (DELETE FROM audit_event a USING old WHERE a.id = old.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
    return row.n;
  }
}
