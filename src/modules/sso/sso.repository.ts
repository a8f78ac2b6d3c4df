import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role } from '../../common/access/roles';
import { SsoRule } from './entities/sso-rule.entity';

export interface TakenState {
  codeVerifier: string;
  nonce: string;
  nextPath: string;
  expired: boolean;
}

export interface SsoSettingRow {
  ssoOnly: boolean;
  breakGlassUserId: string | null;
}

@Injectable()
export class SsoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // Mapping rules

  listRules(): Promise<SsoRule[]> {
    return this.dataSource
      .getRepository(SsoRule)
      .find({ order: { groupName: 'ASC', role: 'ASC', createdAt: 'ASC' } });
  }

  async insertRule(rule: { groupName: string; role: Role; teamId: string | null }) {
    const repo = this.dataSource.getRepository(SsoRule);
    return repo.save(repo.create(rule));
  }

  async ruleExists(rule: { groupName: string; role: Role; teamId: string | null }) {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM sso_rule WHERE group_name = $1 AND role = $2
          AND team_id IS NOT DISTINCT FROM $3`,
      [rule.groupName, rule.role, rule.teamId],
    );
    return rows.length > 0;
  }

  /** The deleted rule, or undefined when there was none. */
  async deleteRule(id: string): Promise<SsoRule | undefined> {
    // A DELETE … RETURNING answers [rows, count] through TypeORM.
    const [rows] = (await this.dataSource.query(
      `DELETE FROM sso_rule WHERE id = $1
       RETURNING id, group_name AS "groupName", role, team_id AS "teamId"`,
      [id],
    )) as [SsoRule[], number];
    return rows[0];
  }

  // The SSO-only switch

  async setting(): Promise<SsoSettingRow> {
    const rows: SsoSettingRow[] = await this.dataSource.query(
      `SELECT sso_only AS "ssoOnly", break_glass_user_id AS "breakGlassUserId"
         FROM sso_setting WHERE id = 1`,
    );
    return rows[0] ?? { ssoOnly: false, breakGlassUserId: null };
  }

  async saveSetting(setting: SsoSettingRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sso_setting (id, sso_only, break_glass_user_id, updated_at)
       VALUES (1, $1, $2, now())
       ON CONFLICT (id) DO UPDATE
         SET sso_only = EXCLUDED.sso_only, break_glass_user_id = EXCLUDED.break_glass_user_id,
             updated_at = now()`,
      [setting.ssoOnly, setting.breakGlassUserId],
    );
  }

  // Sign-ins in progress

  async insertState(
    stateHash: Buffer,
    state: { codeVerifier: string; nonce: string; nextPath: string },
    minutes: number,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sso_login_state (state_hash, code_verifier, nonce, next_path, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
      [stateHash, state.codeVerifier, state.nonce, state.nextPath, minutes],
    );
  }

  /** Takes (deletes) the sign-in behind a state: a second take of the same state finds nothing. */
  async takeState(stateHash: Buffer): Promise<TakenState | undefined> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM sso_login_state WHERE state_hash = $1
       RETURNING code_verifier AS "codeVerifier", nonce, next_path AS "nextPath",
                 expires_at <= now() AS expired`,
      [stateHash],
    )) as [TakenState[], number];
    return rows[0];
  }

  async purgeStates(): Promise<void> {
    await this.dataSource.query('DELETE FROM sso_login_state WHERE expires_at < now()');
  }

  // Sessions opened through the provider

  async insertSession(sessionHash: Buffer, idToken: string): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO sso_session (session_hash, id_token) VALUES ($1, $2)',
      [sessionHash, idToken],
    );
  }

  async idTokenOf(sessionHash: Buffer): Promise<string | undefined> {
    const rows: { id_token: string }[] = await this.dataSource.query(
      'SELECT id_token FROM sso_session WHERE session_hash = $1',
      [sessionHash],
    );
    return rows[0]?.id_token;
  }

  // Who each account is at the provider

  /** The account bound to this person of the provider, if any. */
  async userBoundTo(issuer: string, subject: string): Promise<string | undefined> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      'SELECT user_id FROM sso_identity WHERE issuer = $1 AND subject = $2',
      [issuer, subject],
    );
    return rows[0]?.user_id;
  }

  /** The `sub` this account is bound to at this issuer, if any. */
  async subjectOf(issuer: string, userId: string): Promise<string | undefined> {
    const rows: { subject: string }[] = await this.dataSource.query(
      'SELECT subject FROM sso_identity WHERE issuer = $1 AND user_id = $2',
      [issuer, userId],
    );
    return rows[0]?.subject;
  }

  /**
   * Binds the account to this person of the provider unless it is bound already, and returns the
   * `sub` it is bound to afterwards: another one means two people raced for one unbound account.
   */
  async bind(issuer: string, subject: string, userId: string): Promise<string | undefined> {
    await this.dataSource.query(
      `INSERT INTO sso_identity (issuer, subject, user_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [issuer, subject, userId],
    );
    return this.subjectOf(issuer, userId);
  }
}
