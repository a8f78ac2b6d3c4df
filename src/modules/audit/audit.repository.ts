import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditFilter {
  userId?: string;
  action?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(event: Omit<AuditEvent, 'id' | 'at'>): Promise<void> {
    await this.dataSource.query(
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

  /** Newest first, with the actor's e-mail, filtered by user and action (prefix). */
  list(
    filter: AuditFilter,
  ): Promise<(AuditEvent & { actorEmail: string | null; actorTokenName: string | null })[]> {
    return this.dataSource.query(
      `SELECT e.id, e.at, e.action, e.target, e.ip, e.details, e.actor_user_id AS "actorUserId",
              e.actor_token_id AS "actorTokenId", u.email AS "actorEmail", t.name AS "actorTokenName"
         FROM audit_event e
         LEFT JOIN app_user u ON u.id = e.actor_user_id
         LEFT JOIN api_token t ON t.id = e.actor_token_id
        WHERE ($1::uuid IS NULL OR e.actor_user_id = $1)
          AND ($2::text IS NULL OR e.action LIKE $2 || '%')
        ORDER BY e.at DESC, e.id LIMIT $3 OFFSET $4`,
      [filter.userId ?? null, filter.action ?? null, filter.limit, filter.offset],
    );
  }

  async actions(): Promise<string[]> {
    const rows: { action: string }[] = await this.dataSource.query(
      'SELECT DISTINCT action FROM audit_event ORDER BY action',
    );
    return rows.map((r) => r.action);
  }
}
