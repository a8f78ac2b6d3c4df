import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TeamsService } from '../teams/teams.service';
import type { AudienceFilter } from './audience';
import type { Principal } from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { InvitationsService } from '../invitations/invitations.service';
import { MailService } from '../mail/mail.service';
import { DirectoryErrors } from './directory.errors';
import { CreateEmployeeDto } from './dto/create-employee.dto';
import { planSync, type SyncField, type SyncPlan } from './directory-sync';
import { type EmployeeRecord, parseEmployeeCsv, validateEmployeeRecords } from './employee-csv';
import { employeeProblems, EmployeeInput, normaliseEmail } from './employee-input';
import { type EmployeeQuery, EmployeesRepository } from './employees.repository';
import type { Employee } from './entities/employee.entity';

/**
 * The notice mailed to an employee's previous address when it changes (its builder is the
 * employee sign-in's: EmployeeSessionsService).
 */
export const ADDRESS_CHANGED_MAIL_KIND = 'employee-address-changed';

export type { EmployeeMatch, EmployeeQuery } from './employees.repository';

@Injectable()
export class DirectoryService {
  constructor(
    private readonly employees: EmployeesRepository,
    private readonly invitations: InvitationsService,
    private readonly audit: AuditService,
    private readonly teams: TeamsService,
    private readonly mail: MailService,
  ) {}

  /** Team slug → id, for the `team` of employees. */
  private async teamIds(): Promise<Map<string, string>> {
    return new Map((await this.teams.list()).map((t) => [t.slug, t.id]));
  }

  /**
   * Adds an employee, audited (who added whom): the release rule counts the people of the
   * directory, and the audit log is how someone who added people to narrow a release is seen.
   * `also` runs in the same transaction (SCIM keeps its own attributes of the person so).
   */
  async create(
    dto: CreateEmployeeDto,
    actor?: Principal,
    ip?: string,
    also?: (manager: EntityManager, employee: Employee) => Promise<void>,
  ) {
    const { input, teams } = await this.validInput(dto);
    let created: Employee;
    try {
      created = await this.employees.transaction(async (manager) => {
        const employee = await this.employees.insert(input, teams, manager);
        await also?.(manager, employee);
        return employee;
      });
    } catch (error) {
      throw conflictOf(error, input) ?? error;
    }
    await this.audit.record({ action: 'employee.created', actor, target: input.email, ip });
    return created;
  }

  /** A DTO's fields trimmed and checked (every problem at once), and the team slugs. */
  private async validInput(dto: CreateEmployeeDto) {
    const input: EmployeeInput = {
      email: normaliseEmail(dto.email),
      name: dto.name.trim(),
      department: dto.department?.trim() || null,
      location: dto.location?.trim() || null,
      hireDate: dto.hireDate?.trim() || null,
      locale: (dto.locale?.trim() || 'en').toLowerCase(),
      externalId: dto.externalId?.trim() || null,
      active: dto.active ?? true,
      timeZone: dto.timeZone?.trim() || null,
      teamSlug: dto.teamSlug?.trim() || null,
    };
    const reasons = employeeProblems(input);
    const teams = await this.teamIds();
    if (input.teamSlug !== null && !teams.has(input.teamSlug))
      reasons.push(`teamSlug "${input.teamSlug}" does not name a team`);
    if (reasons.length > 0) throw DirectoryErrors.invalidEmployee(reasons);
    return { input, teams };
  }

  /**
   * Replaces every field of an employee (SCIM's PUT and PATCH). A change of `active` goes the
   * way setActive's does: deactivating withdraws their open links in the same transaction.
   * Audited like the other writes: `employee.updated` with the fields that changed, and
   * `employee.activated` / `employee.deactivated` when that changed.
   */
  async replace(
    id: string,
    dto: CreateEmployeeDto,
    actor: Principal | undefined,
    ip?: string,
    also?: (manager: EntityManager, employee: Employee) => Promise<void>,
  ) {
    const { input, teams } = await this.validInput(dto);
    let outcome: { employee: Employee; changed: string[]; toggled: boolean; cancelled: number };
    try {
      outcome = await this.employees.transaction(async (manager) => {
        const { active, ...fields } = input;
        const updated = await this.employees.updateFields(manager, id, fields, teams);
        if (!updated) throw DirectoryErrors.employeeNotFound(id);
        const after = await this.applyActive(manager, id, active);
        if (updated.changed.includes('email'))
          await this.mail.queueMail(
            {
              kind: ADDRESS_CHANGED_MAIL_KIND,
              to: updated.previous.email,
              locale: updated.previous.locale ?? 'en',
              dedupeKey: `${ADDRESS_CHANGED_MAIL_KIND}:${randomUUID()}`,
              context: { name: updated.previous.name },
            },
            { manager },
          );
        await also?.(manager, after.employee);
        return {
          employee: after.employee,
          changed: updated.changed,
          toggled: updated.wasActive !== active,
          cancelled: after.cancelledInvitations,
        };
      });
    } catch (error) {
      throw conflictOf(error, input) ?? error;
    }
    if (outcome.changed.length > 0)
      await this.audit.record({
        action: 'employee.updated',
        actor,
        target: outcome.employee.email,
        ip,
        details: { fields: outcome.changed },
      });
    if (outcome.toggled)
      await this.audit.record({
        action: input.active ? 'employee.activated' : 'employee.deactivated',
        actor,
        target: outcome.employee.email,
        ip,
        details: { cancelledInvitations: outcome.cancelled },
      });
    return { employee: outcome.employee, cancelledInvitations: outcome.cancelled };
  }

  /** One employee, or undefined. */
  async findEmployee(id: string): Promise<Employee | undefined> {
    return (await this.employees.findById(id)) ?? undefined;
  }

  /** Employees by id (those that exist), in no particular order. */
  findEmployees(ids: string[]): Promise<Employee[]> {
    return this.employees.findByIds(ids);
  }

  /** The employee with this e-mail (any case), active or not. */
  async findByEmail(email: string): Promise<Employee | undefined> {
    return (await this.employees.findByEmail(normaliseEmail(email))) ?? undefined;
  }

  /**
   * A page of employees matching any of the branches (each a conjunction; none: everyone), in
   * the order they were added, leaving out `excludeIds`. For SCIM's filtered lists.
   */
  findMatching(query: EmployeeQuery) {
    return this.employees.findMatching(query);
  }

  /**
   * The active employee a ticket's requester is: by e-mail, else by external id (the id the
   * ticketing system gives them, when it shares no e-mail). Undefined when there is none.
   */
  findActiveEmployee(email: string | null, externalId: string | null) {
    return this.employees.findActive(email ? normaliseEmail(email) : null, externalId);
  }

  findActiveEmployees(wanted: { email: string | null; externalId: string | null }[]) {
    return this.employees.findActiveMany(
      wanted.map((w) => ({
        email: w.email ? normaliseEmail(w.email) : null,
        externalId: w.externalId,
      })),
    );
  }

  list(options: { limit?: number; offset?: number; department?: string; search?: string }) {
    return this.employees.list({
      limit: options.limit ?? 50,
      offset: options.offset ?? 0,
      department: options.department,
      search: options.search?.trim() || undefined,
    });
  }

  countAudience(filter: AudienceFilter): Promise<number> {
    return this.employees.countAudience(filter);
  }

  audienceTimeZones(filter: AudienceFilter): Promise<(string | null)[]> {
    return this.employees.audienceTimeZones(filter);
  }

  idsByEmail(emails: string[]) {
    return this.employees.idsByEmail(emails.map(normaliseEmail));
  }

  emailsByIds(ids: string[]): Promise<string[]> {
    return this.employees.emailsByIds(ids);
  }

  facets() {
    return this.employees.facets();
  }

  /**
   * Activates or deactivates an employee. Deactivating withdraws their open links in the same
   * transaction: unanswered invitations stop working (410) and their queued mails are cancelled.
   */
  async setActive(
    id: string,
    active: boolean,
    actor: Principal | undefined,
    ip?: string,
    also?: (manager: EntityManager) => Promise<void>,
  ) {
    const outcome = await this.employees.transaction(async (manager) => {
      const result = await this.applyActive(manager, id, active);
      await also?.(manager);
      return result;
    });
    await this.audit.record({
      action: active ? 'employee.activated' : 'employee.deactivated',
      actor,
      target: outcome.employee.email,
      ip,
      details: { cancelledInvitations: outcome.cancelledInvitations },
    });
    return { employee: outcome.employee, cancelledInvitations: outcome.cancelledInvitations };
  }

  /** Within a transaction: sets `active`; a deactivation withdraws the person's open links. */
  private async applyActive(manager: EntityManager, id: string, active: boolean) {
    const changed = await this.employees.setActive(manager, id, active);
    if (!changed) throw DirectoryErrors.employeeNotFound(id);
    const cancelledInvitations = changed.deactivated
      ? await this.invitations.cancelOpenLinksOf(manager, [id])
      : 0;
    return { ...changed, cancelledInvitations };
  }

  /**
   * Validates the whole file first; writes all rows in one statement, or nothing. Audited with
   * the addresses it added.
   */
  async importCsv(text: string, actor?: Principal, ip?: string) {
    const parsed = parseEmployeeCsv(text);
    const teams = await this.teamIds();
    for (const row of parsed.rows) {
      if (row.teamSlug !== null && !teams.has(row.teamSlug))
        parsed.errors.push({
          line: row.line,
          reason: `team "${row.teamSlug}" does not name a team`,
        });
    }
    parsed.errors.sort((a, b) => a.line - b.line);
    if (parsed.errors.length > 0) throw DirectoryErrors.csvRejected(parsed.errors);
    const clashes = await this.employees.externalIdClashes(parsed.rows);
    if (clashes.length > 0) {
      throw DirectoryErrors.csvRejected(
        clashes.map((c) => ({
          line: c.line,
          reason: `external_id ${c.externalId} belongs to another employee`,
        })),
      );
    }
    // Deactivated rows withdraw their people's open links, in the same transaction.
    const outcome = await this.employees.transaction(async (manager) => {
      const counts = await this.employees.upsertMany(manager, parsed.rows, teams);
      const cancelledInvitations = await this.invitations.cancelOpenLinksOf(
        manager,
        counts.deactivated,
      );
      return { ...counts, cancelledInvitations };
    });
    await this.audit.record({
      action: 'directory.imported',
      actor,
      target: `${parsed.rows.length} rows`,
      ip,
      details: {
        created: outcome.created,
        updated: outcome.updated,
        deactivated: outcome.deactivated.length,
        createdEmails: outcome.createdEmails,
      },
    });
    return {
      created: outcome.created,
      updated: outcome.updated,
      deactivated: outcome.deactivated.length,
      cancelledInvitations: outcome.cancelledInvitations,
      rows: parsed.rows.length,
    };
  }

  /**
   * What a sync of these records (a whole file, by directory column) would change: validated by
   * the CSV import's row rules, teams checked, external ids that belong to another person
   * rejected, then compared with the directory (planSync). Writes nothing.
   */
  async planSync(records: readonly EmployeeRecord[], mapped: ReadonlySet<SyncField>) {
    const checked = validateEmployeeRecords(records);
    const teams = await this.teamIds();
    const rejected = [...checked.errors];
    let rows = checked.rows.filter((row) => {
      if (row.teamSlug === null || teams.has(row.teamSlug)) return true;
      rejected.push({ line: row.line, reason: `team "${row.teamSlug}" does not name a team` });
      return false;
    });
    const clashes = await this.employees.externalIdClashes(rows);
    const clashing = new Set(clashes.map((c) => c.line));
    for (const c of clashes)
      rejected.push({
        line: c.line,
        reason: `external_id ${c.externalId} belongs to another employee`,
      });
    rows = rows.filter((r) => !clashing.has(r.line));
    rejected.sort((a, b) => a.line - b.line);
    const rejectedLines = new Set(rejected.map((r) => r.line));
    const rejectedEmails = new Set(
      records
        .filter((r) => rejectedLines.has(r.line))
        .map((r) => normaliseEmail(r.values.email ?? ''))
        .filter((e) => e !== ''),
    );
    const slugOf = new Map([...teams].map(([slug, id]) => [id, slug]));
    const current = (await this.employees.listForSync()).map(({ teamId, ...e }) => ({
      ...e,
      teamSlug: teamId ? (slugOf.get(teamId) ?? null) : null,
    }));
    return planSync({ current, rows, rejected, rejectedEmails, mapped });
  }

  /**
   * Applies a sync plan in one transaction: new and changed rows upserted as the CSV import does,
   * the people it deactivates switched off, and their open links withdrawn and queued mails
   * cancelled (the same rule as every deactivation). Audited.
   */
  async applySync(plan: SyncPlan, actor?: Principal, ip?: string) {
    const teams = await this.teamIds();
    const outcome = await this.employees.transaction(async (manager) => {
      const counts =
        plan.writes.length > 0
          ? await this.employees.upsertMany(manager, plan.writes, teams)
          : { created: 0, updated: 0, deactivated: [], createdEmails: [] };
      const missing = await this.employees.deactivateMany(
        manager,
        plan.deactivated.filter((d) => d.reason === 'missing').map((d) => d.id),
      );
      const deactivated = [...new Set([...counts.deactivated, ...missing])];
      const cancelledInvitations = await this.invitations.cancelOpenLinksOf(manager, deactivated);
      return { ...counts, deactivated, cancelledInvitations };
    });
    await this.audit.record({
      action: 'directory.synced',
      actor,
      target: 'HRIS file sync',
      ip,
      details: {
        created: outcome.created,
        updated: outcome.updated,
        deactivated: outcome.deactivated.length,
        cancelledInvitations: outcome.cancelledInvitations,
        createdEmails: outcome.createdEmails,
      },
    });
    return {
      created: outcome.created,
      updated: outcome.updated,
      deactivated: outcome.deactivated.length,
      cancelledInvitations: outcome.cancelledInvitations,
    };
  }
}

/** A unique index refusing the write, as the directory's own error; undefined for others. */
function conflictOf(error: unknown, input: EmployeeInput) {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'uq_employee_external_id')
    return DirectoryErrors.externalIdTaken(input.externalId ?? '');
  if (code === '23505' && constraint === 'uq_employee_email')
    return DirectoryErrors.emailTaken(input.email);
  return undefined;
}
