import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  openSurvey,
  sendQueuedMail,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import {
  ENTERPRISE,
  expectScimError,
  expectStatus,
  freshEmail,
  GROUP,
  INPULSE,
  PATCH_OP,
  scimClient,
  type ScimClient,
  USER,
} from './scim-helpers';

const filter = (expression: string) => encodeURIComponent(expression);

/**
 * The request sequences Microsoft Entra ID and Okta send when they provision an app (from their
 * SCIM documentation and validators): look up by filter, create, read, update attributes,
 * deactivate, reactivate, delete; groups with their members.
 */
describe('SCIM as identity providers drive it', () => {
  let t: TestApp;
  let scim: ScimClient;
  beforeAll(async () => {
    t = await startTestApp();
    scim = await scimClient(t);
  });
  afterAll(() => t.close());

  async function auditActions(target: string): Promise<string[]> {
    const rows: { action: string }[] = await t.dataSource.query(
      'SELECT action FROM audit_event WHERE target = $1 ORDER BY at, id',
      [target],
    );
    return rows.map((r) => r.action);
  }

  it('Entra ID: filter, create, patch attributes, deactivate, reactivate, delete', async () => {
    const email = freshEmail('entra');
    const team = await createTeam(t, 'Finance Operations');
    const miss = await scim('GET', `/Users?filter=${filter(`userName eq "${email}"`)}`);
    expect(miss.json()).toMatchObject({ totalResults: 0, Resources: [] });

    const manager = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail('boss'), active: true })
    ).json();
    const created = await scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: email,
      active: true,
      emails: [{ primary: true, type: 'work', value: email }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expectStatus(created, 201);
    const id = created.json().id as string;
    expect((await scim('GET', `/Users/${id}`)).json()).toMatchObject({ id, userName: email });
    const found = await scim('GET', `/Users?filter=${filter(`userName eq "${email}"`)}`);
    expect(found.json().Resources[0].id).toBe(id);

    const patched = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: 'displayName', value: 'Ana García' },
        { op: 'Replace', path: 'name.familyName', value: 'García' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' },
        { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: `E-${Date.now()}` },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id },
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Madrid' },
        { op: 'Replace', path: 'locale', value: 'es-ES' },
        { op: 'Replace', path: 'timezone', value: 'Europe/Madrid' },
        { op: 'Add', path: `${INPULSE}:startDate`, value: '2021-03-01T00:00:00Z' },
        { op: 'Add', path: `${INPULSE}:team`, value: team.slug },
      ],
    });
    expectStatus(patched, 200);
    expect(patched.json()).toMatchObject({
      displayName: 'Ana García',
      name: { familyName: 'García', givenName: 'givenName' },
      addresses: [{ type: 'work', locality: 'Madrid' }],
      [ENTERPRISE]: { department: 'Finance', manager: { value: manager.id } },
      [INPULSE]: { startDate: '2021-03-01', team: team.slug },
      locale: 'es-ES',
      timezone: 'Europe/Madrid',
    });
    const [row] = await t.dataSource.query(
      `SELECT name, department, location, hire_date::text AS hire_date, locale, time_zone, team_id
         FROM employee WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({
      name: 'Ana García',
      department: 'Finance',
      location: 'Madrid',
      hire_date: '2021-03-01',
      locale: 'es-es',
      time_zone: 'Europe/Madrid',
      team_id: team.id,
    });

    // Entra ID sends booleans as strings, with a capital op.
    const off = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.json().active).toBe(false);
    const on = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    expect(on.json().active).toBe(true);
    const removeManager = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager` }],
    });
    expect(removeManager.json()[ENTERPRISE].manager).toBeUndefined();
    // A manager SCIM deletes is no longer anyone's manager.
    await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id }],
    });
    expect((await scim('DELETE', `/Users/${manager.id}`)).statusCode).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).json()[ENTERPRISE].manager).toBeUndefined();

    expect((await scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
    expectScimError(await scim('GET', `/Users/${id}`), 404);
    // Every write left an entry in the audit log, under the token that made it.
    expect(await auditActions(email)).toEqual([
      'employee.created',
      'employee.updated',
      'scim.user_updated',
      'employee.deactivated',
      'employee.activated',
      'scim.user_updated',
      'scim.user_updated',
      'employee.deactivated',
      'scim.user_deleted',
    ]);
    const [{ tokens }] = await t.dataSource.query(
      `SELECT count(DISTINCT actor_token_id)::int AS tokens FROM audit_event
        WHERE target = $1 AND actor_token_id IS NOT NULL`,
      [email],
    );
    expect(tokens).toBe(1);
  });

  it('Okta: filter with paging, create, PUT profile, deactivate, reactivate', async () => {
    const email = freshEmail('okta');
    const lookup = await scim(
      'GET',
      `/Users?filter=${filter(`userName eq "${email}"`)}&startIndex=1&count=100`,
    );
    expect(lookup.json()).toMatchObject({ totalResults: 0, startIndex: 1 });
    const created = await scim('POST', '/Users', {
      schemas: [USER],
      userName: email,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: `00ujl29u0le5T6Aj10h7-${Date.now()}`,
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expectStatus(created, 201);
    const user = created.json();
    expect(user.password).toBeUndefined();
    expect(
      JSON.stringify(await t.dataSource.query('SELECT * FROM employee WHERE id = $1', [user.id])),
    ).not.toContain('1mz050nq');

    const put = await scim('PUT', `/Users/${user.id}`, {
      ...user,
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      displayName: 'Another User',
      name: { givenName: 'Another' },
    });

    const off = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.json().active).toBe(false);
    const on = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: user.id, active: true } }],
    });
    expectStatus(on, 200);
    expect(on.json().active).toBe(true);
    const byExternal = await scim(
      'GET',
      `/Users?filter=${filter(`externalId eq "${user.externalId}"`)}`,
    );
    expect(byExternal.json().Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
  });

  it('a PUT or PATCH that leaves out active does not bring a deactivated person back', async () => {
    const email = freshEmail('keep-off');
    const created = await scim('POST', '/Users', {
      schemas: [USER],
      userName: email,
      name: { givenName: 'Kept', familyName: 'Off' },
      active: true,
    });
    expectStatus(created, 201);
    const user = created.json();
    const off = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.json().active).toBe(false);
    const { active: _active, meta: _meta, ...withoutActive } = off.json();
    void _active;
    void _meta;
    const put = await scim('PUT', `/Users/${user.id}`, {
      ...withoutActive,
      displayName: 'Kept Off',
    });
    expectStatus(put, 200);
    expect(put.json()).toMatchObject({ displayName: 'Kept Off', active: false });
    const removed = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: 'active' }],
    });
    expectStatus(removed, 200);
    expect(removed.json().active).toBe(false);
    const [row] = await t.dataSource.query('SELECT active FROM employee WHERE id = $1', [user.id]);
    expect(row.active).toBe(false);
  });

  it('deactivation withdraws open links and queued mails, as the directory does', async () => {
    const email = freshEmail('leaver');
    const person = (await scim('POST', '/Users', { schemas: [USER], userName: email })).json();
    const colleagues = await createEmployees(t, t.config.mixBatchSize - 1, {
      department: 'Bystanders',
    });
    const surveys = t.get(SurveysService);
    const first = await createSurvey(t);
    const second = await createSurvey(t);
    await surveys.send(first.survey.id, { emails: [email, ...colleagues.map((c) => c.email)] });
    await sendQueuedMail(t);
    const [{ text }] = await t.dataSource.query(
      'SELECT text FROM outbox_message WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1',
      [email],
    );
    const token = (text as string).match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
    await surveys.send(second.survey.id, { emails: [email, ...colleagues.map((c) => c.email)] });
    expect((await openSurvey(t, token)).page.statusCode).toBe(200);

    const off = await scim('PATCH', `/Users/${person.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.statusCode).toBe(200);
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
    const [mail] = await t.dataSource.query(
      `SELECT m.status, m.last_error FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE m.to_address = $1 AND i.survey_id = $2 AND m.sequence = 0`,
      [email, second.survey.id],
    );
    expect(mail).toEqual({ status: 'cancelled', last_error: 'the person was deactivated' });
    const [audit] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE target = $1 AND action = 'employee.deactivated'`,
      [email],
    );
    expect(audit.details).toEqual({ cancelledInvitations: 2 });
    // Reactivating does not bring the withdrawn link back.
    await scim('PATCH', `/Users/${person.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
  });

  it('Entra ID groups: filter, create, check membership, add and remove members, rename', async () => {
    const a = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail('ga') })
    ).json();
    const b = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail('gb') })
    ).json();
    const name = `Group ${Date.now()}`;
    const miss = await scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${filter(`displayName eq "${name}"`)}`,
    );
    expect(miss.json().totalResults).toBe(0);
    const created = await scim('POST', '/Groups', {
      schemas: [GROUP],
      externalId: `8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159-${Date.now()}`,
      displayName: name,
      meta: { resourceType: 'Group' },
    });
    expectStatus(created, 201);
    const id = created.json().id as string;
    const read = await scim('GET', `/Groups/${id}?excludedAttributes=members`);
    expect(read.json()).toMatchObject({ id, displayName: name });
    expect(read.json().members).toBeUndefined();

    const add = await scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: a.id },
            { $ref: null, value: b.id },
          ],
        },
      ],
    });
    expectStatus(add, 200);
    expect(
      add
        .json()
        .members.map((m: { value: string }) => m.value)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    const member = await scim(
      'GET',
      `/Groups?filter=${filter(`id eq "${id}" and members[value eq "${a.id}"]`)}&excludedAttributes=members`,
    );
    expect(member.json().totalResults).toBe(1);
    const remove = await scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] }],
    });
    expectStatus(remove, 200);
    expect(remove.json().members.map((m: { value: string }) => m.value)).toEqual([b.id]);
    const notMember = await scim(
      'GET',
      `/Groups?filter=${filter(`id eq "${id}" and members[value eq "${a.id}"]`)}`,
    );
    expect(notMember.json().totalResults).toBe(0);
    const renamed = await scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: `${name} renamed` }],
    });
    expect(renamed.json().displayName).toBe(`${name} renamed`);
    expect((await scim('DELETE', `/Groups/${id}`)).statusCode).toBe(204);
    expectScimError(await scim('GET', `/Groups/${id}`), 404);
    const actions: { action: string }[] = await t.dataSource.query(
      `SELECT action FROM audit_event WHERE action LIKE 'scim.group_%' AND target LIKE $1 ORDER BY at, id`,
      [`${name}%`],
    );
    expect(actions.map((r) => r.action)).toEqual([
      'scim.group_created',
      'scim.group_updated',
      'scim.group_updated',
      'scim.group_updated',
      'scim.group_deleted',
    ]);
  });

  it('Okta groups: create with members, rename without path, remove a member by filter', async () => {
    const a = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail('oa') })
    ).json();
    const b = (
      await scim('POST', '/Users', { schemas: [USER], userName: freshEmail('ob') })
    ).json();
    const created = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: `Okta ${Date.now()}`,
      members: [
        { value: a.id, display: 'A' },
        { value: b.id, display: 'B' },
      ],
    });
    expectStatus(created, 201);
    const group = created.json();
    const renamed = await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: group.id, displayName: 'Okta renamed' } }],
    });
    expectStatus(renamed, 200);
    expect(renamed.json().displayName).toBe('Okta renamed');
    const removed = await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }],
    });
    expect(removed.json().members.map((m: { value: string }) => m.value)).toEqual([b.id]);
    // A user SCIM deletes leaves every group.
    await scim('DELETE', `/Users/${b.id}`);
    expect((await scim('GET', `/Groups/${group.id}`)).json().members).toEqual([]);
    // Members must be users.
    const stranger = await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: '00000000-0000-0000-0000-000000000000' }] },
      ],
    });
    expectScimError(stranger, 400, 'invalidValue');
    const dup = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Okta renamed' });
    expectScimError(dup, 409, 'uniqueness');
  });
});
