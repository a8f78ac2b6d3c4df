import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The mail feature's part of `retention.purge` (docs/retention.md): one batch per call, each a
 * statement of its own (a short transaction, row locks on at most `limit` rows), answering how
 * many rows went.
 */
@Injectable()
export class MailRetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Mails that are done (sent, failed, dead, cancelled) and unchanged for `days` days. A mail of
   * an invitation goes only once its invitation has expired too: while it is open, its mail row
   * is what stops the same mail being queued twice (uq_mail_message_invitation_sequence), and
   * nothing queues a mail of an expired invitation. Whether the invitation was answered plays no
   * part, so when a person's mails go says nothing about their answer.
   */
  async purgeMailBatch(days: number, limit: number): Promise<number> {
    return this.count(
      `WITH old AS (
         SELECT m.id FROM mail_message m
          WHERE m.status IN ('sent', 'failed', 'dead', 'cancelled')
            AND m.updated_at < now() - make_interval(days => $1)
            AND (m.invitation_id IS NULL
                 OR EXISTS (SELECT 1 FROM invitation i
                             WHERE i.id = m.invitation_id AND i.expires_at < now()))
          LIMIT $2),
       gone AS (DELETE FROM mail_message m USING old WHERE m.id = old.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
  }

  /** The demo's outbox (mails kept instead of sent, links included), by the same age. */
  async purgeOutboxBatch(days: number, limit: number): Promise<number> {
    return this.count(
      `WITH old AS (SELECT id FROM outbox_message
                     WHERE created_at < now() - make_interval(days => $1) LIMIT $2),
       gone AS (DELETE FROM outbox_message o USING old WHERE o.id = old.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
  }

  private async count(sql: string, values: unknown[]): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(sql, values);
    return row.n;
  }
}
