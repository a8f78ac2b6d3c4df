import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A mail that is done and unchanged for $1 days. */
const DONE_AND_OLD = `m.status IN ('sent', 'failed', 'dead', 'cancelled')
  AND m.updated_at < now() - make_interval(days => $1)`;

/** The survey of the mail's invitation has closed (the same moment for all its invitations). */
const SURVEY_CLOSED = `EXISTS (SELECT 1 FROM invitation i JOIN survey s ON s.id = i.survey_id
  WHERE i.id = m.invitation_id AND s.closes_at < now())`;

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
   * an invitation goes only once its survey (or wave) has closed: until then its mail row is what
   * stops the same mail being queued twice (uq_mail_message_invitation_sequence), and nothing
   * queues a mail once the survey has closed. The survey's close is the same for every invitation
   * of it, answered or not, withdrawn or not (a deactivation expires only the unanswered ones),
   * so when a person's mails go says nothing about their answer.
   *
   * Rows another transaction holds (HR re-queueing a failed mail) are skipped, and the DELETE
   * checks status and age again, so a mail changed meanwhile is never deleted.
   */
  async purgeMailBatch(days: number, limit: number): Promise<number> {
    return this.count(
      `WITH old AS (
         SELECT m.id FROM mail_message m
          WHERE ${DONE_AND_OLD}
            AND (m.invitation_id IS NULL OR ${SURVEY_CLOSED})
          LIMIT $2
          FOR UPDATE OF m SKIP LOCKED),
       gone AS (DELETE FROM mail_message m USING old
                 WHERE m.id = old.id AND ${DONE_AND_OLD}
                RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
  }

  /**
   * The demo's outbox (mails kept instead of sent, links included), by the same age; the copy of
   * an invitation's mail waits for its survey to close, like the mail row: it may be the only
   * copy of a link that still works.
   */
  async purgeOutboxBatch(days: number, limit: number): Promise<number> {
    return this.count(
      `WITH old AS (
         SELECT o.id FROM outbox_message o
          WHERE o.created_at < now() - make_interval(days => $1)
            AND (o.invitation_id IS NULL
                 OR EXISTS (SELECT 1 FROM invitation i JOIN survey s ON s.id = i.survey_id
                             WHERE i.id = o.invitation_id AND s.closes_at < now()))
          ORDER BY o.created_at
          LIMIT $2
          FOR UPDATE OF o SKIP LOCKED),
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
