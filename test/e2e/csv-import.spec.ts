import { startTestApp, type TestApp } from '../setup/test-app';

describe('employee CSV import', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const importCsv = (body: string) =>
    t.api({
      method: 'POST',
      url: '/api/v1/employees/import',
      payload: body,
      headers: { 'content-type': 'text/csv' },
    });
  const count = async () =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM employee'))[0].n as number;

  it('inserts new rows and updates existing ones by e-mail', async () => {
    const first = await importCsv(
      'email,name,department,location,hire_date,locale\n' +
        'maria@example.com,María López,Finance,Madrid,2020-05-01,es\n' +
        '"kenji@example.com","Sato, Kenji",Engineering,Tokyo,2019-01-15,ja\n',
    );
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      created: 2,
      updated: 0,
      deactivated: 0,
      cancelledInvitations: 0,
      rows: 2,
    });
    const second = await importCsv(
      'name,email,department,active\nMaría López-Ruiz,MARIA@example.com,Legal,no\nSara,sara@example.com,People,yes\n',
    );
    expect(second.json()).toEqual({
      created: 1,
      updated: 1,
      deactivated: 1,
      cancelledInvitations: 0,
      rows: 2,
    });
    const [maria] = await t.dataSource.query(
      `SELECT name, department, active FROM employee WHERE email = 'maria@example.com'`,
    );
    expect(maria).toEqual({ name: 'María López-Ruiz', department: 'Legal', active: false });
    const [kenji] = await t.dataSource.query(
      `SELECT name FROM employee WHERE email = 'kenji@example.com'`,
    );
    expect(kenji.name).toBe('Sato, Kenji');
  });

  it('reports every bad row by line with its reason and writes nothing', async () => {
    const before = await count();
    const res = await importCsv(
      [
        'email,name,hire_date,locale,active,external_id',
        'good@example.com,Good Person,2020-01-01,en,yes,E1',
        'not-an-email,Bad Email,,en,,',
        'x@example.com,,2020-13-01,en,,',
        'y@example.com,Y,,english!,perhaps,',
        'good@example.com,Dup,,en,,',
        'z@example.com,Z,,en,,E1',
        'w@example.com,"=HYPERLINK(""http://evil"")",,en,,',
        'too,few',
      ].join('\n'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().details.errors).toEqual([
      { line: 3, reason: 'email "not-an-email" is not a valid address' },
      {
        line: 4,
        reason: 'name is required; hire_date "2020-13-01" is not a date in the form YYYY-MM-DD',
      },
      {
        line: 5,
        reason:
          'locale "english!" is not a language tag such as en, es, ja or fa; active "perhaps" must be true or false',
      },
      { line: 6, reason: 'email good@example.com already appears on line 2' },
      { line: 7, reason: 'external_id E1 already appears on line 2' },
      { line: 9, reason: 'expected 6 fields, found 2' },
    ]);
    expect(res.json().message).toMatch(/^Nothing was imported: 6 row\(s\) have problems/);
    expect(await count()).toBe(before);
  });

  it('rejects unknown or missing columns, an empty file, broken quoting and the wrong content type', async () => {
    const unknown = await importCsv('email,name,salary\na@example.com,A,100\n');
    expect(unknown.json().details.errors).toEqual([
      {
        line: 1,
        reason:
          'unknown column "salary" (expected: email, name, department, location, hire_date, locale, external_id, active, time_zone, team)',
      },
    ]);
    const missing = await importCsv('email,department\na@example.com,Sales\n');
    expect(missing.json().details.errors).toEqual([
      { line: 1, reason: 'the required column "name" is missing' },
    ]);
    expect((await importCsv('')).json().details.errors).toEqual([
      { line: 1, reason: 'the file is empty' },
    ]);
    const broken = await importCsv('email,name\n"a@example.com,A\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().details.errors[0].reason).toMatch(/not valid CSV/);
    const json = await t.api({
      method: 'POST',
      url: '/api/v1/employees/import',
      payload: { email: 'a@example.com' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().message).toMatch(/Content-Type: text\/csv/);
  });

  it('refuses an external id that belongs to someone else, naming the line', async () => {
    await importCsv('email,name,external_id\nowner@example.com,Owner,X-1\n');
    const res = await importCsv(
      'email,name,external_id\nnew@example.com,New,X-2\nother@example.com,Other,X-1\n',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().details.errors).toEqual([
      { line: 3, reason: 'external_id X-1 belongs to another employee' },
    ]);
    expect(
      await t.dataSource.query(`SELECT 1 FROM employee WHERE email = 'new@example.com'`),
    ).toHaveLength(0);
  });

  it('audits who added whom: one employee by the API, and the addresses a file added', async () => {
    const one = await t.api({
      method: 'POST',
      url: '/api/v1/employees',
      payload: { email: 'new.person@example.com', name: 'New Person' },
    });
    expect(one.statusCode).toBe(201);
    expect(
      (
        await importCsv(
          'email,name\nfake.one@example.com,Fake One\nfake.two@example.com,Fake Two\nnew.person@example.com,New Person\n',
        )
      ).statusCode,
    ).toBe(201);
    const rows: {
      action: string;
      target: string;
      details: Record<string, unknown> | null;
      by: string | null;
    }[] = await t.dataSource.query(
      `SELECT action, target, details, actor_token_id::text AS by FROM audit_event
          WHERE action IN ('employee.created', 'directory.imported') ORDER BY at`,
    );
    expect(rows.slice(-2)).toEqual([
      {
        action: 'employee.created',
        target: 'new.person@example.com',
        details: null,
        by: expect.any(String),
      },
      {
        action: 'directory.imported',
        target: '3 rows',
        details: {
          created: 2,
          updated: 1,
          deactivated: 0,
          createdEmails: ['fake.one@example.com', 'fake.two@example.com'],
        },
        by: expect.any(String),
      },
    ]);
  });
});
