import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from './query-rows';

export interface FollowUpRow {
  id: string;
  teamName: string;
  /** For the "start an action" link of each follow-up. */
  teamSlug: string;
  employeeName: string;
  employeeEmail: string;
  message: string | null;
  requestedOn: string;
  doneOn: string | null;
}

/** A follow-up asked for before this instance recorded it (the demo's history). */
export interface PastFollowUp {
  team_id: string;
  employee_name: string;
  employee_email: string;
  message: string | null;
  requested_on: string;
}

/** "You may contact me": sealed until released, then listed for the team's leads. */
@Injectable()
export class FollowUpsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * "You may contact me": kept sealed (who asked is the invitation inside) until the follow-up
   * batch writes it, for an invitation whose answer is waiting or released. Written in the
   * caller's transaction, the one that stores the answer.
   */
  async insertPendingFollowUp(sealed: Buffer, manager: EntityManager): Promise<void> {
    await manager.query('INSERT INTO pending_follow_up (sealed) VALUES ($1)', [sealed]);
  }

  /**
   * The follow-up batch, in one transaction: `open` turns each sealed request into its
   * invitation and message; those of an answered ticket survey invitation become follow_up rows
   * (the person's name and e-mail, the team, the message, today's date — nothing of the answer,
   * the ticket or when it was given), in random order; all are deleted, then vacuumed away.
   */
  async releaseFollowUps(
    open: (sealed: Buffer) => { invitationId: string; message: string | null } | undefined,
  ): Promise<number> {
    const written = await this.dataSource.transaction(async (manager) => {
      const rows: { id: string; sealed: Buffer }[] = await manager.query(
        'SELECT id, sealed FROM pending_follow_up FOR UPDATE SKIP LOCKED',
      );
      if (rows.length === 0) return undefined;
      const requests = rows.flatMap((r) => {
        const request = open(r.sealed);
        return request ? [request] : [];
      });
      const inserted: unknown[] = await manager.query(
        `INSERT INTO follow_up (team_id, employee_name, employee_email, message, requested_on)
         SELECT s.team_id, e.name, e.email, r.message, current_date
           FROM jsonb_to_recordset($1::jsonb) AS r("invitationId" uuid, message text)
           JOIN invitation i ON i.id = r."invitationId"
           JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket'
           JOIN employee e ON e.id = i.employee_id
          ORDER BY random()
         RETURNING id`,
        [JSON.stringify(requests)],
      );
      await manager.query('DELETE FROM pending_follow_up WHERE id = ANY($1::uuid[])', [
        rows.map((r) => r.id),
      ]);
      return inserted.length;
    });
    if (written === undefined) return 0;
    await this.dataSource.query('VACUUM pending_follow_up');
    return written;
  }

  listFollowUps(teamIds: string[] | 'all', limit = 200): Promise<FollowUpRow[]> {
    return this.dataSource.query(
      `SELECT f.id, t.name AS "teamName", t.slug AS "teamSlug", f.employee_name AS "employeeName",
              f.employee_email AS "employeeEmail", f.message,
              to_char(f.requested_on, 'YYYY-MM-DD') AS "requestedOn",
              to_char(f.done_on, 'YYYY-MM-DD') AS "doneOn"
         FROM follow_up f JOIN service_team t ON t.id = f.team_id
        WHERE $1::uuid[] IS NULL OR f.team_id = ANY($1::uuid[])
        ORDER BY f.done_on IS NOT NULL, f.requested_on DESC, t.name LIMIT $2`,
      [teamIds === 'all' ? null : teamIds, limit],
    );
  }

  async markFollowUpDone(id: string, teamIds: string[] | 'all'): Promise<boolean> {
    const rows = await rowsOf(
      this.dataSource.manager,
      `UPDATE follow_up SET done_on = current_date
        WHERE id = $1 AND done_on IS NULL AND ($2::uuid[] IS NULL OR team_id = ANY($2::uuid[]))
        RETURNING id`,
      [id, teamIds === 'all' ? null : teamIds],
    );
    return rows.length === 1;
  }

  /** Past follow-ups, already released, in one set-based insert. */
  async insertPastFollowUps(followUps: PastFollowUp[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO follow_up (team_id, employee_name, employee_email, message, requested_on)
       SELECT team_id, employee_name, employee_email, message, requested_on
         FROM jsonb_to_recordset($1::jsonb) AS f(team_id uuid, employee_name text, employee_email text,
              message text, requested_on date)`,
      [JSON.stringify(followUps)],
    );
  }

  /** Follow-ups not marked done, per team (the weekly digest's "waiting" counts). */
  async openCountsByTeam(): Promise<Map<string, number>> {
    const rows: { team_id: string; n: number }[] = await this.dataSource.query(
      `SELECT team_id, count(*)::int AS n FROM follow_up WHERE done_on IS NULL GROUP BY team_id`,
    );
    return new Map(rows.map((r) => [r.team_id, r.n]));
  }
}
