import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import type { TestApp } from '../setup/test-app';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const INPULSE = 'urn:ietf:params:scim:schemas:extension:inpulse:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A client of /scim/v2 holding a token with only the scim scope, as an identity provider. */
export async function scimClient(t: TestApp, scopes: string[] = ['scim']) {
  const { value } = await t
    .get(AccountsService)
    .createApiToken(undefined, { name: `idp-${scopes.join('-')}`, scopes });
  return (
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.request({
      method,
      url: `/scim/v2${path}`,
      headers: {
        authorization: `Bearer ${value}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
}

export type ScimClient = Awaited<ReturnType<typeof scimClient>>;

/** A SCIM error answer: status, content type and body shape. */
export function expectScimError(res: LightMyRequestResponse, status: number, scimType?: string) {
  expect(res.statusCode === status ? status : `${res.statusCode} ${res.body.slice(0, 300)}`).toBe(
    status,
  );
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = res.json();
  expect(body.schemas).toEqual([ERROR]);
  expect(body.status).toBe(String(status));
  expect(typeof body.detail).toBe('string');
  if (scimType !== undefined) expect(body.scimType).toBe(scimType);
  return body as { detail: string; scimType?: string };
}

/** Rows of the tables a SCIM write may touch, to check that a refusal wrote nothing. */
export async function rowCounts(t: TestApp) {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*) FROM employee)::int AS employees,
            (SELECT count(*) FROM scim_user)::int AS scim_users,
            (SELECT count(*) FROM scim_group)::int AS groups,
            (SELECT count(*) FROM scim_group_member)::int AS members,
            (SELECT coalesce(max(updated_at), 'epoch') FROM employee) AS employee_changed,
            (SELECT coalesce(max(updated_at), 'epoch') FROM scim_user) AS scim_changed`,
  );
  return row as Record<string, unknown>;
}

let counter = 0;
/** A fresh address for one test. */
export function freshEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${process.pid}.${Date.now() % 100000}@example.com`;
}

/** The status, showing the body when it is another (what went wrong). */
export function expectStatus(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode === status ? status : `${res.statusCode} ${res.body}`).toBe(status);
}
