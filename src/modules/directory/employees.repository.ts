import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EmployeeInput } from './employee-input';
import { Employee } from './entities/employee.entity';

@Injectable()
export class EmployeesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Employee);
  }

  insert(input: EmployeeInput): Promise<Employee> {
    return this.repo.save(this.repo.create(input));
  }

  async list(options: { limit: number; offset: number; department?: string }) {
    const [items, total] = await this.repo.findAndCount({
      where: options.department ? { department: options.department } : {},
      order: { email: 'ASC' },
      take: options.limit,
      skip: options.offset,
    });
    return { items, total };
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
  async upsertMany(rows: EmployeeInput[]): Promise<{ created: number; updated: number }> {
    const result: { created: string; updated: string }[] = await this.dataSource.query(
      `WITH upserted AS (
         INSERT INTO employee (email, name, department, location, hire_date, locale, external_id, active)
         SELECT r.email, r.name, r.department, r.location, r.hire_date, r.locale, r.external_id, r.active
           FROM jsonb_to_recordset($1::jsonb) AS r(
             email text, name text, department text, location text, hire_date date, locale text,
             external_id text, active boolean)
         ON CONFLICT (email) DO UPDATE SET
           name = EXCLUDED.name, department = EXCLUDED.department, location = EXCLUDED.location,
           hire_date = EXCLUDED.hire_date, locale = EXCLUDED.locale,
           external_id = COALESCE(EXCLUDED.external_id, employee.external_id),
           active = EXCLUDED.active, updated_at = now()
         RETURNING (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted) AS created, count(*) FILTER (WHERE NOT inserted) AS updated
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
          })),
        ),
      ],
    );
    return { created: Number(result[0].created), updated: Number(result[0].updated) };
  }

  /** The active employee with this e-mail, else the one with this external id. */
  async findActive(
    email: string | null,
    externalId: string | null,
  ): Promise<Pick<Employee, 'id' | 'email' | 'name' | 'locale'> | undefined> {
    if (email === null && externalId === null) return undefined;
    const rows: Pick<Employee, 'id' | 'email' | 'name' | 'locale'>[] = await this.dataSource.query(
      `SELECT id, email, name, locale FROM employee
        WHERE active AND (email = $1 OR external_id = $2)
        ORDER BY email = $1 DESC LIMIT 1`,
      [email, externalId],
    );
    return rows[0];
  }
}
