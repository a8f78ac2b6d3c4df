import { Injectable } from '@nestjs/common';
import SCIMMY from 'scimmy';
import { hasControlCharacters } from '../../common/text';
import { AuditService } from '../audit/audit.service';
import { parseScimFilter } from './scim-filter';
import { attributeFilter, checkIfMatch, type ListQuery, objectBody, pageOf } from './scim-request';
import { LIST_RESPONSE } from './scim-schemas';
import {
  groupResource,
  patchFromProviderShapes,
  removeMembersByValue,
  unknownAttributes,
} from './scim-user-mapping';
import { type Caller, ScimUsersService, versionIn } from './scim-users.service';
import { ScimErrors } from './scim.errors';
import type { ScimGroup } from './entities/scim-group.entity';
import { type GroupMatch, ScimRepository } from './scim.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GROUP_FILTERS = {
  id: 'string',
  displayname: 'string',
  externalid: 'string',
  'members.value': 'string',
} as const;
/** Members one write may name; a provider sends large groups in several PATCHes. */
const MAX_MEMBERS = 10_000;

type Json = Record<string, unknown>;

/**
 * SCIM Groups: a name and members (employees), in SCIM's own tables — not service teams
 * (scim-group.entity.ts says why). Writes are audited.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly users: ScimUsersService,
    private readonly scim: ScimRepository,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListQuery) {
    const attributes = attributeFilter(query);
    const { startIndex, count } = pageOf(query);
    const anyOf =
      query.filter === undefined
        ? undefined
        : parseScimFilter(query.filter, GROUP_FILTERS).map((b): GroupMatch => ({
            ...(b.id !== undefined ? { id: String(b.id) } : {}),
            ...(b.displayname !== undefined ? { displayName: String(b.displayname) } : {}),
            ...(b.externalid !== undefined ? { externalId: String(b.externalid) } : {}),
            ...(b['members.value'] !== undefined ? { member: String(b['members.value']) } : {}),
          }));
    const page = await this.scim.findGroups(anyOf, startIndex - 1, count);
    const resources = await this.resources(page.items);
    return {
      schemas: [LIST_RESPONSE],
      totalResults: page.total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources.map((r) => this.project(r, attributes)),
    };
  }

  async get(id: string): Promise<Json> {
    const group = UUID.test(id) ? await this.scim.findGroup(id) : null;
    if (!group) throw ScimErrors.notFound('group', id);
    return (await this.resources([group]))[0];
  }

  async read(id: string, query: { attributes?: string; excludedAttributes?: string }) {
    return this.project(await this.get(id), attributeFilter(query));
  }

  async create(body: unknown, caller: Caller): Promise<Json> {
    const input = await this.input(body);
    const group = await uniqueName(() =>
      this.scim.transaction(async (manager) => {
        const created = await this.scim.insertGroup(manager, input);
        await this.scim.saveGroup(manager, created.id, input, input.members);
        return created;
      }),
    );
    await this.audited('scim.group_created', input.displayName, caller, input.members.length);
    return this.get(group.id);
  }

  async replace(id: string, body: unknown, ifMatch: string | undefined, caller: Caller) {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    const input = await this.input(body);
    await this.save(id, input, caller);
    return this.get(id);
  }

  /** PATCH with scimmy: Entra ID's `members` add/remove with values, Okta's path filters. */
  async patch(id: string, body: unknown, ifMatch: string | undefined, caller: Caller) {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    const message = removeMembersByValue(
      patchFromProviderShapes(objectBody(body)),
    ) as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0];
    const { meta: _meta, ...target } = current;
    void _meta;
    let patched: unknown;
    try {
      patched = await new SCIMMY.Messages.PatchOp(message).apply(
        new SCIMMY.Schemas.Group(target, 'out'),
      );
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
    if (!patched) return current;
    await this.save(id, await this.input(JSON.parse(JSON.stringify(patched))), caller);
    return this.get(id);
  }

  async remove(id: string, ifMatch: string | undefined, caller: Caller): Promise<void> {
    const current = await this.get(id);
    checkIfMatch(ifMatch, versionIn(current));
    await this.scim.transaction((manager) => this.scim.deleteGroup(manager, id));
    await this.audited('scim.group_deleted', String(current.displayName), caller);
  }

  private async save(id: string, input: GroupInput, caller: Caller) {
    await uniqueName(() =>
      this.scim.transaction((manager) => this.scim.saveGroup(manager, id, input, input.members)),
    );
    await this.audited('scim.group_updated', input.displayName, caller, input.members.length);
  }

  /** A body checked against the Group schema; members must be live users. */
  private async input(body: unknown): Promise<GroupInput> {
    const raw = objectBody(body);
    const unknown = unknownAttributes(raw, SCIMMY.Schemas.Group, []);
    if (unknown.length > 0)
      throw ScimErrors.invalidSyntax(
        `Unknown attribute${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => n.slice(0, 80)).join(', ')}.`,
      );
    let group: Json;
    try {
      group = JSON.parse(JSON.stringify(new SCIMMY.Schemas.Group(raw, 'in'))) as Json;
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
    const displayName = typeof group.displayName === 'string' ? group.displayName.trim() : '';
    if (displayName === '' || displayName.length > 200 || hasControlCharacters(displayName))
      throw ScimErrors.invalidValue('displayName must be 1–200 characters, no control characters.');
    const externalId = typeof group.externalId === 'string' ? group.externalId.trim() : null;
    if (externalId !== null && (externalId.length > 255 || hasControlCharacters(externalId)))
      throw ScimErrors.invalidValue('externalId must be at most 255 characters.');
    const members = [
      ...new Set(
        ((Array.isArray(group.members) ? group.members : []) as Json[]).map((m) =>
          String(m.value ?? ''),
        ),
      ),
    ];
    if (members.length > MAX_MEMBERS)
      throw ScimErrors.invalidValue(`A group holds at most ${MAX_MEMBERS} members.`);
    const live = await this.users.liveUserIds(members);
    const strangers = members.filter((m) => !live.has(m));
    if (strangers.length > 0)
      throw ScimErrors.invalidValue(
        `members ${strangers
          .slice(0, 5)
          .map((s) => `"${s.slice(0, 40)}"`)
          .join(', ')}${strangers.length > 5 ? ' …' : ''} are not ids of users.`,
      );
    return { displayName, externalId: externalId || null, members };
  }

  private async resources(groups: ScimGroup[]): Promise<Json[]> {
    const members = await this.scim.membersOf(groups.map((g) => g.id));
    return groups.map((g) =>
      groupResource(g, members.get(g.id) ?? [], g.updatedAt, this.users.base),
    );
  }

  private project(resource: Json, attributes: SCIMMY.Types.Filter | undefined): Json {
    if (!attributes) return resource;
    try {
      const projected = JSON.parse(
        JSON.stringify(
          new SCIMMY.Schemas.Group(resource, 'out', `${this.users.base}/Groups`, attributes),
        ),
      ) as Json;
      return { schemas: resource.schemas, id: resource.id, ...projected };
    } catch (exception) {
      throw ScimErrors.fromLibrary(exception) ?? exception;
    }
  }

  private audited(action: string, target: string, caller: Caller, members?: number) {
    return this.audit.record({
      action,
      actor: caller.actor,
      target,
      ip: caller.ip,
      ...(members === undefined ? {} : { details: { members } }),
    });
  }
}

interface GroupInput {
  displayName: string;
  externalId: string | null;
  members: string[];
}

async function uniqueName<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'uq_scim_group_display_name')
      throw ScimErrors.uniqueness('A group with this displayName exists.');
    if (code === '23505' && constraint === 'uq_scim_group_external_id')
      throw ScimErrors.uniqueness('Another group has this externalId.');
    throw error;
  }
}
