import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { JobsExecutor } from '../../jobs/jobs.service';
import type { MailStatus } from './entities/mail-message.entity';

/** A mail this process has claimed (status `sending`) and must now send or give back. */
export interface ClaimedMail {
  id: string;
  kind: string;
  invitationId: string | null;
  sequence: number;
  toAddress: string;
  locale: string;
  template: string | null;
  context: Record<string, unknown> | null;
  /** Including this one. */
  attempts: number;
  queueId: string;
  batchNo: number;
}

/** One batch of freshly queued mails: what one `mail.send` job carries. */
export interface QueuedBatch {
  batchNo: number;
  /** The earliest due time in the batch. */
  dueAt: Date;
  mails: number;
}

export interface MailProblem {
  id: string;
  kind: string;
  status: 'failed' | 'dead';
  toAddress: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type InvitationScope = { surveyId: string } | { invitationIds: string[] };

const CLAIMED_COLUMNS = `m.id, m.kind, m.invitation_id AS "invitationId", m.sequence,
  m.to_address AS "toAddress", m.locale, m.template, m.context, m.attempts,
  m.queue_id AS "queueId", m.batch_no AS "batchNo"`;

const CLAIM_SET = `status = 'sending', attempts = m.attempts + 1, updated_at = now(),
  due_at = now() + make_interval(secs => $1::int)`;

@Injectable()
export class MailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Lets pg-boss write its jobs through this transaction (see JobsService.insert). */
  jobsExecutor(manager: EntityManager): JobsExecutor {
    return {
      executeSql: async (text: string, values: unknown[]) => {
        const rows: unknown = await manager.query(text, values);
        return { rows: Array.isArray(rows) ? rows : [] };
      },
    };
  }

  /**
   * One mail of `sequence` per invitation in scope that can still be answered, in one
   * INSERT … SELECT (nothing is loaded here): invitations answered, expired, cancelled, of an
   * inactive person, or already holding this mail are skipped; a reminder (sequence > 0) also
   * needs the invitation mail to have gone. Each mail is due at its invitation's `send_after`
   * (or now), and numbered into batches of `batchSize` in order of due time. Returns one row per
   * batch created — never one per mail.
   */
  async insertForInvitations(
    scope: InvitationScope,
    options: { sequence: number; kind: string; queueId: string; batchSize: number },
    manager?: EntityManager,
  ): Promise<QueuedBatch[]> {
    const bySurvey = 'surveyId' in scope;
    const rows: QueuedBatch[] = await (manager ?? this.dataSource).query(
      `WITH candidates AS (
         SELECT i.id AS invitation_id, e.email, e.locale,
                greatest(coalesce(i.send_after, now()), now()) AS due
           FROM invitation i
           JOIN employee e ON e.id = i.employee_id
           JOIN survey s ON s.id = i.survey_id
          WHERE ${bySurvey ? 'i.survey_id = $1::uuid' : 'i.id = ANY($1::uuid[])'}
            AND NOT i.answered AND i.cancelled_at IS NULL AND e.active
            AND i.expires_at > now() AND s.closes_at > now()
            AND ($2::int = 0 OR i.sent_at IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM mail_message x
                             WHERE x.invitation_id = i.id AND x.sequence = $2::int)),
       numbered AS (
         SELECT c.*, ((row_number() OVER (ORDER BY c.due, c.invitation_id)) - 1) / $5::int AS batch_no
           FROM candidates c),
       inserted AS (
         INSERT INTO mail_message (kind, invitation_id, sequence, to_address, locale, due_at, queue_id, batch_no)
         SELECT $3, n.invitation_id, $2::int, n.email, n.locale, n.due, $4::uuid, n.batch_no
           FROM numbered n
         ON CONFLICT (invitation_id, sequence) WHERE invitation_id IS NOT NULL DO NOTHING
         RETURNING batch_no, due_at)
       SELECT batch_no AS "batchNo", min(due_at) AS "dueAt", count(*)::int AS mails
         FROM inserted GROUP BY batch_no ORDER BY batch_no`,
      [
        bySurvey ? scope.surveyId : scope.invitationIds,
        options.sequence,
        options.kind,
        options.queueId,
        options.batchSize,
      ],
    );
    return rows;
  }

  /** A one-off mail; `created` is false when a mail with this dedupe key exists already. */
  async insertOne(
    mail: {
      kind: string;
      dedupeKey: string;
      toAddress: string;
      locale: string;
      template: string | null;
      context: Record<string, unknown>;
      dueAt: Date | null;
      queueId: string;
    },
    manager?: EntityManager,
  ): Promise<{ id: string; created: boolean }> {
    const rows: { id: string; created: boolean }[] = await (manager ?? this.dataSource).query(
      `WITH inserted AS (
         INSERT INTO mail_message (kind, dedupe_key, to_address, locale, template, context, due_at, queue_id)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, greatest(coalesce($7::timestamptz, now()), now()), $8)
         ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
         RETURNING id)
       SELECT id, true AS created FROM inserted
       UNION ALL
       SELECT id, false FROM mail_message WHERE dedupe_key = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [
        mail.kind,
        mail.dedupeKey,
        mail.toAddress,
        mail.locale,
        mail.template,
        JSON.stringify(mail.context),
        mail.dueAt,
        mail.queueId,
      ],
    );
    return rows[0];
  }

  /**
   * Claims the due mails of one batch: queued ones whose time has come, and ones left `sending`
   * whose lease ran out (their sender died). Each becomes `sending` for `leaseSeconds`, with one
   * more attempt; rows another claimer holds are skipped, so two senders never hold one mail.
   */
  async claimBatch(
    batch: { queueId: string; batchNo: number },
    limit: number,
    leaseSeconds: number,
  ): Promise<ClaimedMail[]> {
    return rowsOf<ClaimedMail>(
      await this.dataSource.query(
        `UPDATE mail_message m SET ${CLAIM_SET}
        WHERE m.id IN (
          SELECT id FROM mail_message
           WHERE queue_id = $2 AND batch_no = $3
             AND status IN ('queued', 'sending') AND due_at <= now()
           ORDER BY due_at, id LIMIT $4
           FOR UPDATE SKIP LOCKED)
       RETURNING ${CLAIMED_COLUMNS}`,
        [leaseSeconds, batch.queueId, batch.batchNo, limit],
      ),
    );
  }

  /** Claims due mails of any batch (the sweep: retries, expired leases, lost jobs). */
  async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedMail[]> {
    return rowsOf<ClaimedMail>(
      await this.dataSource.query(
        `UPDATE mail_message m SET ${CLAIM_SET}
        WHERE m.id IN (
          SELECT id FROM mail_message
           WHERE status IN ('queued', 'sending') AND due_at <= now()
           ORDER BY due_at LIMIT $2
           FOR UPDATE SKIP LOCKED)
       RETURNING ${CLAIMED_COLUMNS}`,
        [leaseSeconds, limit],
      ),
    );
  }

  /**
   * Marks a claimed mail sent, if this claim still holds it (same attempt). Returns whether it
   * did; run it in the transaction that records the rest (outbox row, invitation sent).
   */
  async markSent(manager: EntityManager, mail: { id: string; attempts: number }): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `UPDATE mail_message SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now()
        WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING id`,
      [mail.id, mail.attempts],
    );
    return rowCount(rows) === 1;
  }

  /**
   * Renews the lease of claimed mails this sender still holds (same attempt, still `sending`):
   * each is held for `leaseSeconds` more from now. Returns the ids it still holds; a mail missing
   * from the answer was taken by another sender after its lease ran out, and must not be sent.
   * The row lock makes it atomic with a concurrent claim: one of the two wins.
   */
  async renewLeases(
    mails: readonly { id: string; attempts: number }[],
    leaseSeconds: number,
  ): Promise<Set<string>> {
    if (mails.length === 0) return new Set();
    const rows = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE mail_message m SET due_at = now() + make_interval(secs => $3::int), updated_at = now()
           FROM unnest($1::uuid[], $2::int[]) AS held(id, attempts)
          WHERE m.id = held.id AND m.attempts = held.attempts AND m.status = 'sending'
         RETURNING m.id`,
        [mails.map((m) => m.id), mails.map((m) => m.attempts), leaseSeconds],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Gives back claimed mails this sender did not start (it is stopping): queued again, due now,
   * their attempt not counted. Returns the batches they belong to, for a job to take them.
   */
  async releaseUnstarted(
    mails: readonly { id: string; attempts: number }[],
  ): Promise<{ queueId: string; batchNo: number }[]> {
    if (mails.length === 0) return [];
    const rows = rowsOf<{ queueId: string; batchNo: number }>(
      await this.dataSource.query(
        `WITH released AS (
           UPDATE mail_message m SET status = 'queued', attempts = m.attempts - 1, due_at = now(),
                  updated_at = now()
             FROM unnest($1::uuid[], $2::int[]) AS held(id, attempts)
            WHERE m.id = held.id AND m.attempts = held.attempts AND m.status = 'sending'
           RETURNING m.queue_id, m.batch_no)
         SELECT DISTINCT queue_id AS "queueId", batch_no AS "batchNo" FROM released`,
        [mails.map((m) => m.id), mails.map((m) => m.attempts)],
      ),
    );
    return rows;
  }

  /** Gives a claimed mail back to the queue, to be tried again after `delaySeconds`. */
  async markRetry(
    mail: { id: string; attempts: number },
    delaySeconds: number,
    reason: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_message SET status = 'queued', last_error = $3, updated_at = now(),
              due_at = now() + make_interval(secs => $4::int)
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [mail.id, mail.attempts, reason, delaySeconds],
    );
  }

  async markFinal(
    mail: { id: string; attempts: number },
    status: Extract<MailStatus, 'failed' | 'dead' | 'cancelled'>,
    reason: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_message SET status = $3, last_error = $4, updated_at = now()
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [mail.id, mail.attempts, status, reason],
    );
  }

  /** When the next queued mail of this batch is due, if it is in the future. */
  async nextDue(batch: { queueId: string; batchNo: number }): Promise<Date | undefined> {
    const [row]: { due: Date | null }[] = await this.dataSource.query(
      `SELECT min(due_at) AS due FROM mail_message
        WHERE queue_id = $1 AND batch_no = $2 AND status = 'queued' AND due_at > now()`,
      [batch.queueId, batch.batchNo],
    );
    return row?.due ?? undefined;
  }

  /** Queued mails of these invitations will not go; returns how many were cancelled. */
  async cancelForInvitations(
    invitationIds: string[],
    reason: string,
    manager?: EntityManager,
  ): Promise<number> {
    if (invitationIds.length === 0) return 0;
    const rows: unknown = await (manager ?? this.dataSource).query(
      `UPDATE mail_message SET status = 'cancelled', last_error = $2, updated_at = now()
        WHERE invitation_id = ANY($1::uuid[]) AND status = 'queued'
       RETURNING id`,
      [invitationIds, reason],
    );
    return rowCount(rows);
  }

  /** How many mails are in each status (every status listed, zeros included). */
  async countByStatus(): Promise<Record<MailStatus, number>> {
    const rows: { status: MailStatus; n: number }[] = await this.dataSource.query(
      `SELECT s.status, count(m.id)::int AS n
         FROM unnest(ARRAY['queued', 'sending', 'sent', 'failed', 'dead', 'cancelled']) AS s(status)
         LEFT JOIN mail_message m ON m.status = s.status
        GROUP BY s.status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<MailStatus, number>;
  }

  /** Mails that will not go (failed permanently, or dead after their retries), newest first. */
  problems(filter: {
    status?: 'failed' | 'dead';
    limit: number;
    offset: number;
  }): Promise<MailProblem[]> {
    return this.dataSource.query(
      `SELECT id, kind, status, to_address AS "toAddress", attempts, last_error AS "lastError",
              created_at AS "createdAt", updated_at AS "updatedAt"
         FROM mail_message
        WHERE status IN ('failed', 'dead') AND ($1::text IS NULL OR status = $1)
        ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3`,
      [filter.status ?? null, filter.limit, filter.offset],
    );
  }

  /**
   * Puts a failed or dead mail back in the queue with fresh attempts, due now, in a batch of its
   * own. Returns the batch, or why not: no such mail, or it is not failed or dead.
   */
  async requeue(
    id: string,
    queueId: string,
  ): Promise<
    | { batch: { queueId: string; batchNo: number } }
    | { problem: 'not_found' | 'not_failed'; status?: MailStatus }
  > {
    const rows: { status: MailStatus; requeued: boolean }[] = await this.dataSource.query(
      `WITH requeued AS (
         UPDATE mail_message SET status = 'queued', attempts = 0, due_at = now(), updated_at = now(),
                queue_id = $2, batch_no = 0
          WHERE id = $1 AND status IN ('failed', 'dead')
         RETURNING id)
       SELECT m.status, EXISTS (SELECT 1 FROM requeued) AS requeued
         FROM mail_message m WHERE m.id = $1`,
      [id, queueId],
    );
    if (rows.length === 0) return { problem: 'not_found' };
    if (!rows[0].requeued) return { problem: 'not_failed', status: rows[0].status };
    return { batch: { queueId, batchNo: 0 } };
  }
}

/**
 * The rows a statement returned. TypeORM's pg driver answers an UPDATE or DELETE with
 * [rows, count] and anything else with the rows.
 */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]))
    return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

function rowCount(result: unknown): number {
  return rowsOf(result).length;
}
