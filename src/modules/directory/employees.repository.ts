import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { type AudienceFilter, audiencePredicate } from './audience';
import type { SyncedEmployee } from './directory-sync';
import type { EmployeeInput } from './employee-input';
import { Employee } from './entities/employee.entity';

/** One branch of a filter: every given condition holds (ids: one of them). */
export interface EmployeeMatch {
  ids?: string[];
  /** Lower-cased. */
  email?: string;
  active?: boolean;
}

export interface EmployeeQuery {
  /** Branches of which one must hold; undefined: everyone. */
  anyOf?: EmployeeMatch[];
  excludeIds: string[];
  offset: number;
  limit: number;
}

@Injectable()
export class EmployeesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Employee);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insert(
    input: EmployeeInput,
    teams: Map<string, string>,
    manager?: EntityManager,
  ): Promise<Employee> {
    const { teamSlug, ...fields } = input;
    const repo = manager ? manager.getRepository(Employee) : this.repo;
    return repo.save(
      repo.create({ ...fields, teamId: teamSlug ? (teams.get(teamSlug) ?? null) : null }),
    );
  }

  /**
   * Writes every field but `active` (locked row); returns the names of the fields that changed
   * and whether the employee was active, or undefined when there is no such employee.
   */
  async updateFields(
    manager: EntityManager,
    id: string,
    input: Omit<EmployeeInput, 'active'>,
    teams: Map<string, string>,
  ): Promise<
    | {
        changed: string[];
        wasActive: boolean;
        previous: Pick<Employee, 'email' | 'name' | 'locale'>;
      }
    | undefined
  > {
    const repo = manager.getRepository(Employee);
    const before = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!before) return undefined;
    const { teamSlug, ...fields } = input;
    const after = { ...fields, teamId: teamSlug ? (teams.get(teamSlug) ?? null) : null };
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter(
      (key) => before[key] !== after[key],
    );
    // A new address starts the sign-in hold (docs/employees.md, "When an address changes").
    const stamp = changed.includes('email') ? { emailChangedAt: () => 'now()' } : {};
    if (changed.length > 0) await repo.update({ id }, { ...after, ...stamp });
    return {
      changed,
      wasActive: before.active,
      previous: { email: before.email, name: before.name, locale: before.locale },
    };
  }

  findByIds(ids: string[]): Promise<Employee[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.repo.findBy({ id: In(ids) });
  }

  findByEmail(email: string): Promise<Employee | null> {
    return this.repo.findOneBy({ email });
  }

  /** See DirectoryService.findMatching. */
  async findMatching(query: EmployeeQuery): Promise<{ items: Employee[]; total: number }> {
    const builder = this.repo.createQueryBuilder('e');
    if (query.excludeIds.length > 0)
      builder.andWhere('NOT (e.id = ANY(:excludeIds::uuid[]))', { excludeIds: query.excludeIds });
    if (query.anyOf !== undefined) {
      if (query.anyOf.length === 0) return { items: [], total: 0 };
      const params: Record<string, unknown> = {};
      const branches = query.anyOf.map((branch, i) => {
        const parts: string[] = ['true'];
        if (branch.ids !== undefined) {
          parts.push(`e.id = ANY(:ids${i}::uuid[])`);
          params[`ids${i}`] = branch.ids;
        }
        if (branch.email !== undefined) {
          parts.push(`e.email = :email${i}`);
          params[`email${i}`] = branch.email;
        }
        if (branch.active !== undefined) {
          parts.push(`e.active = :active${i}`);
          params[`active${i}`] = branch.active;
        }
        return `(${parts.join(' AND ')})`;
      });
      builder.andWhere(`(${branches.join(' OR ')})`, params);
    }
    const total = await builder.getCount();
    const items =
      query.limit === 0
        ? []
        : await builder
            .orderBy('e.created_at', 'ASC')
            .addOrderBy('e.id', 'ASC')
            .offset(query.offset)
            .limit(query.limit)
            .getMany();
    return { items, total };
  }

  async list(options: { limit: number; offset: number; department?: string; search?: string }) {
    const query = this.repo
      .createQueryBuilder('e')
      .orderBy('e.email', 'ASC')
      .take(options.limit)
      .skip(options.offset);
    if (options.department) query.andWhere('e.department = :department', options);
    if (options.search) {
      const pattern = `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(e.email ILIKE :pattern OR e.name ILIKE :pattern)', { pattern });
    }
    const [items, total] = await query.getManyAndCount();
    return { items, total };
  }

  /** How many active employees an audience holds right now. */
  async countAudience(filter: AudienceFilter): Promise<number> {
    const where = audiencePredicate(filter, 1);
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM employee e WHERE ${where.sql}`,
      where.values,
    );
    return row.n;
  }

  /** The time zones of an audience (null: the organisation's), a handful of rows. */
  async audienceTimeZones(filter: AudienceFilter): Promise<(string | null)[]> {
    const where = audiencePredicate(filter, 1);
    const rows: { tz: string | null }[] = await this.dataSource.query(
      `SELECT DISTINCT e.time_zone AS tz FROM employee e WHERE ${where.sql}`,
      where.values,
    );
    return rows.map((r) => r.tz);
  }

  /** Active employees with these e-mails (lower-cased), and the e-mails that match nobody. */
  async idsByEmail(emails: string[]): Promise<{ ids: Map<string, string>; unknown: string[] }> {
    const rows: { id: string; email: string }[] =
      emails.length === 0
        ? []
        : await this.dataSource.query('SELECT id, email FROM employee WHERE email = ANY($1)', [
            emails,
          ]);
    const ids = new Map(rows.map((r) => [r.email, r.id]));
    return { ids, unknown: emails.filter((e) => !ids.has(e)) };
  }

  async emailsByIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { email: string }[] = await this.dataSource.query(
      'SELECT email FROM employee WHERE id = ANY($1::uuid[]) ORDER BY email',
      [ids],
    );
    return rows.map((r) => r.email);
  }

  /** Departments and locations in use, for the audience form. */
  async facets(): Promise<{ departments: string[]; locations: string[] }> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce((SELECT array_agg(DISTINCT department ORDER BY department) FROM employee WHERE active AND department IS NOT NULL), '{}') AS departments,
              coalesce((SELECT array_agg(DISTINCT location ORDER BY location) FROM employee WHERE active AND location IS NOT NULL), '{}') AS locations`,
    );
    return row;
  }

  findById(id: string): Promise<Employee | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * Sets whether the employee is active. Returns the employee and whether this call turned an
   * active employee inactive; undefined when there is no such employee.
   */
  async setActive(
    manager: EntityManager,
    id: string,
    active: boolean,
  ): Promise<{ employee: Employee; deactivated: boolean } | undefined> {
    const before = await manager
      .getRepository(Employee)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!before) return undefined;
    if (before.active !== active) await manager.getRepository(Employee).update({ id }, { active });
    return {
      employee: (await manager.getRepository(Employee).findOneBy({ id })) as Employee,
      deactivated: before.active && !active,
    };
  }

  /** CSV lines whose external id already belongs to an employee with another e-mail. */
  async externalIdClashes(rows: { line: number; email: string; externalId: string | null }[]) {
    const withIds = rows.filter((r) => r.externalId !== null);
    if (withIds.length === 0) return [];
    const clashes: { line: number; externalId: string }[] = await this.dataSource.query(
      `SELECT r.line, r.external_id AS "externalId"
         FROM jsonb_to_recordset($1::jsonb) AS r(line int, email text, external_id text)
         JOIN employee e ON e.external_id = r.external_id AND e.email <> r.email
        ORDER BY r.line`,
      [
        JSON.stringify(
          withIds.map((r) => ({ line: r.line, email: r.email, external_id: r.externalId })),
        ),
      ],
    );
    return clashes;
  }

  /**
   * Inserts or updates every row by e-mail in one statement: either all rows are written or,
   * on any error, none.
   */
  async upsertMany(
    manager: EntityManager,
    rows: EmployeeInput[],
    teams: Map<string, string>,
  ): Promise<{ created: number; updated: number; deactivated: string[]; createdEmails: string[] }> {
    const result: {
      created: string;
      updated: string;
      deactivated: string[] | null;
      created_emails: string[] | null;
    }[] = await manager.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
             email text, name text, department text, location text, hire_date date, locale text,
             external_id text, active boolean, time_zone text, team_id uuid)),
       deactivated AS (
         SELECT e.id FROM employee e JOIN input r ON r.email = e.email WHERE e.active AND NOT r.active),
       upserted AS (
         INSERT INTO employee (email, name, department, location, hire_date, locale, external_id, active, time_zone, team_id)
         SELECT r.email, r.name, r.department, r.location, r.hire_date, r.locale, r.external_id, r.active,
                r.time_zone, r.team_id
           FROM input r
         ON CONFLICT (email) DO UPDATE SET
           name = EXCLUDED.name, department = EXCLUDED.department, location = EXCLUDED.location,
           hire_date = EXCLUDED.hire_date, locale = EXCLUDED.locale,
           external_id = COALESCE(EXCLUDED.external_id, employee.external_id),
           active = EXCLUDED.active, time_zone = EXCLUDED.time_zone, team_id = EXCLUDED.team_id,
           updated_at = now()
         RETURNING (xmax = 0) AS inserted, email)
       SELECT count(*) FILTER (WHERE inserted) AS created, count(*) FILTER (WHERE NOT inserted) AS updated,
              (SELECT array_agg(id) FROM deactivated) AS deactivated,
              array_agg(email ORDER BY email) FILTER (WHERE inserted) AS created_emails
         FROM upserted`,
      [
        JSON.stringify(
          rows.map((r) => ({
            email: r.email,
            name: r.name,
            department: r.department,
            location: r.location,
            hire_date: r.hireDate,
            locale: r.locale,
            external_id: r.externalId,
            active: r.active,
            time_zone: r.timeZone,
            team_id: r.teamSlug ? (teams.get(r.teamSlug) ?? null) : null,
          })),
        ),
      ],
    );
    return {
      created: Number(result[0].created),
      updated: Number(result[0].updated),
      deactivated: result[0].deactivated ?? [],
      createdEmails: result[0].created_emails ?? [],
    };
  }

  /** findActive for many at once, in the order given (undefined where nobody matches). */
  async findActiveMany(
    wanted: { email: string | null; externalId: string | null }[],
  ): Promise<(Pick<Employee, 'id' | 'email' | 'name' | 'locale'> | undefined)[]> {
    if (wanted.length === 0) return [];
    const rows: { n: number; id: string | null; email: string; name: string; locale: string }[] =
      await this.dataSource.query(
        `SELECT w.n, e.id, e.email, e.name, e.locale
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(email, external_id, n)
           LEFT JOIN LATERAL (
             SELECT id, email, name, locale FROM employee
              WHERE active AND (email = w.email OR external_id = w.external_id)
              ORDER BY email = w.email DESC LIMIT 1) e ON true
          ORDER BY w.n`,
        [wanted.map((w) => w.email), wanted.map((w) => w.externalId)],
      );
    return rows.map((r) =>
      r.id === null ? undefined : { id: r.id, email: r.email, name: r.name, locale: r.locale },
    );
  }

  /** The active employee with this e-mail, else the one with this external id. */
  async findActive(
    email: string | null,
    externalId: string | null,
  ): Promise<Pick<Employee, 'id' | 'email' | 'name' | 'locale' | 'emailChangedAt'> | undefined> {
    if (email === null && externalId === null) return undefined;
    const rows: Pick<Employee, 'id' | 'email' | 'name' | 'locale' | 'emailChangedAt'>[] =
      await this.dataSource.query(
        `SELECT id, email, name, locale, email_changed_at AS "emailChangedAt" FROM employee
        WHERE active AND (email = $1 OR external_id = $2)
        ORDER BY email = $1 DESC LIMIT 1`,
        [email, externalId],
      );
    return rows[0];
  }

  /** Every employee in the fields a sync compares (team as its id), for the HRIS sync's plan. */
  async listForSync(): Promise<(Omit<SyncedEmployee, 'teamSlug'> & { teamId: string | null })[]> {
    return this.dataSource.query(
      `SELECT id, email, name, department, location, hire_date::text AS "hireDate", locale,
              external_id AS "externalId", active, time_zone AS "timeZone", team_id AS "teamId"
         FROM employee ORDER BY email`,
    );
  }

  /** Deactivates these employees (those still active); returns the ids it turned inactive. */
  async deactivateMany(manager: EntityManager, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const result: unknown = await manager.query(
      `UPDATE employee SET active = false, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND active RETURNING id`,
      [ids],
    );
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }
}
