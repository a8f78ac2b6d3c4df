import { startTestApp, type TestApp } from '../setup/test-app';
import {
  ENTERPRISE,
  expectScimError,
  expectStatus,
  freshEmail,
  PATCH_OP,
  rowCounts,
  scimClient,
  type ScimClient,
  USER,
} from './scim-helpers';

/**
 * SCIM 2.0 Users with the requests of RFC 7644's own examples (§3.3 create, §3.4.1 get,
 * §3.4.2 filter, §3.5.1 replace, §3.5.2 modify, §3.6 delete, §3.12 errors, §3.14 versions),
 * against the real app and database.
 */
describe('SCIM Users (RFC 7644 examples)', () => {
  let t: TestApp;
  let scim: ScimClient;
  beforeAll(async () => {
    t = await startTestApp();
    scim = await scimClient(t);
  });
  afterAll(() => t.close());

  /** RFC 7644 §3.3's example, with an address of its own. */
  function bjensen(email = freshEmail('bjensen')) {
    return {
      schemas: [USER],
      userName: email,
      externalId: `ext-${email}`,
      name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    };
  }

  it('creates a user (201, Location, ETag) and reads it back', async () => {
    const body = bjensen();
    const res = await scim('POST', '/Users', body);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = res.json();
    expect(user).toMatchObject({
      schemas: expect.arrayContaining([USER]),
      userName: body.userName,
      externalId: body.externalId,
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      displayName: 'Ms. Barbara J Jensen III',
      emails: [{ value: body.userName, type: 'work', primary: true }],
      active: true,
      meta: { resourceType: 'User' },
    });
    expect(res.headers.location).toBe(`http://localhost:3000/scim/v2/Users/${user.id}`);
    expect(user.meta.location).toBe(res.headers.location);
    expect(res.headers.etag).toBe(user.meta.version);
    expect(user.meta.version).toMatch(/^W\/"[0-9a-f]+"$/);

    const read = await scim('GET', `/Users/${user.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(user);
    // The directory has the employee.
    const [row] = await t.dataSource.query('SELECT name, active FROM employee WHERE email = $1', [
      body.userName,
    ]);
    expect(row).toEqual({ name: 'Ms. Barbara J Jensen III', active: true });
  });

  it('answers 409 uniqueness for a userName that exists, writing nothing', async () => {
    const body = bjensen();
    expect((await scim('POST', '/Users', body)).statusCode).toBe(201);
    const before = await rowCounts(t);
    const again = await scim('POST', '/Users', {
      ...bjensen(body.userName.toUpperCase()),
      externalId: 'other',
    });
    expectScimError(again, 409, 'uniqueness');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('filters by userName, externalId and work e-mail, with pagination', async () => {
    const a = (await scim('POST', '/Users', bjensen())).json();
    const b = (await scim('POST', '/Users', bjensen())).json();
    const byName = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${a.userName}"`)}`,
    );
    expect(byName.statusCode).toBe(200);
    expect(byName.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [{ id: a.id }],
    });
    const byExternal = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${b.externalId}"`)}`,
    );
    expect(byExternal.json().Resources.map((r: { id: string }) => r.id)).toEqual([b.id]);
    const byMail = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${b.userName.toUpperCase()}"`)}`,
    );
    expect(byMail.json().Resources.map((r: { id: string }) => r.id)).toEqual([b.id]);
    const either = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${a.userName}" or externalId eq "${b.externalId}"`)}&count=1&startIndex=2`,
    );
    expect(either.json()).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(either.json().Resources[0].id).toBe(b.id);
    const none = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`,
    );
    expect(none.json()).toMatchObject({ totalResults: 0, Resources: [] });
    const countOnly = await scim('GET', '/Users?count=0');
    expect(countOnly.json().Resources).toEqual([]);
    expect(countOnly.json().totalResults).toBeGreaterThanOrEqual(2);
  });

  it('returns only the attributes asked for', async () => {
    const a = (await scim('POST', '/Users', bjensen())).json();
    const only = (await scim('GET', `/Users/${a.id}?attributes=userName`)).json();
    expect(only).toMatchObject({ id: a.id, userName: a.userName });
    expect(only.name).toBeUndefined();
    const without = (await scim('GET', `/Users/${a.id}?excludedAttributes=name,emails`)).json();
    expect(without.userName).toBe(a.userName);
    expect(without.emails).toBeUndefined();
    expect(without.name).toBeUndefined();
  });

  it('replaces a user with PUT, clearing what is left out', async () => {
    const a = (
      await scim('POST', '/Users', {
        ...bjensen(),
        [ENTERPRISE]: { department: 'Finance', employeeNumber: `n-${Date.now()}` },
        schemas: [USER, ENTERPRISE],
      })
    ).json();
    const put = await scim('PUT', `/Users/${a.id}`, {
      schemas: [USER],
      userName: a.userName,
      displayName: 'Babs Jensen',
      externalId: a.externalId,
      active: true,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: a.id, displayName: 'Babs Jensen' });
    expect(put.json()[ENTERPRISE]).toBeUndefined();
    expect(put.headers.etag).not.toBe(a.meta.version);
    const [row] = await t.dataSource.query(
      'SELECT name, department, external_id FROM employee WHERE id = $1',
      [a.id],
    );
    expect(row).toEqual({ name: 'Babs Jensen', department: null, external_id: null });
  });

  it('modifies with PATCH: add, replace, remove, with and without path', async () => {
    const a = (await scim('POST', '/Users', bjensen())).json();
    const res = await scim('PATCH', `/Users/${a.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: `${ENTERPRISE}:department`, value: 'Tour Operations' },
        { op: 'replace', value: { displayName: 'Babs', 'name.givenName': 'Babs' } },
        { op: 'remove', path: 'externalId' },
        { op: 'add', path: 'addresses', value: [{ type: 'work', locality: 'Hollywood' }] },
      ],
    });
    expectStatus(res, 200);
    const user = res.json();
    expect(user).toMatchObject({
      displayName: 'Babs',
      name: { givenName: 'Babs', familyName: 'Jensen' },
      [ENTERPRISE]: { department: 'Tour Operations' },
    });
    expect(user.externalId).toBeUndefined();
    const [row] = await t.dataSource.query(
      'SELECT name, department, location FROM employee WHERE id = $1',
      [a.id],
    );
    expect(row).toEqual({ name: 'Babs', department: 'Tour Operations', location: 'Hollywood' });
    // A filtered path with no match: 400 noTarget, nothing written.
    const before = await rowCounts(t);
    const missing = await scim('PATCH', `/Users/${a.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'x@y.z' }],
    });
    expectScimError(missing, 400, 'noTarget');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('deletes a user: 204, then 404; the employee stays, inactive', async () => {
    const a = (await scim('POST', '/Users', bjensen())).json();
    const del = await scim('DELETE', `/Users/${a.id}`);
    expect(del.statusCode).toBe(204);
    expectScimError(await scim('GET', `/Users/${a.id}`), 404);
    expectScimError(await scim('DELETE', `/Users/${a.id}`), 404);
    const list = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${a.userName}"`)}`,
    );
    expect(list.json().totalResults).toBe(0);
    const [row] = await t.dataSource.query('SELECT active FROM employee WHERE id = $1', [a.id]);
    expect(row).toEqual({ active: false });
    // Provisioned again later: the same person comes back, active.
    const again = await scim('POST', '/Users', { ...bjensen(a.userName), externalId: 'again' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ id: a.id, active: true, externalId: 'again' });
  });

  it('honours If-Match: 412 on a stale version, nothing written', async () => {
    const a = (await scim('POST', '/Users', bjensen())).json();
    const changed = await scim(
      'PATCH',
      `/Users/${a.id}`,
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Newer' }],
      },
      { 'if-match': a.meta.version },
    );
    expect(changed.statusCode).toBe(200);
    const before = await rowCounts(t);
    for (const [method, body] of [
      [
        'PATCH',
        {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Stale' }],
        },
      ],
      ['PUT', { schemas: [USER], userName: a.userName, displayName: 'Stale' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await scim(method, `/Users/${a.id}`, body, { 'if-match': a.meta.version });
      expectScimError(res, 412);
    }
    expect(await rowCounts(t)).toEqual(before);
    const fresh = await scim('GET', `/Users/${a.id}`);
    expect(fresh.json().displayName).toBe('Newer');
    // If-None-Match: 304 while it has not changed, the resource once it has.
    const same = await scim('GET', `/Users/${a.id}`, undefined, {
      'if-none-match': fresh.headers.etag as string,
    });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    const changedSince = await scim('GET', `/Users/${a.id}`, undefined, {
      'if-none-match': a.meta.version,
    });
    expect(changedSince.statusCode).toBe(200);
    const ok = await scim(
      'PUT',
      `/Users/${a.id}`,
      { schemas: [USER], userName: a.userName, displayName: 'Fresh' },
      { 'if-match': fresh.headers.etag as string },
    );
    expect(ok.statusCode).toBe(200);
  });

  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.statusCode).toBe(200);
    expect(config.json()).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
      bulk: { supported: false },
    });
    const types = (await scim('GET', '/ResourceTypes')).json();
    expect(types.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['Group', 'User']);
    const schemas = (await scim('GET', '/Schemas')).json();
    expect(schemas.Resources.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([
        USER,
        ENTERPRISE,
        'urn:ietf:params:scim:schemas:extension:inpulse:2.0:User',
      ]),
    );
    expect((await scim('GET', `/Schemas/${USER}`)).json().id).toBe(USER);
    expectScimError(await scim('GET', '/Schemas/urn:nope'), 404);
  });
});
