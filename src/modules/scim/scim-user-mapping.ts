import { createHash } from 'node:crypto';
import SCIMMY from 'scimmy';
import { hasControlCharacters } from '../../common/text';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, INPULSE_USER } from './scim-schemas';
import { ScimErrors } from './scim.errors';

/** The directory's fields of one employee, as SCIM reads them. */
export interface EmployeeFields {
  id: string;
  email: string;
  name: string;
  department: string | null;
  location: string | null;
  hireDate: string | null;
  locale: string;
  externalId: string | null;
  active: boolean;
  timeZone: string | null;
  teamId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What SCIM keeps beside the directory (scim_user). */
export interface ScimExtras {
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  managerId: string | null;
  updatedAt?: Date;
}

export const NO_EXTRAS: ScimExtras = {
  externalId: null,
  givenName: null,
  familyName: null,
  managerId: null,
};

/** An employee as the directory's create and replace take it, and SCIM's own part. */
export interface UserWrite {
  employee: {
    email: string;
    name: string;
    department?: string;
    location?: string;
    hireDate?: string;
    locale?: string;
    externalId?: string;
    timeZone?: string;
    teamSlug?: string;
    active: boolean;
  };
  extras: ScimExtras;
}

type Json = Record<string, unknown>;

/** The weak ETag of a resource: a digest of everything it says but its meta. */
export function versionOf(resource: Json): string {
  const digest = createHash('sha256').update(JSON.stringify(resource)).digest('hex');
  return `W/"${digest.slice(0, 20)}"`;
}

/** An employee as a SCIM User (RFC 7643 §4.1 with the enterprise and inpulse extensions). */
export function userResource(
  employee: EmployeeFields,
  extras: ScimExtras,
  teamSlug: string | null,
  base: string,
): Json {
  const enterprise = compact({
    employeeNumber: employee.externalId,
    department: employee.department,
    manager: extras.managerId
      ? { value: extras.managerId, $ref: `${base}/Users/${extras.managerId}` }
      : null,
  });
  const inpulse = compact({ startDate: employee.hireDate, team: teamSlug });
  const resource: Json = {
    schemas: [
      CORE_USER,
      ...(enterprise ? [ENTERPRISE_USER] : []),
      ...(inpulse ? [INPULSE_USER] : []),
    ],
    id: employee.id,
    ...(extras.externalId ? { externalId: extras.externalId } : {}),
    userName: employee.email,
    // The directory's one name is displayName; name.formatted is left out so that a PATCH of
    // displayName alone is not undone by a stale formatted name.
    ...(extras.givenName || extras.familyName
      ? { name: compact({ givenName: extras.givenName, familyName: extras.familyName }) }
      : {}),
    displayName: employee.name,
    emails: [{ value: employee.email, type: 'work', primary: true }],
    ...(employee.location
      ? { addresses: [{ type: 'work', locality: employee.location, primary: true }] }
      : {}),
    locale: localeTag(employee.locale),
    ...(employee.timeZone ? { timezone: employee.timeZone } : {}),
    active: employee.active,
    ...(enterprise ? { [ENTERPRISE_USER]: enterprise } : {}),
    ...(inpulse ? { [INPULSE_USER]: inpulse } : {}),
  };
  const lastModified =
    extras.updatedAt && extras.updatedAt > employee.updatedAt
      ? extras.updatedAt
      : employee.updatedAt;
  return {
    ...resource,
    meta: {
      resourceType: 'User',
      created: employee.createdAt.toISOString(),
      lastModified: lastModified.toISOString(),
      location: `${base}/Users/${employee.id}`,
      version: versionOf(resource),
    },
  };
}

/** A group as a SCIM Group (RFC 7643 §4.2). */
export function groupResource(
  group: { id: string; displayName: string; externalId: string | null; createdAt: Date },
  members: string[],
  lastModified: Date,
  base: string,
): Json {
  const resource: Json = {
    schemas: [CORE_GROUP],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    members: [...members]
      .sort()
      .map((id) => ({ value: id, $ref: `${base}/Users/${id}`, type: 'User' })),
  };
  return {
    ...resource,
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: lastModified.toISOString(),
      location: `${base}/Groups/${group.id}`,
      version: versionOf(resource),
    },
  };
}

/**
 * Identity providers' shapes that SCIM's types refuse, made what the schema wants: Entra ID
 * sends booleans as strings ("True", "False") for `active` and `primary`, and a manager as the
 * bare id string instead of `{ "value": id }`. Anything else is left alone.
 */
export function fromProviderShapes(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /^(active|primary)$/i.test(key) && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  if (typeof value === 'string' && /^manager$/i.test(key)) return { value };
  if (Array.isArray(value)) return value.map((item) => fromProviderShapes(item, key));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromProviderShapes(v, k)]));
}

/** The same for each operation of a PatchOp, keyed by the last part of its path. */
export function patchFromProviderShapes(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const message = body as { Operations?: unknown };
  if (!Array.isArray(message.Operations)) return body;
  return {
    ...message,
    Operations: message.Operations.map((operation: unknown) => {
      if (typeof operation !== 'object' || operation === null) return operation;
      const { path, value } = operation as { path?: unknown; value?: unknown };
      const leaf = typeof path === 'string' ? (path.split(/[.:]/).pop() ?? '') : '';
      return { ...operation, value: fromProviderShapes(value, leaf) };
    }),
  };
}

/**
 * Top-level attributes no schema of the resource defines: refused (400) rather than dropped, so
 * that a mapping mistake in the identity provider shows at once instead of losing data quietly.
 */
export function unknownAttributes(
  body: Json,
  schema: typeof SCIMMY.Types.Schema,
  extensions: string[],
): string[] {
  const known = new Set(
    [
      ...schema.definition.attributes.map((a) => ('name' in a ? String(a.name) : '')),
      ...extensions,
    ].map((name) => name.toLowerCase()),
  );
  return Object.keys(body).filter((key) => !known.has(key.toLowerCase()));
}

/** A coerced SCIM user (scimmy's, as plain JSON) as the directory's fields and SCIM's own. */
/**
 * The employee a SCIM user writes. `active` left out keeps `currentActive` (a PUT or PATCH of a
 * deactivated person without `active` does not bring them back); a new user is active.
 */
export function userWriteOf(user: Json, currentActive = true): UserWrite {
  const name = (user.name ?? {}) as Json;
  const enterprise = (user[ENTERPRISE_USER] ?? {}) as Json;
  const inpulse = (user[INPULSE_USER] ?? {}) as Json;
  const email = text(user.userName) ?? '';
  const givenName = text(name.givenName);
  const familyName = text(name.familyName);
  const fullName =
    text(user.displayName) ??
    text(name.formatted) ??
    (([givenName, familyName].filter(Boolean).join(' ') || undefined) as string | undefined) ??
    email;
  const addresses = (Array.isArray(user.addresses) ? user.addresses : []) as Json[];
  const address =
    addresses.find((a) => a.type === 'work') ??
    addresses.find((a) => a.primary === true) ??
    addresses[0];
  const startDate = text(inpulse.startDate);
  const manager = (enterprise.manager ?? {}) as Json;
  const extras: ScimExtras = {
    externalId: text(user.externalId) ?? null,
    givenName: givenName ?? null,
    familyName: familyName ?? null,
    managerId: text(manager.value) ?? null,
  };
  const problems = [
    checkText('externalId', extras.externalId, 255),
    checkText('name.givenName', extras.givenName, 100),
    checkText('name.familyName', extras.familyName, 100),
  ].filter(Boolean);
  if (problems.length > 0) throw ScimErrors.invalidValue(problems.join('; '));
  return {
    employee: {
      email,
      name: fullName,
      department: text(enterprise.department),
      location: address ? text(address.locality) : undefined,
      // A date-time keeps its date: tenure counts days.
      hireDate:
        startDate && /^\d{4}-\d{2}-\d{2}T/.test(startDate) ? startDate.slice(0, 10) : startDate,
      locale: text(user.locale) ?? firstLanguage(text(user.preferredLanguage)),
      externalId: text(enterprise.employeeNumber),
      timeZone: text(user.timezone),
      teamSlug: text(inpulse.team),
      active: user.active === undefined ? currentActive : user.active === true,
    },
    extras,
  };
}

/**
 * The directory keeps tags lower-cased (`es-es`); SCIM shows them as providers send them
 * (`es-ES`), so that a provider comparing its value with ours sees no change to push again.
 */
export function localeTag(stored: string): string {
  return stored
    .split('-')
    .map((part, i) => (i > 0 && part.length === 2 ? part.toUpperCase() : part))
    .join('-');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `preferredLanguage` is an Accept-Language value ("es-ES, en;q=0.8"): its first tag. */
function firstLanguage(value: string | undefined): string | undefined {
  return value?.split(/[,;]/)[0]?.trim() || undefined;
}

function checkText(field: string, value: string | null, max: number): string | undefined {
  if (value === null) return undefined;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  if (hasControlCharacters(value)) return `${field} contains control characters`;
  return undefined;
}

/** The object without its null fields; undefined when none is left. */
function compact(object: Json): Json | undefined {
  const kept = Object.entries(object).filter(([, v]) => v !== null && v !== undefined);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * Entra ID sets the city of a user with no address yet as
 * `add addresses[type eq "work"].locality`, a filter that matches nothing (scimmy: noTarget).
 * Such an operation becomes the add of a work address holding that one sub-attribute.
 */
export function addMissingWorkAddress(message: unknown, current: Json): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const { Operations } = message as { Operations?: unknown };
  if (!Array.isArray(Operations)) return message;
  const hasWork = () =>
    Array.isArray(current.addresses) &&
    (current.addresses as Json[]).some((a) => String(a.type).toLowerCase() === 'work');
  let added = false;
  return {
    ...message,
    Operations: Operations.map((operation: unknown) => {
      const { op, path, value } = (operation ?? {}) as Json;
      const match =
        typeof path === 'string' &&
        /^(add|replace)$/i.test(String(op)) &&
        /^addresses\[type eq "work"\]\.(\w+)$/i.exec(path);
      if (!match || hasWork() || added) return operation;
      added = true;
      return { op: 'add', path: 'addresses', value: [{ type: 'work', [match[1]]: value }] };
    }),
  };
}

/**
 * Entra ID removes members as `remove members` with a value listing them (`$ref: null` and
 * all), which does not equal the members as stored: rewritten as Okta's and RFC 7644's form,
 * one `remove members[value eq "id"]` per member named.
 */
export function removeMembersByValue(message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return message;
  const { Operations } = message as { Operations?: unknown };
  if (!Array.isArray(Operations)) return message;
  return {
    ...message,
    Operations: Operations.flatMap((operation: unknown) => {
      const { op, path, value } = (operation ?? {}) as Json;
      if (
        !/^remove$/i.test(String(op)) ||
        typeof path !== 'string' ||
        path.toLowerCase() !== 'members' ||
        !Array.isArray(value)
      )
        return [operation];
      const ids = (value as Json[]).map((member) => member?.value);
      if (!ids.every((id) => typeof id === 'string' && /^[\w.@-]{1,100}$/.test(id)))
        return [operation];
      return ids.map((id) => ({ op: 'remove', path: `members[value eq "${id as string}"]` }));
    }),
  };
}
