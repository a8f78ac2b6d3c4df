import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role, Scope } from '../../common/access/roles';
import { preparedQuery } from '../../database/prepared-query';
import { AccountToken } from './entities/account-token.entity';
import { ApiToken } from './entities/api-token.entity';
import { AppUser } from './entities/app-user.entity';

export interface SessionRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  csrf_token: string;
  locale: string | null;
  time_zone: string | null;
  touch: boolean;
}

export interface UserWithTeams extends AppUser {
  teamIds: string[];
}

@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get users() {
    return this.dataSource.getRepository(AppUser);
  }

  countUsers(): Promise<number> {
    return this.users.count();
  }

  findUserById(id: string): Promise<AppUser | null> {
    return this.users.findOneBy({ id });
  }

  findUserByEmail(email: string): Promise<AppUser | null> {
    return this.users.findOneBy({ email });
  }

  findUser(id: string): Promise<AppUser | null> {
    return this.users.findOneBy({ id });
  }

  /** Creates the user and sets its teams in one transaction. */
  async insertUser(
    user: Pick<AppUser, 'email' | 'name' | 'role' | 'passwordHash'>,
    teamIds: string[],
  ): Promise<AppUser> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(manager.create(AppUser, { ...user, disabled: false }));
      if (teamIds.length > 0) {
        await manager.query(
          'INSERT INTO user_team (user_id, team_id) SELECT $1, unnest($2::uuid[])',
          [saved.id, teamIds],
        );
      }
      return saved;
    });
  }

  /** Changes role, disabled flag and teams together; a disabled user loses every session. */
  async updateUser(
    id: string,
    change: { role: Role; disabled: boolean; teamIds: string[] },
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('UPDATE app_user SET role = $2, disabled = $3 WHERE id = $1', [
        id,
        change.role,
        change.disabled,
      ]);
      await manager.query('DELETE FROM user_team WHERE user_id = $1', [id]);
      if (change.teamIds.length > 0) {
        await manager.query(
          'INSERT INTO user_team (user_id, team_id) SELECT $1, unnest($2::uuid[])',
          [id, change.teamIds],
        );
      }
      if (change.disabled) await manager.query('DELETE FROM user_session WHERE user_id = $1', [id]);
    });
  }

  async setLanguage(userId: string, locale: string | null): Promise<void> {
    await this.dataSource.query('UPDATE app_user SET locale = $2 WHERE id = $1', [userId, locale]);
  }

  async setPassword(userId: string, passwordHash: string, keepSessionHash?: Buffer): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('UPDATE app_user SET password_hash = $2 WHERE id = $1', [
        userId,
        passwordHash,
      ]);
      // Other sessions of this person end: whoever knew the old password is signed out.
      await manager.query(
        'DELETE FROM user_session WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2',
        [userId, keepSessionHash ?? null],
      );
    });
  }

  listUsersWithTeams(): Promise<UserWithTeams[]> {
    return this.dataSource.query(`
      SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at AS "createdAt",
             u.locale, u.time_zone AS "timeZone",
             u.password_hash IS NOT NULL AS "hasPassword",
             coalesce(array_agg(ut.team_id) FILTER (WHERE ut.team_id IS NOT NULL), '{}') AS "teamIds"
        FROM app_user u LEFT JOIN user_team ut ON ut.user_id = u.id
       GROUP BY u.id ORDER BY u.disabled, u.email`);
  }

  /** The teams this user was given (without the teams below them). */
  async directTeamIds(userId: string): Promise<string[]> {
    const rows: { team_id: string }[] = await this.dataSource.query(
      'SELECT team_id FROM user_team WHERE user_id = $1',
      [userId],
    );
    return rows.map((r) => r.team_id);
  }

  /** The teams this user was given, with every team below them. */
  async visibleTeamIds(userId: string): Promise<string[]> {
    const rows = await preparedQuery<{ id: string }>(
      this.dataSource,
      'accounts_visible_teams',
      `WITH RECURSIVE visible AS (
         SELECT team_id AS id FROM user_team WHERE user_id = $1
         UNION
         SELECT t.id FROM service_team t JOIN visible v ON t.parent_id = v.id)
       SELECT id FROM visible`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  // Sessions

  async insertSession(
    idHash: Buffer,
    userId: string,
    csrfToken: string,
    absoluteHours: number,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
      [idHash, userId, csrfToken, absoluteHours],
    );
  }

  /** The live session behind a cookie, if it is neither idle too long nor past its end. */
  async findLiveSession(idHash: Buffer, idleMinutes: number): Promise<SessionRow | undefined> {
    const rows = await preparedQuery<SessionRow>(
      this.dataSource,
      'accounts_find_session',
      `SELECT u.id AS user_id, u.email, u.name, u.role, u.locale, u.time_zone, s.csrf_token,
              s.last_seen_at < now() - interval '1 minute' AS touch
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND NOT u.disabled AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(mins => $2)`,
      [idHash, idleMinutes],
    );
    return rows[0];
  }

  async touchSession(idHash: Buffer): Promise<void> {
    await this.dataSource.query('UPDATE user_session SET last_seen_at = now() WHERE id_hash = $1', [
      idHash,
    ]);
  }

  async deleteSession(idHash: Buffer): Promise<void> {
    await this.dataSource.query('DELETE FROM user_session WHERE id_hash = $1', [idHash]);
  }

  async purgeSessions(idleMinutes: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM user_session WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => $1)`,
      [idleMinutes],
    );
  }

  // Account tokens (set-password links)

  async insertAccountToken(
    userId: string,
    kind: 'invite' | 'reset',
    tokenHash: Buffer,
    days: number,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO account_token (token_hash, kind, user_id, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
      [tokenHash, kind, userId, days],
    );
  }

  findUsableAccountToken(tokenHash: Buffer): Promise<AccountToken | null> {
    return this.dataSource
      .getRepository(AccountToken)
      .createQueryBuilder('t')
      .where('t.token_hash = :tokenHash AND t.used_at IS NULL AND t.expires_at > now()', {
        tokenHash,
      })
      .getOne();
  }

  /** Marks the link used; false when another request used it first. */
  async useAccountToken(id: string): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      'UPDATE account_token SET used_at = now() WHERE id = $1 AND used_at IS NULL',
      [id],
    )) as [unknown, number];
    return affected === 1;
  }

  // API tokens

  async insertApiToken(
    token: Pick<ApiToken, 'name' | 'tokenHash' | 'prefix' | 'scopes' | 'createdBy'>,
  ): Promise<ApiToken> {
    const repo = this.dataSource.getRepository(ApiToken);
    return repo.save(repo.create(token));
  }

  listApiTokens(): Promise<ApiToken[]> {
    return this.dataSource
      .getRepository(ApiToken)
      .find({ order: { revokedAt: 'DESC', createdAt: 'DESC' } });
  }

  async revokeApiToken(id: string): Promise<ApiToken | undefined> {
    const rows: ApiToken[] = await this.dataSource.query(
      `WITH revoked AS (UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING *)
       SELECT id, name FROM revoked`,
      [id],
    );
    return rows[0];
  }

  /** The live token behind a secret, recording that it was used (at most once a minute). */
  async useApiToken(
    tokenHash: Buffer,
  ): Promise<{ id: string; name: string; scopes: Scope[] } | undefined> {
    const rows = await preparedQuery<{ id: string; name: string; scopes: Scope[]; stale: boolean }>(
      this.dataSource,
      'accounts_find_api_token',
      `SELECT id, name, scopes, last_used_at IS NULL OR last_used_at < now() - interval '1 minute' AS stale
         FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`,
      [tokenHash],
    );
    const row = rows[0];
    if (row?.stale)
      await this.dataSource.query('UPDATE api_token SET last_used_at = now() WHERE id = $1', [
        row.id,
      ]);
    return row;
  }
}
