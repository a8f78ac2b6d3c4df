import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JobsExecutor } from '../../jobs/jobs.service';
import { ReadDatabase } from '../../database/read-database';
import { SERVICES_SQL } from './services.sql';
import type {
  ContactChannel,
  HoursException,
  OpeningInterval,
  TeamPurpose,
} from '../teams/entities/service-team.entity';

/** A team as the directory shows it: its place in the tree and its published profile. */
export interface DirectoryTeamRow {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  purpose: Record<string, TeamPurpose>;
  profileLocale: string;
  timeZone: string;
  openingHours: OpeningInterval[];
  hoursExceptions: HoursException[];
  contactChannels: ContactChannel[];
  firstResponseTargetMinutes: number | null;
  resolutionTargetMinutes: number | null;
}

@Injectable()
export class ServicesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly read: ReadDatabase,
  ) {}

  /**
   * Every team with its profile, siblings by name: the whole directory in one statement. From
   * the replica while it keeps up (ReadDatabase); passes and sessions below stay on the primary.
   */
  directoryTeams(): Promise<DirectoryTeamRow[]> {
    return this.read.prepared<DirectoryTeamRow>(
      'services_directoryTeams',
      SERVICES_SQL.directoryTeams,
      [],
    );
  }

  /** Runs pg-boss's statements (JobsService.deleteJobs) on this data source. */
  jobsExecutor(): JobsExecutor {
    return {
      executeSql: async (text: string, values: unknown[]) => {
        const rows: unknown = await this.dataSource.query(text, values);
        return { rows: Array.isArray(rows) ? rows : [] };
      },
    };
  }

  /** Stores a new pass (its hash only). */
  async insertPass(tokenHash: Buffer, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO services_reader_pass (token_hash, expires_at) VALUES ($1, $2)`,
      [tokenHash, expiresAt],
    );
  }

  /** Whether a pass is unused and unexpired at `now`, used, expired, or unknown. */
  async passState(
    tokenHash: Buffer,
    now: Date,
  ): Promise<'usable' | 'used' | 'expired' | 'unknown'> {
    const rows: { used: boolean; expired: boolean }[] = await this.dataSource.query(
      `SELECT used_at IS NOT NULL AS used, expires_at <= $2 AS expired
         FROM services_reader_pass WHERE token_hash = $1`,
      [tokenHash, now],
    );
    if (rows.length === 0) return 'unknown';
    return rows[0].used ? 'used' : rows[0].expired ? 'expired' : 'usable';
  }

  /**
   * Uses a link once and, in the same transaction, gives a browser pass (`sessionId`) lasting
   * until `passExpiresAt`. False when the link was not usable (two clicks at once: one wins).
   */
  async usePassForSession(
    tokenHash: Buffer,
    now: Date,
    sessionId: string,
    passExpiresAt: Date,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [{ n }]: { n: number }[] = await manager.query(
        `WITH used AS (
           UPDATE services_reader_pass SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            RETURNING 1)
         SELECT count(*)::int AS n FROM used`,
        [tokenHash, now],
      );
      if (n !== 1) return false;
      await manager.query(`INSERT INTO services_reader_session (id, expires_at) VALUES ($1, $2)`, [
        sessionId,
        passExpiresAt,
      ]);
      return true;
    });
  }

  /** Whether a browser pass exists (not revoked) and has not expired at `now`. */
  async sessionValid(id: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM services_reader_session WHERE id = $1 AND expires_at > $2`,
      [id, now],
    );
    return rows.length === 1;
  }

  /** Ends every browser pass at once; returns how many were still valid at `now`. */
  async revokeSessions(now: Date): Promise<number> {
    // One statement: counts the passes still valid among those it deletes.
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM services_reader_session RETURNING expires_at)
       SELECT count(*) FILTER (WHERE expires_at > $1)::int AS n FROM gone`,
      [now],
    );
    return n;
  }

  /** Drops links and browser passes expired before `before`. */
  async purgePasses(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM services_reader_pass WHERE expires_at < $1`, [before]);
    await this.dataSource.query(`DELETE FROM services_reader_session WHERE expires_at < $1`, [
      before,
    ]);
  }
}
