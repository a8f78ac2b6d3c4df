import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { startTestApp, type TestApp } from '../setup/test-app';
import {
  ENTERPRISE,
  expectScimError,
  expectStatus,
  freshEmail,
  GROUP,
  INPULSE,
  PATCH_OP,
  rowCounts,
  scimClient,
  type ScimClient,
  USER,
} from './scim-helpers';

const SQL = `'; DROP TABLE employee; --`;
const HTML = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/**
 * What an identity provider gone wrong, or someone holding the wrong token, may send: each gets
 * a SCIM error (application/scim+json, the Error schema, status and scimType) and nothing is
 * written (rows counted before and after).
 */
describe('SCIM refusals', () => {
  let t: TestApp;
  let scim: ScimClient;
  beforeAll(async () => {
    t = await startTestApp();
    scim = await scimClient(t);
  });
  afterAll(() => t.close());

  /** The request is refused with this status (and scimType), and no row changed. */
  async function refusedUnchanged(
    send: () => Promise<Awaited<ReturnType<ScimClient>>>,
    status: number,
    scimType?: string,
  ) {
    const before = await rowCounts(t);
    const res = await send();
    const body = expectScimError(res, status, scimType);
    expect(await rowCounts(t)).toEqual(before);
    return body;
  }

  it('401 without a token or with an unknown one; 403 without the scim scope', async () => {
    const noToken = await t.request({ method: 'GET', url: '/scim/v2/Users' });
    expectScimError(noToken, 401);
    const unknown = await t.request({
      method: 'GET',
      url: '/scim/v2/Users',
      headers: { authorization: 'Bearer inp_not-a-real-token' },
    });
    expectScimError(unknown, 401);
    const directoryToken = await scimClient(t, ['directory:write', 'directory:read']);
    expectScimError(await directoryToken('GET', '/Users'), 403);
    await refusedUnchanged(
      () => directoryToken('POST', '/Users', { schemas: [USER], userName: freshEmail() }),
      403,
    );
  });

  it('the scim scope opens only /scim: the directory API answers 403 to it', async () => {
    const { value } = await t
      .get(AccountsService)
      .createApiToken(undefined, { name: 'idp-only', scopes: ['scim'] });
    const res = await t.request({
      method: 'GET',
      url: '/api/v1/employees',
      headers: { authorization: `Bearer ${value}` },
    });
    expect(res.statusCode).toBe(403);
    // An admin token includes scim (as it includes every scope).
    const admin = await t.api({ method: 'GET', url: '/scim/v2/Users?count=1' });
    expectStatus(admin, 200);
  });

  it('415 for a body that is not JSON, 400 invalidSyntax for broken JSON', async () => {
    await refusedUnchanged(
      () =>
        scim('POST', '/Users', `userName=${freshEmail()}`, {
          'content-type': 'application/x-www-form-urlencoded',
        }),
      415,
    );
    await refusedUnchanged(
      () => scim('POST', '/Users', 'userName: x', { 'content-type': 'text/plain' }),
      415,
    );
    await refusedUnchanged(
      () =>
        scim(
          'POST',
          '/Users',
          '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ',
        ),
      400,
      'invalidSyntax',
    );
    await refusedUnchanged(() => scim('POST', '/Users', '[1, 2]'), 400, 'invalidSyntax');
    // JSON sent as application/json is accepted too (clients do).
    const plain = await scim(
      'POST',
      '/Users',
      { schemas: [USER], userName: freshEmail() },
      {
        'content-type': 'application/json',
      },
    );
    expectStatus(plain, 201);
  });

  it('413 for an oversized body, before any work', async () => {
    const huge = { schemas: [USER], userName: freshEmail(), displayName: 'x'.repeat(300 * 1024) };
    await refusedUnchanged(() => scim('POST', '/Users', huge), 413);
    const existing = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail() })
    ).json();
    await refusedUnchanged(
      () =>
        scim('PATCH', `/Users/${existing.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'displayName', value: 'y'.repeat(300 * 1024) }],
        }),
      413,
    );
  });

  it('400 invalidFilter for filters it cannot read or answer', async () => {
    for (const filter of [
      'userName eq',
      'userName eq "a" and (',
      'userName co "a"',
      'title eq "x"',
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      'not (active eq true)',
      'active eq "yes"',
      `userName eq "${'a'.repeat(1100)}"`,
    ]) {
      const body = await refusedUnchanged(
        () => scim('GET', `/Users?filter=${encodeURIComponent(filter)}`),
        400,
        'invalidFilter',
      );
      expect(body.detail.length).toBeGreaterThan(10);
    }
    await refusedUnchanged(
      () => scim('GET', `/Groups?filter=${encodeURIComponent('members.display eq "x"')}`),
      400,
      'invalidFilter',
    );
    await refusedUnchanged(() => scim('GET', '/Users?count=ten'), 400, 'invalidValue');
    await refusedUnchanged(
      () => scim('GET', '/Users?filter=userName%20eq%20%22a%22&filter=active%20eq%20true'),
      400,
      'invalidValue',
    );
    await refusedUnchanged(
      () => scim('GET', '/Users?attributes=userName&excludedAttributes=name'),
      400,
      'invalidSyntax',
    );
  });

  it('a filter value is data: a quote or SQL in it matches nobody', async () => {
    await scim('POST', '/Users', { schemas: [USER], userName: freshEmail() });
    for (const value of [`x' OR '1'='1`, `x" or userName pr or "`, `%`, `*`]) {
      const res = await scim(
        'GET',
        `/Users?filter=${encodeURIComponent(`userName eq "${value.replace(/"/g, '\\"')}"`)}`,
      );
      if (res.statusCode === 200) expect(res.json().totalResults).toBe(0);
      else expectScimError(res, 400, 'invalidFilter');
    }
  });

  it('400 for unknown attributes, wrong types and missing userName, writing nothing', async () => {
    await refusedUnchanged(
      () =>
        scim('POST', '/Users', {
          schemas: [USER],
          userName: freshEmail(),
          favouriteColour: 'blue',
        }),
      400,
      'invalidSyntax',
    );
    await refusedUnchanged(
      () =>
        scim('POST', '/Users', {
          schemas: [USER],
          userName: freshEmail(),
          'urn:example:custom:2.0:User': { x: 1 },
        }),
      400,
      'invalidSyntax',
    );
    await refusedUnchanged(
      () => scim('POST', '/Users', { schemas: [USER], userName: freshEmail(), active: 'maybe' }),
      400,
      'invalidValue',
    );
    await refusedUnchanged(
      () => scim('POST', '/Users', { schemas: [USER], displayName: 'No name' }),
      400,
    );
    await refusedUnchanged(
      () => scim('POST', '/Users', { schemas: [USER], userName: 'not an address' }),
      400,
      'invalidValue',
    );
    const user = (await scim('POST', '/Users', { schemas: [USER], userName: freshEmail() })).json();
    await refusedUnchanged(
      () =>
        scim('PATCH', `/Users/${user.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'favouriteColour', value: 'blue' }],
        }),
      400,
      'invalidPath',
    );
    await refusedUnchanged(
      () =>
        scim('PATCH', `/Users/${user.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'explode', path: 'displayName', value: 'x' }],
        }),
      400,
    );
    await refusedUnchanged(
      () =>
        scim('PATCH', `/Users/${user.id}`, {
          Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
        }),
      400,
    );
    await refusedUnchanged(
      () =>
        scim('PATCH', `/Users/${user.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: user.id }],
        }),
      400,
      'invalidValue',
    );
  });

  it('stores SQL and markup as text where the directory accepts text, unchanged', async () => {
    const email = freshEmail('inject');
    const res = await scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      userName: email,
      externalId: `${SQL}<b onmouseover=alert(1)>`,
      displayName: `${HTML} ${SQL}`,
      name: { givenName: SQL.slice(0, 100), familyName: HTML.slice(0, 100) },
      addresses: [{ type: 'work', locality: SQL }],
      [ENTERPRISE]: { department: HTML.slice(0, 100), employeeNumber: SQL },
    });
    expectStatus(res, 201);
    const read = (await scim('GET', `/Users/${res.json().id}`)).json();
    expect(read).toMatchObject({
      displayName: `${HTML} ${SQL}`,
      name: { givenName: SQL.slice(0, 100), familyName: HTML.slice(0, 100) },
      addresses: [{ locality: SQL }],
      [ENTERPRISE]: { department: HTML.slice(0, 100), employeeNumber: SQL },
    });
    const [row] = await t.dataSource.query('SELECT name, location FROM employee WHERE email = $1', [
      email,
    ]);
    expect(row).toEqual({ name: `${HTML} ${SQL}`, location: SQL });
    const byExternal = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${read.externalId}"`)}`,
    );
    expect(byExternal.json().Resources.map((r: { id: string }) => r.id)).toEqual([read.id]);
    // scimmy's filter parser does not read an escaped quote inside a value: a clear 400.
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('displayName eq "a\\"b"')}`),
      400,
      'invalidFilter',
    );
    const [{ exists }] = await t.dataSource.query(
      `SELECT to_regclass('employee') IS NOT NULL AS exists`,
    );
    expect(exists).toBe(true);
  });

  it('refuses hostile values where the directory refuses them, writing nothing', async () => {
    const base = () => ({ schemas: [USER, INPULSE], userName: freshEmail() });
    for (const [body, detail] of [
      [{ ...base(), userName: `${SQL}@example.com` }, /email/],
      [{ ...base(), userName: `a@${HTML}.com` }, /email/],
      [{ ...base(), locale: SQL }, /locale/],
      [{ ...base(), timezone: HTML }, /time_zone/],
      [{ ...base(), [INPULSE]: { startDate: SQL } }, /hire_date/],
      [{ ...base(), [INPULSE]: { team: HTML } }, /team/],
      [{ ...base(), displayName: 'bell\u0007name' }, /control characters/],
      [{ ...base(), displayName: 'x'.repeat(201) }, /longer than 200/],
      [{ ...base(), name: { givenName: 'red\u001b[31mname' } }, /control characters/],
      [{ ...base(), displayName: 'nul\u0000' }, /NUL/],
      [{ ...base(), externalId: 'x'.repeat(256) }, /externalId/],
    ] as const) {
      const refused = await refusedUnchanged(() => scim('POST', '/Users', body), 400);
      expect(refused.detail).toMatch(detail);
    }
    await refusedUnchanged(
      () => scim('POST', '/Groups', { schemas: [GROUP], displayName: `bell\u0007` }),
      400,
      'invalidValue',
    );
    await refusedUnchanged(
      () =>
        scim('POST', '/Groups', { schemas: [GROUP], displayName: 'g', members: [{ value: SQL }] }),
      400,
      'invalidValue',
    );
  });

  it('404 in SCIM shape for unknown ids and routes', async () => {
    for (const path of [
      '/Users/00000000-0000-0000-0000-000000000000',
      `/Users/${encodeURIComponent(SQL)}`,
      '/Groups/nope',
      '/Nothing',
    ])
      expectScimError(await scim('GET', path), 404);
    await refusedUnchanged(
      () =>
        scim('PUT', '/Users/00000000-0000-0000-0000-000000000000', {
          schemas: [USER],
          userName: freshEmail(),
        }),
      404,
    );
  });
});
