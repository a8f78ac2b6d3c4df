import { Inject, Injectable } from '@nestjs/common';
import SCIMMY from 'scimmy';
import type { Principal } from '../../common/access/access.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { DirectoryService, type EmployeeMatch } from '../directory/directory.service';
import { TeamsService } from '../teams/teams.service';
import { parseScimFilter } from './scim-filter';
import { attributeFilter, checkIfMatch, type ListQuery, objectBody, pageOf } from './scim-request';
import { declareScimSchemas, ENTERPRISE_USER, INPULSE_USER, LIST_RESPONSE } from './scim-schemas';
import {
  addMissingWorkAddress,
  fromProviderShapes,
  type EmployeeFields,
  NO_EXTRAS,
  patchFromProviderShapes,
  unknownAttributes,
  userResource,
  userWriteOf,
  type UserWrite,
} from './scim-user-mapping';
import { ScimErrors } from './scim.errors';
import { ScimRepository } from './scim.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a user filter may name (lower-cased paths; see parseScimFilter). */
const USER_FILTERS = {
  username: 'string',
  'emails.value': 'string',
  externalid: 'string',
  id: 'string',
  active: 'boolean',
} as const;

type Json = Record<string, unknown>;

export interface Caller {
  actor: Principal | undefined;
  ip?: string;
}

/**
 * SCIM Users are the directory's employees (docs/scim.md has the mapping). Every write goes
 * through DirectoryService — its checks, its audit entries, and its deactivation, which
 * withdraws open links and queued mails — with SCIM's own part of the person written in the
 * same transaction.
 */
@Injectable()
export class ScimUsersService {
  readonly base: string;

  constructor(
    private readonly directory: DirectoryService,
    private readonly teams: TeamsService,
    private readonly scim: ScimRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    declareScimSchemas(config.baseUrl);
    this.base = `${config.baseUrl.replace(/\/$/, '')}/scim/v2`;
  }

  async list(query: ListQuery) {
    const attributes = attributeFilter(query);
    const { startIndex, count } = pageOf(query);
    const anyOf =
      query.filter === undefined
        ? undefined
        : await this.employeeBranches(parseScimFilter(query.filter, USER_FILTERS));
    const page = await this.directory.findMatching({
      anyOf,
      excludeIds: await this.scim.deletedIds(),
      offset: startIndex - 1,
      limit: count,
    });
    const resources = await this.resources(page.items);
    return {
      schemas: [LIST_RESPONSE],
      totalResults: page.total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources.map((r) => this.project(r, attributes)),
    };
  }

  /** The user as SCIM shows it (whole, for ETags and PATCH); 404 when there is none. */
  async get(id: string): Promise<Json> {
    const employee = UUID.test(id) ? await this.directory.findEmployee(id) : undefined;
    const extras = employee ? (await this.scim.extrasOf([id])).get(id) : undefined;
    if (!employee || extras?.deletedAt) throw ScimErrors.notFound('user', id);
    return (await this.resources([employee]))[0];
  }

  async read(id: string, query: { attributes?: string; excludedAttributes?: string }) {
    const attributes = attributeFilter(query);
    return this.project(await this.get(id), attributes);
  }

  /**
   * POST: a new employee; 409 uniqueness when the e-mail (userName) is taken. An employee a
   * SCIM DELETE removed comes back with the new attributes (a provider re-assigning a person).
   */
  async create(body: unknown, caller: Caller): Promise<Json> {
    const write = userWriteOf(this.coerce(body));
    await this.checkManager(write.extras.managerId, undefined);
    const existing = await this.directory.findByEmail(write.employee.email);
    if (existing) {
      const extras = (await this.scim.extrasOf([existing.id])).get(existing.id);
      if (!extras?.deletedAt)
        throw ScimErrors.uniqueness(`A user with userName ${write.employee.email} exists.`);
      await this.replaceEmployee(existing.id, write, caller);
      return this.get(existing.id);
    }
    const created = await translated(() =>
      this.directory.create(write.employee, caller.actor, caller.ip, (manager, employee) =>
        this.scim.saveExtras(manager, employee.id, write.extras),
      ),
    );
    return this.get(created.id);
  }

  /** PUT: every attribute replaced (those left out are cleared). */
  async replace(id: string, body: unknown, ifMatch: string | undefined, caller: Caller) {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    const write = userWriteOf(this.coerce(body), current.active === true);
    await this.checkManager(write.extras.managerId, id);
    await this.replaceEmployee(id, write, caller);
    return this.get(id);
  }

  /**
   * PATCH (RFC 7644 §3.5.2): scimmy applies the operations — with or without path, any case of
   * op, Entra ID's string booleans made booleans first — to the user as shown, and the result
   * is written as a PUT would.
   */
  async patch(id: string, body: unknown, ifMatch: string | undefined, caller: Caller) {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    const message = addMissingWorkAddress(
      patchFromProviderShapes(objectBody(body)),
      current,
    ) as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0];
    const { meta: _meta, ...target } = current;
    void _meta;
    let patched: unknown;
    try {
      patched = await new SCIMMY.Messages.PatchOp(message).apply(
        new SCIMMY.Schemas.User(target, 'out'),
      );
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
    if (!patched) return current;
    const write = userWriteOf(
      this.coerce(JSON.parse(JSON.stringify(patched))),
      current.active === true,
    );
    await this.checkManager(write.extras.managerId, id);
    await this.replaceEmployee(id, write, caller);
    return this.get(id);
  }

  /**
   * DELETE: the employee is deactivated as the directory deactivates (open links withdrawn,
   * queued mails cancelled) and is gone for SCIM; the row stays, as invitations refer to it.
   */
  async remove(id: string, ifMatch: string | undefined, caller: Caller): Promise<void> {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    await this.directory.setActive(id, false, caller.actor, caller.ip, (manager) =>
      this.scim.markDeleted(manager, id),
    );
    await this.audit.record({
      action: 'scim.user_deleted',
      actor: caller.actor,
      target: String(current.userName),
      ip: caller.ip,
    });
  }

  /** The ids of live users among these (for group members). */
  async liveUserIds(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => UUID.test(id));
    const [employees, extras] = await Promise.all([
      this.directory.findEmployees(valid),
      this.scim.extrasOf(valid),
    ]);
    return new Set(employees.filter((e) => !extras.get(e.id)?.deletedAt).map((e) => e.id));
  }

  /**
   * The directory's replace, with SCIM's part in the same transaction. The directory audits its
   * fields; what only SCIM keeps (externalId, name parts, manager) is audited here.
   */
  private async replaceEmployee(id: string, write: UserWrite, caller: Caller) {
    const before = (await this.scim.extrasOf([id])).get(id);
    const result = await translated(() =>
      this.directory.replace(id, write.employee, caller.actor, caller.ip, (manager) =>
        this.scim.saveExtras(manager, id, write.extras),
      ),
    );
    const fields = (['externalId', 'givenName', 'familyName', 'managerId'] as const).filter(
      (field) => (before?.[field] ?? null) !== write.extras[field],
    );
    if (fields.length > 0)
      await this.audit.record({
        action: 'scim.user_updated',
        actor: caller.actor,
        target: result.employee.email,
        ip: caller.ip,
        details: { fields },
      });
    return result;
  }

  /** A body checked against the User schema by scimmy (unknown attributes refused first). */
  private coerce(body: unknown): Json {
    const raw = fromProviderShapes(objectBody(body)) as Json;
    const unknown = unknownAttributes(raw, SCIMMY.Schemas.User, [ENTERPRISE_USER, INPULSE_USER]);
    if (unknown.length > 0)
      throw ScimErrors.invalidSyntax(
        `Unknown attribute${unknown.length > 1 ? 's' : ''}: ${unknown
          .map((name) => name.slice(0, 80))
          .join(', ')}. See /scim/v2/Schemas for the attributes inpulse reads.`,
      );
    try {
      return JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(raw, 'in'))) as Json;
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
  }

  private async checkManager(managerId: string | null, self: string | undefined) {
    if (managerId === null) return;
    if (managerId === self) throw ScimErrors.invalidValue('A user cannot be their own manager.');
    if (!(await this.liveUserIds([managerId])).has(managerId))
      throw ScimErrors.invalidValue(
        `manager.value "${managerId.slice(0, 100)}" is not the id of a user.`,
      );
  }

  /** Filter branches on SCIM's own attributes resolved to employee ids. */
  private async employeeBranches(
    branches: Record<string, string | boolean>[],
  ): Promise<EmployeeMatch[]> {
    const matches: EmployeeMatch[] = [];
    for (const branch of branches) {
      const emails = [branch.username, branch['emails.value']]
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.trim().toLowerCase());
      if (new Set(emails).size > 1) continue;
      let ids: string[] | undefined;
      if (typeof branch.id === 'string') ids = UUID.test(branch.id) ? [branch.id] : [];
      if (typeof branch.externalid === 'string') {
        const byExternal = await this.scim.idsByExternalId(branch.externalid);
        ids = ids === undefined ? byExternal : ids.filter((id) => byExternal.includes(id));
      }
      if (ids !== undefined && ids.length === 0) continue;
      matches.push({
        ...(ids !== undefined ? { ids } : {}),
        ...(emails.length > 0 ? { email: emails[0] } : {}),
        ...(typeof branch.active === 'boolean' ? { active: branch.active } : {}),
      });
    }
    return matches;
  }

  private async resources(employees: EmployeeFields[]): Promise<Json[]> {
    const [extras, teams] = await Promise.all([
      this.scim.extrasOf(employees.map((e) => e.id)),
      this.teams.list(),
    ]);
    const slugs = new Map(teams.map((t) => [t.id, t.slug]));
    return employees.map((employee) =>
      userResource(
        employee,
        extras.get(employee.id) ?? NO_EXTRAS,
        employee.teamId ? (slugs.get(employee.teamId) ?? null) : null,
        this.base,
      ),
    );
  }

  /** The resource with only the attributes asked for (id and schemas always). */
  private project(resource: Json, attributes: SCIMMY.Types.Filter | undefined): Json {
    if (!attributes) return resource;
    try {
      const projected = JSON.parse(
        JSON.stringify(new SCIMMY.Schemas.User(resource, 'out', `${this.base}/Users`, attributes)),
      ) as Json;
      return { schemas: resource.schemas, id: resource.id, ...projected };
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
  }
}

export function versionIn(resource: Json): string {
  return String((resource.meta as { version?: unknown } | undefined)?.version ?? '');
}

/** The directory's refusals in SCIM's terms (a taken e-mail is a uniqueness conflict…). */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      if (error.code === 'employee.invalid') throw ScimErrors.invalidValue(error.message);
      if (error.code === 'employee.email_taken' || error.code === 'employee.external_id_taken')
        throw ScimErrors.uniqueness(
          error.code === 'employee.external_id_taken'
            ? error.message.replace('external id', 'employeeNumber')
            : error.message,
        );
      throw error;
    }
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'uq_scim_user_external_id')
      throw ScimErrors.uniqueness('Another user has this externalId.');
    throw error;
  }
}
