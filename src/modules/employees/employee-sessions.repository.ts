import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JobsExecutor } from '../../jobs/jobs.service';

export interface EmployeeOfSession {
  sessionId: string;
  employeeId: string;
  email: string;
  name: string;
  locale: string;
  emailChangedAt: Date | null;
}

/** The employee sign-in's tables: mailed links (hashes only) and sessions. */
@Injectable()
export class EmployeeSessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs pg-boss's statements (JobsService.deleteJobs) on this data source. */
  jobsExecutor(): JobsExecutor {
    return {
      executeSql: async (text: string, values: unknown[]) => {
        const rows: unknown = await this.dataSource.query(text, values);
        return { rows: Array.isArray(rows) ? rows : [] };
      },
    };
  }

  async insertLink(tokenHash: Buffer, employeeId: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO employee_sign_in_link (token_hash, employee_id, expires_at) VALUES ($1, $2, $3)`,
      [tokenHash, employeeId, expiresAt],
    );
  }

  /** Whether a link is unused and unexpired at `now`, used, expired, or unknown. */
  async linkState(
    tokenHash: Buffer,
    now: Date,
  ): Promise<'usable' | 'used' | 'expired' | 'unknown'> {
    const rows: { used: boolean; expired: boolean }[] = await this.dataSource.query(
      `SELECT used_at IS NOT NULL AS used, expires_at <= $2 AS expired
         FROM employee_sign_in_link WHERE token_hash = $1`,
      [tokenHash, now],
    );
    if (rows.length === 0) return 'unknown';
    return rows[0].used ? 'used' : rows[0].expired ? 'expired' : 'usable';
  }

  /**
   * Uses a link once and, in the same transaction, opens session `sessionId` for its employee
   * (still active) until `expiresAt`. Undefined when the link was not usable (two clicks at
   * once: one wins) or its employee is no longer active.
   */
  async useLinkForSession(
    tokenHash: Buffer,
    now: Date,
    sessionId: string,
    expiresAt: Date,
  ): Promise<string | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const result: unknown = await manager.query(
        `UPDATE employee_sign_in_link l SET used_at = $2
           FROM employee e
          WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2
            AND e.id = l.employee_id AND e.active
          RETURNING l.employee_id`,
        [tokenHash, now],
      );
      // TypeORM answers an UPDATE … RETURNING with [rows, count]
      const used = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as {
        employee_id: string;
      }[];
      if (used.length !== 1) return undefined;
      await this.insertSessionWith(manager, sessionId, used[0].employee_id, expiresAt);
      return used[0].employee_id;
    });
  }

  async insertSession(sessionId: string, employeeId: string, expiresAt: Date): Promise<void> {
    await this.insertSessionWith(this.dataSource.manager, sessionId, employeeId, expiresAt);
  }

  private async insertSessionWith(
    manager: DataSource['manager'],
    sessionId: string,
    employeeId: string,
    expiresAt: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO employee_session (id, employee_id, expires_at) VALUES ($1, $2, $3)`,
      [sessionId, employeeId, expiresAt],
    );
  }

  /** The session's employee, while the session lives and the employee is active. */
  async employeeOf(sessionId: string, now: Date): Promise<EmployeeOfSession | undefined> {
    const rows: EmployeeOfSession[] = await this.dataSource.query(
      `SELECT s.id AS "sessionId", e.id AS "employeeId", e.email, e.name, e.locale,
              e.email_changed_at AS "emailChangedAt"
         FROM employee_session s JOIN employee e ON e.id = s.employee_id
        WHERE s.id = $1 AND s.expires_at > $2 AND e.active`,
      [sessionId, now],
    );
    return rows[0];
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM employee_session WHERE id = $1`, [sessionId]);
  }

  /** Drops links and sessions expired before `before`. */
  async purge(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM employee_sign_in_link WHERE expires_at < $1`, [
      before,
    ]);
    await this.dataSource.query(`DELETE FROM employee_session WHERE expires_at < $1`, [before]);
  }
}
