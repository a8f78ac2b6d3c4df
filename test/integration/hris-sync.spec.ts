import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '../../src/common/errors/domain-error';
import { HrisSyncService } from '../../src/modules/hris-sync/hris-sync.service';
import { createSurvey, createTeam, formBody, inviteAndCollectTokens, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The HRIS file sync (docs/directory.md): a dry run shows exactly what the run then does; the
 * safety stop holds a run that would deactivate too many people until HR confirms it (same file
 * only); deactivations withdraw open links as every deactivation does; bad settings, bad files,
 * path traversal and bad URLs get clear errors and write nothing.
 */

type Row = Record<string, unknown>;
const HEADER = 'Work Email,Full Name,Dept,Office,Status';
const MAPPING = {
  email: 'Work Email',
  name: 'Full Name',
  department: 'Dept',
  location: 'Office',
  active: 'Status',
};

describe('HRIS file sync', () => {
  let t: TestApp;
  let dir: string;
  let outside: string;
  let sync: HrisSyncService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inpulse-hris-'));
    outside = await mkdtemp(join(tmpdir(), 'inpulse-hris-outside-'));
    t = await startTestApp({
      HRIS_SYNC_DIR: dir,
      HRIS_SYNC_TIMEOUT_SECONDS: '1',
      HRIS_SYNC_ALLOW_PRIVATE: 'true',
      HRIS_SYNC_MAX_BYTES: '100000',
    });
    sync = t.get(HrisSyncService);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  /** The whole directory, by address: what a run changed is the difference of two of these. */
  async function directory(): Promise<Map<string, Row>> {
    const rows: Row[] = await t.dataSource.query(
      `SELECT email, name, department, location, active FROM employee ORDER BY email`,
    );
    return new Map(rows.map((r) => [r.email as string, r]));
  }

  async function employees(lines: string[]) {
    const csv = ['email,name,department,location', ...lines].join('\n');
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/employees/import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBeLessThan(300);
  }

  async function settings(values: Record<string, unknown>) {
    return sync.saveSettings({
      source: 'people.csv',
      format: 'csv',
      cron: '0 5 * * *',
      maxDeactivatePercent: '10',
      mapping: MAPPING,
      ...values,
    });
  }

  async function refusal(work: Promise<unknown>): Promise<DomainError> {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  it('shows in a dry run exactly what the run then changes, and withdraws the links of those it deactivates', async () => {
    const tag = Date.now().toString(36);
    const at = (n: string) => `${n}.${tag}@example.com`;
    // 20 people; the file changes two, adds one, marks one inactive and leaves one out (2 of 20 = 10%).
    await employees(
      Array.from({ length: 20 }, (_, i) => `${at(`p${i}`)},Person ${i},Sales,Madrid`),
    );
    const team = await createTeam(t, 'Sync desk');
    const { survey } = await createSurvey(t, { teamSlug: team.slug });
    const leaver = (await t.dataSource.query(`SELECT id, email FROM employee WHERE email = $1`, [
      at('p19'),
    ])) as { id: string; email: string }[];
    await inviteAndCollectTokens(t, survey.id, leaver);
    // Everyone else in the directory (the survey's bystanders) is out of this test's way.
    await t.dataSource.query(`UPDATE employee SET active = false WHERE email NOT LIKE $1`, [
      `%.${tag}@example.com`,
    ]);
    const lines = Array.from(
      { length: 18 },
      (_, i) => `${at(`p${i}`)},Person ${i},Sales,Madrid,active`,
    );
    lines[0] = `${at('p0')},Person Zero,Finance,Madrid,active`;
    lines[1] = `${at('p1')},Person 1,Sales,Lisbon,active`;
    lines.push(`${at('p18')},Person 18,Sales,Madrid,inactive`);
    lines.push(`${at('new')},New Person,Legal,Tokyo,active`);
    lines.push(`not-an-address,Broken Row,Sales,Madrid,active`);
    lines.push(`${at('bad')},Bad Status,Sales,Madrid,maybe`);
    await writeFile(join(dir, 'people.csv'), [HEADER, ...lines].join('\n'));
    await settings({});

    const before = await directory();
    const dry = await sync.dryRun();
    expect(dry.status).toBe('dry_run');
    // A dry run writes nothing but its run row.
    expect(await directory()).toEqual(before);
    const plan = dry.plan!;
    expect(plan.counts).toEqual({
      added: 1,
      changed: 3,
      deactivated: 2,
      rejected: 2,
      unchanged: 16,
    });
    expect(plan.wouldStop).toBe(false);
    expect(plan.added.map((a) => a.email)).toEqual([at('new')]);
    expect(plan.changed.find((c) => c.email === at('p0'))?.changes).toEqual([
      { field: 'name', from: 'Person 0', to: 'Person Zero' },
      { field: 'department', from: 'Sales', to: 'Finance' },
    ]);
    expect(plan.deactivated.map((d) => [d.email, d.reason]).sort()).toEqual(
      [
        [at('p18'), 'inactive'],
        [at('p19'), 'missing'],
      ].sort(),
    );
    expect(plan.rejected.map((r) => r.line)).toEqual([22, 23]);
    expect(plan.rejected[0].reason).toMatch(/not a valid address/);
    expect(plan.rejected[1].reason).toMatch(/active "maybe" must be true or false/);

    // The page shows the dry run: old → new.
    const admin = await signIn(t, 'admin');
    const shown = await t.request({
      method: 'GET',
      url: `/admin/directory/sync?run=${dry.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatch(/Person 0<\/span> → <span dir="auto">Person Zero/);
    expect(shown.body).toContain('not in the file');

    const run = await sync.runNow();
    expect(run.status).toBe('applied');
    expect(run.plan).toEqual(plan);
    // The directory changed by exactly the dry run's plan.
    const after = await directory();
    const added = [...after.keys()].filter((e) => !before.has(e));
    expect(added).toEqual(plan.added.map((a) => a.email));
    const changed = [...before].filter(
      ([e, row]) => JSON.stringify(after.get(e)) !== JSON.stringify(row),
    );
    const fieldOf: Record<string, string> = {
      department: 'department',
      location: 'location',
      name: 'name',
      active: 'active',
    };
    const observed = changed.map(([email, row]) => ({
      email,
      fields: Object.keys(fieldOf)
        .filter((f) => row[f] !== after.get(email)![f])
        .sort(),
    }));
    const planned = new Map<string, Set<string>>();
    for (const c of plan.changed) planned.set(c.email, new Set(c.changes.map((x) => x.field)));
    for (const d of plan.deactivated)
      planned.set(d.email, (planned.get(d.email) ?? new Set()).add('active'));
    expect(observed.sort((a, b) => a.email.localeCompare(b.email))).toEqual(
      [...planned]
        .map(([email, fields]) => ({ email, fields: [...fields].sort() }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    );
    // The leaver's open link was withdrawn, as every deactivation does.
    const [invitation] = await t.dataSource.query(
      `SELECT cancelled_at IS NOT NULL AS cancelled FROM invitation WHERE employee_id = $1`,
      [leaver[0].id],
    );
    expect(invitation.cancelled).toBe(true);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'directory.synced'`,
    );
    expect(n).toBe(1);
    // Running the same file again changes nothing more.
    const again = await sync.runNow();
    expect(again.plan!.counts).toMatchObject({ added: 0, changed: 0, deactivated: 0 });
  }, 120_000);

  it('holds a run that would deactivate more than the set share, until HR confirms it for the same file', async () => {
    const active: { email: string; name: string }[] = await t.dataSource.query(
      `SELECT email, name FROM employee WHERE active ORDER BY email`,
    );
    expect(active.length).toBeGreaterThanOrEqual(10);
    // The file keeps only half of the active people.
    const kept = active.slice(0, Math.ceil(active.length / 2));
    await writeFile(
      join(dir, 'people.csv'),
      [HEADER, ...kept.map((p) => `${p.email},${p.name},,,active`)].join('\n'),
    );
    await settings({ mapping: { email: 'Work Email', name: 'Full Name' } });
    const before = await directory();
    const stopped = await sync.runNow();
    expect(stopped.status).toBe('stopped');
    expect(stopped.plan!.wouldStop).toBe(true);
    expect(stopped.plan!.counts.deactivated).toBe(active.length - kept.length);
    expect(await directory()).toEqual(before);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'directory.sync_stopped'`,
    );
    expect(n).toBe(1);

    // The page shows it, with the button to confirm it.
    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: `/admin/directory/sync?run=${stopped.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="sync-stopped"');
    expect(page.body).toContain(`/admin/directory/sync/runs/${stopped.id}/confirm`);

    // Another file since: the confirmation is refused, nothing written.
    await writeFile(
      join(dir, 'people.csv'),
      [
        HEADER,
        ...kept.map((p) => `${p.email},${p.name},,,active`),
        'x@example.com,X,,,active',
      ].join('\n'),
    );
    const changed = await refusal(sync.confirm(stopped.id));
    expect(changed.code).toBe('hris_sync.file_changed');
    expect(await directory()).toEqual(before);
    await writeFile(
      join(dir, 'people.csv'),
      [HEADER, ...kept.map((p) => `${p.email},${p.name},,,active`)].join('\n'),
    );
    const confirm = await t.request({
      method: 'POST',
      url: `/admin/directory/sync/runs/${stopped.id}/confirm`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(confirm.statusCode).toBe(303);
    const [{ n: stillActive }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM employee WHERE active`,
    );
    expect(stillActive).toBe(kept.length);
    const [{ status }] = await t.dataSource.query(
      `SELECT status FROM hris_sync_run WHERE id = $1`,
      [stopped.id],
    );
    expect(status).toBe('confirmed');
    // Confirmed once: a second confirmation finds no stopped run.
    expect((await refusal(sync.confirm(stopped.id))).code).toBe('hris_sync.run_not_found');
  }, 120_000);

  it('refuses bad settings with every reason, and saves nothing', async () => {
    const before = await sync.settings();
    const error = await refusal(
      settings({
        source: '../people.csv',
        format: 'xml',
        cron: '61 * * * *',
        maxDeactivatePercent: '150',
        mapping: { email: 'A', name: 'a', shoe_size: 'B' },
      }),
    );
    expect(error.code).toBe('hris_sync.bad_settings');
    const problems = (error.details as { problems: string[] }).problems.join('\n');
    expect(problems).toMatch(/must not contain "\.\."/);
    expect(problems).toMatch(/format must be csv or json/);
    expect(problems).toMatch(/minute field "61"/);
    expect(problems).toMatch(/whole percentage from 0 to 100/);
    expect(problems).toMatch(/"shoe_size" is not an employee field/);
    expect(problems).toMatch(/name and email both read the column "a"/);
    expect(await sync.settings()).toEqual(before);
    const missing = await refusal(settings({ mapping: { email: 'Work Email' } }));
    expect((missing.details as { problems: string[] }).problems).toContain(
      'the column of name is required',
    );

    // Through the page: a 400 that lists them, never a 500.
    const admin = await signIn(t, 'admin');
    const res = await t.request({
      method: 'POST',
      url: '/admin/directory/sync',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({
        _csrf: admin.csrf,
        source: '/etc/passwd',
        format: 'csv',
        cron: 'every day',
        maxDeactivatePercent: '10',
        map_email: 'Work Email',
        map_name: 'Full Name',
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('not an absolute one');
    expect(res.body).toContain('five fields');
  });

  it('refuses paths outside the folder: "..", absolute paths, and links that lead out', async () => {
    await writeFile(join(outside, 'secret.csv'), `${HEADER}\nevil@example.com,Evil,,,active\n`);
    for (const source of [
      '../people.csv',
      'a/../../people.csv',
      join(outside, 'secret.csv'),
      '/etc/passwd',
    ]) {
      const error = await refusal(settings({ source }));
      expect(error.code).toBe('hris_sync.bad_settings');
    }
    // A symbolic link inside the folder that points outside it: refused when read.
    await symlink(join(outside, 'secret.csv'), join(dir, 'link.csv'));
    await settings({ source: 'link.csv' });
    const before = await directory();
    const error = await refusal(sync.dryRun());
    expect(error.code).toBe('hris_sync.source_refused');
    expect(error.message).toMatch(/outside HRIS_SYNC_DIR/);
    expect(await directory()).toEqual(before);
    const missing = await refusal((await settings({ source: 'nope.csv' }), sync.dryRun()));
    expect(missing.code).toBe('hris_sync.source_unreadable');
  });

  it('says what is wrong with a file as a whole, and writes nothing', async () => {
    const before = await directory();
    await writeFile(join(dir, 'wrong.csv'), 'Email,Name\na@example.com,A\n');
    await settings({ source: 'wrong.csv' });
    const header = await refusal(sync.runNow());
    expect(header.code).toBe('hris_sync.file_rejected');
    expect(header.message).toMatch(
      /the column "Work Email" \(for email\) is not in the file's header/,
    );
    await writeFile(join(dir, 'broken.json'), '{"employees": [');
    await settings({ source: 'broken.json', format: 'json' });
    expect((await refusal(sync.runNow())).message).toMatch(/not valid JSON/);
    await writeFile(
      join(dir, 'latin1.csv'),
      Buffer.from([0x45, 0x6d, 0x61, 0x69, 0x6c, 0xe9, 0xff]),
    );
    await settings({ source: 'latin1.csv' });
    expect((await refusal(sync.runNow())).message).toMatch(/not UTF-8/);
    expect(await directory()).toEqual(before);
    const runs: { status: string; error: string }[] = await t.dataSource.query(
      `SELECT status, error FROM hris_sync_run ORDER BY created_at DESC LIMIT 3`,
    );
    expect(runs.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
  });

  describe('from a URL', () => {
    let server: Server;
    let base: string;
    const people = () =>
      t.dataSource.query(`SELECT email, name FROM employee WHERE active ORDER BY email`) as Promise<
        { email: string; name: string }[]
      >;

    beforeAll(async () => {
      const current = await people();
      server = createServer((req, res) => {
        if (req.url === '/export.json') {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              employees: current.map((p) => ({
                work: { email: p.email },
                fullName: p.name,
                active: true,
              })),
            }),
          );
        } else if (req.url === '/huge.json') {
          res.write('[');
          res.end(' '.repeat(200_000) + ']');
        } else if (req.url === '/slow.json') {
          setTimeout(() => res.end('[]'), 5_000).unref();
        } else if (req.url === '/moved.json') {
          res.statusCode = 302;
          res.setHeader('location', 'http://example.com/export.json');
          res.end();
        } else {
          res.statusCode = 404;
          res.end();
        }
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    const jsonMapping = { email: 'work.email', name: 'fullName', active: 'active' };

    it('reads JSON from a local HTTP server through the mapping', async () => {
      await settings({ source: `${base}/export.json`, format: 'json', mapping: jsonMapping });
      const run = await sync.dryRun();
      expect(run.plan!.counts).toMatchObject({ added: 0, changed: 0, deactivated: 0, rejected: 0 });
      expect(run.plan!.counts.unchanged).toBe((await people()).length);
    });

    it('refuses a file over the size limit, a server that does not answer in time, a redirect, a 404', async () => {
      const cases: [string, RegExp][] = [
        ['/huge.json', /larger than/],
        ['/slow.json', /no answer within 1 s/],
        ['/moved.json', /redirects/],
        ['/gone.json', /answered 404/],
      ];
      for (const [path, reason] of cases) {
        await settings({ source: `${base}${path}`, format: 'json', mapping: jsonMapping });
        const error = await refusal(sync.dryRun());
        expect({ path, code: error.code }).toEqual({ path, code: 'hris_sync.source_unreadable' });
        expect(error.message).toMatch(reason);
      }
      // Plain http is for the machine itself only.
      const error = await refusal(settings({ source: 'http://hris.example.com/export.json' }));
      expect((error.details as { problems: string[] }).problems.join()).toMatch(/must use https/);
    }, 60_000);
  });

  it('schedules the job from the settings, and removes the schedule when turned off', async () => {
    await writeFile(join(dir, 'people.csv'), `${HEADER}\nsomeone@example.com,Someone,,,active\n`);
    await settings({ enabled: 'on', cron: '30 4 * * 1-5' });
    const rows: { cron: string; timezone: string }[] = await t.dataSource.query(
      `SELECT cron, timezone FROM pgboss.schedule WHERE name = 'hris.sync'`,
    );
    expect(rows).toEqual([{ cron: '30 4 * * 1-5', timezone: t.config.organisationTimeZone }]);
    // The job the schedule starts: a run of its own, held here by the safety stop.
    await sync.runScheduled();
    const [last] = await sync.recentRuns();
    expect({ trigger: last.trigger, status: last.status }).toEqual({
      trigger: 'schedule',
      status: 'stopped',
    });
    await settings({ enabled: '' });
    expect(
      await t.dataSource.query(`SELECT 1 FROM pgboss.schedule WHERE name = 'hris.sync'`),
    ).toEqual([]);
  });
});
