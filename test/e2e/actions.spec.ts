import { randomUUID } from 'node:crypto';
import { addDays, todayIn } from '../../src/modules/actions/action-dates';
import { ActionRemindersService } from '../../src/modules/actions/action-reminders.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createTeam, followRedirect, formBody, sendQueuedMail, signIn } from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

type Session = Awaited<ReturnType<typeof signIn>>;
const form = (cookie: string) => ({ 'content-type': 'application/x-www-form-urlencoded', cookie });

describe('action plans (pages, API, audit, reminders, markers)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let parent: { slug: string; id: string };
  let teamA: { slug: string; id: string };
  let teamB: { slug: string; id: string };
  let admin: Session;
  let leadA: Session;
  let leadB: Session;
  let viewerA: Session;
  let today: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url });
    parent = await createTeam(t, 'Operations');
    teamA = await createTeam(t, 'Service Desk', parent.slug);
    teamB = await createTeam(t, 'Payroll');
    admin = await signIn(t, 'admin');
    leadA = await signIn(t, 'lead', [teamA.slug]);
    leadB = await signIn(t, 'lead', [teamB.slug]);
    viewerA = await signIn(t, 'viewer', [teamA.slug]);
    today = todayIn(t.config.organisationTimeZone);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const rows = async (): Promise<number> =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM team_action'))[0].n;
  const audits = async (action?: string): Promise<number> =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE action LIKE 'action.%' AND ($1::text IS NULL OR action = $1)`,
        [action ?? null],
      )
    )[0].n;
  const lastAudit = async (action: string) =>
    (
      await t.dataSource.query(
        'SELECT details, actor_user_id FROM audit_event WHERE action = $1 ORDER BY at DESC LIMIT 1',
        [action],
      )
    )[0] as { details: Record<string, unknown>; actor_user_id: string | null };
  const action = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT status, to_char(done_on, 'YYYY-MM-DD') AS "doneOn", published, heard, planned,
                owner_user_id AS "ownerUserId", to_char(due_on, 'YYYY-MM-DD') AS "dueOn", translations
           FROM team_action WHERE id = $1`,
        [id],
      )
    )[0];

  const post = (who: Session, url: string, fields: Record<string, string>) =>
    t.request({
      method: 'POST',
      url,
      headers: form(who.cookie),
      payload: formBody({ _csrf: who.csrf, ...fields }),
    });
  const get = (who: Session, url: string) =>
    t.request({ method: 'GET', url, headers: { cookie: who.cookie } });

  const VALID = {
    heard: 'People wait too long for a first answer.',
    planned: 'A first reply within four working hours.',
    locale: 'en',
    status: 'planned',
  };

  async function createByApi(team: { slug: string }, body: Record<string, unknown>) {
    const res = await t.api({
      method: 'POST',
      url: `/api/v1/teams/${team.slug}/actions`,
      payload: { heard: VALID.heard, planned: VALID.planned, locale: 'en', ...body },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; status: string; doneOn: string | null; published: boolean };
  }

  describe('who may see and change what', () => {
    it('lets a team’s lead start an action, with the form’s PRG and a notice once', async () => {
      const page = await get(leadA, `/teams/${teamA.slug}/actions/new`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('What we heard');
      const before = await rows();
      const res = await post(leadA, `/teams/${teamA.slug}/actions`, {
        ...VALID,
        ownerId: leadA.userId,
        dueOn: addDays(today, 20),
        published: 'yes',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/teams/${teamA.slug}/actions`);
      expect(await rows()).toBe(before + 1);
      const list = await followRedirect(t, res, leadA.cookie);
      expect(list.body).toContain('The action was created.');
      expect(list.body).toContain(VALID.planned);
      const audit = await lastAudit('action.created');
      expect(audit.actor_user_id).toBe(leadA.userId);
      expect(audit.details).toMatchObject({ team: teamA.slug, status: 'planned', published: true });
      // A reload shows the notice no more.
      const again = await get(leadA, `/teams/${teamA.slug}/actions`);
      expect(again.body).not.toContain('The action was created.');
    });

    it('answers 404 to the lead of another team, on every page and form, and audits it', async () => {
      const { id } = await createByApi(teamA, {});
      const denied = async () =>
        (
          await t.dataSource.query(
            "SELECT count(*)::int AS n FROM audit_event WHERE action = 'access.denied'",
          )
        )[0].n as number;
      const before = await denied();
      const n = await rows();
      for (const url of [
        `/teams/${teamA.slug}/actions`,
        `/teams/${teamA.slug}/actions/new`,
        `/teams/${teamA.slug}/actions/${id}/edit`,
      ])
        expect({ url, status: (await get(leadB, url)).statusCode }).toEqual({ url, status: 404 });
      for (const url of [
        `/teams/${teamA.slug}/actions`,
        `/teams/${teamA.slug}/actions/${id}`,
        `/teams/${teamA.slug}/actions/${id}/status`,
      ])
        expect({
          url,
          status: (await post(leadB, url, { ...VALID, status: 'done' })).statusCode,
        }).toEqual({ url, status: 404 });
      expect(await denied()).toBe(before + 6);
      expect(await rows()).toBe(n);
      // An action of team A under team B's address is not found either.
      expect((await get(leadB, `/teams/${teamB.slug}/actions/${id}/edit`)).statusCode).toBe(404);
      expect(
        (await post(leadB, `/teams/${teamB.slug}/actions/${id}/status`, { status: 'done' }))
          .statusCode,
      ).toBe(404);
      expect((await action(id)).status).toBe('planned');
    });

    it('lets a lead of the team above change the team’s actions', async () => {
      const leadP = await signIn(t, 'lead', [parent.slug]);
      const { id } = await createByApi(teamA, {});
      const res = await post(leadP, `/teams/${teamA.slug}/actions/${id}/status`, {
        status: 'in_progress',
      });
      expect(res.statusCode).toBe(303);
      expect((await action(id)).status).toBe('in_progress');
    });

    it('gives viewers the published actions to read, and 403 on every change', async () => {
      const published = await createByApi(teamA, { published: true, status: 'in_progress' });
      const internal = await createByApi(teamA, {
        planned: 'An internal plan nobody else reads.',
      });
      const list = await get(viewerA, `/teams/${teamA.slug}/actions`);
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain(published.id);
      expect(list.body).not.toContain(internal.id);
      expect(list.body).not.toContain('An internal plan nobody else reads.');
      expect(list.body).not.toContain('Start an action');
      const n = await rows();
      const a = await audits();
      expect((await get(viewerA, `/teams/${teamA.slug}/actions/new`)).statusCode).toBe(403);
      expect(
        (await get(viewerA, `/teams/${teamA.slug}/actions/${internal.id}/edit`)).statusCode,
      ).toBe(403);
      expect((await post(viewerA, `/teams/${teamA.slug}/actions`, VALID)).statusCode).toBe(403);
      expect(
        (await post(viewerA, `/teams/${teamA.slug}/actions/${internal.id}`, VALID)).statusCode,
      ).toBe(403);
      expect(
        (
          await post(viewerA, `/teams/${teamA.slug}/actions/${internal.id}/status`, {
            status: 'done',
          })
        ).statusCode,
      ).toBe(403);
      expect((await get(viewerA, '/actions')).statusCode).toBe(403);
      expect(await rows()).toBe(n);
      expect(await audits()).toBe(a);
    });

    it('shows HR every team’s actions in one list, and a lead only their teams’', async () => {
      const a = await createByApi(teamA, { planned: 'Plan of team A, listed.' });
      const b = await createByApi(teamB, {
        planned: 'Plan of team B, listed.',
        dueOn: addDays(today, -3),
      });
      const all = await get(admin, '/actions');
      expect(all.statusCode).toBe(200);
      expect(all.body).toContain(a.id);
      expect(all.body).toContain(b.id);
      const mine = await get(leadA, '/actions');
      expect(mine.statusCode).toBe(200);
      expect(mine.body).toContain(a.id);
      expect(mine.body).not.toContain(b.id);
      // Filters: team, overdue, status, published.
      const onlyB = await get(admin, `/actions?team=${teamB.slug}`);
      expect(onlyB.body).toContain(b.id);
      expect(onlyB.body).not.toContain(a.id);
      const overdue = await get(admin, '/actions?overdue=yes');
      expect(overdue.body).toContain(b.id);
      expect(overdue.body).not.toContain(a.id);
      const done = await get(admin, '/actions?status=done');
      expect(done.body).not.toContain(a.id);
      const internal = await get(admin, '/actions?published=false');
      expect(internal.body).toContain(a.id);
      expect((await get(admin, '/actions?status=finished')).statusCode).toBe(400);
      expect((await get(admin, '/actions?team=Not%20A%20Slug')).statusCode).toBe(400);
      // The header links to it for HR and leads, not for viewers.
      expect(all.body).toContain('href="/actions"');
      expect((await get(viewerA, `/teams/${teamA.slug}/actions`)).body).not.toContain(
        'href="/actions"',
      );
    });
  });

  describe('bad input on the form: a clear 400 naming the field, nothing written', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['heard missing', { heard: '' }, 'What we heard is required'],
      ['heard too short', { heard: 'x' }, 'What we heard must be 2 to 500 characters'],
      ['heard too long', { heard: 'x'.repeat(501) }, 'What we heard must be 2 to 500 characters'],
      ['planned missing', { planned: '   ' }, 'What we will do is required'],
      ['planned control characters', { planned: 'ab\u0007cd' }, 'What we will do contains control'],
      ['locale unknown', { locale: 'de' }, 'Language of the text must be one of en, es, ja, fa'],
      ['owner not an id', { ownerId: 'someone' }, 'Owner must be the id of a person'],
      ['owner unknown', { ownerId: randomUUID() }, 'Owner must be a person who may see this team'],
      ['due date not a date', { dueOn: 'next week' }, 'Due date must be a date in the form'],
      ['due date not in the calendar', { dueOn: '2027-02-30' }, 'February 2027 has 28 days'],
      ['status unknown', { status: 'finished' }, 'Status must be one of planned'],
      [
        'done date in the future',
        { status: 'done', doneOn: '2999-01-01' },
        'Done on must not be in the future',
      ],
      ['done date not a date', { status: 'done', doneOn: '2026-13-01' }, 'there is no month 13'],
      [
        'translation without its second text',
        { tr_es_heard: 'La gente espera demasiado.' },
        'Spanish translation of what we will do is required',
      ],
      [
        'translation too short',
        { tr_ja_heard: '長い', tr_ja_planned: 'x' },
        'Japanese translation of what we will do must be 2 to 500 characters',
      ],
      [
        'translation into the text’s own language',
        { tr_en_heard: 'Same language.', tr_en_planned: 'Same language again.' },
        'the action is written in en',
      ],
      ['dropped and published', { status: 'dropped', published: 'yes' }, 'cannot be published'],
    ];

    it.each(cases)('%s', async (_name, fields, message) => {
      const n = await rows();
      const a = await audits();
      const res = await post(leadA, `/teams/${teamA.slug}/actions`, { ...VALID, ...fields });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Nothing was saved');
      expect(res.body).toContain(message.replace(/'/g, '&#x27;'));
      // The form comes back with what was typed.
      if (fields.heard && fields.heard.length < 50) expect(res.body).toContain(fields.heard);
      expect(await rows()).toBe(n);
      expect(await audits()).toBe(a);
    });

    it('refuses as owner someone with an account who may not see the team', async () => {
      const n = await rows();
      const res = await post(leadA, `/teams/${teamA.slug}/actions`, {
        ...VALID,
        ownerId: leadB.userId,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Owner must be a person who may see this team');
      expect(await rows()).toBe(n);
    });

    it('refuses a viewer of the team as owner (the reminder carries the internal text)', async () => {
      const n = await rows();
      const res = await t.api({
        method: 'POST',
        url: `/api/v1/teams/${teamA.slug}/actions`,
        payload: {
          heard: VALID.heard,
          planned: 'Internal: a plan viewers must not read',
          locale: 'en',
          ownerId: viewerA.userId,
        },
      });
      expect(res.statusCode).toBe(400);
      expect(await rows()).toBe(n);
      const page = await get(leadA, `/teams/${teamA.slug}/actions/new`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(`value="${viewerA.userId}"`);
      expect(page.body).toContain(`value="${leadA.userId}"`);
    });

    it('refuses a bad edit and a bad status change the same way', async () => {
      const { id } = await createByApi(teamA, {});
      const a = await audits();
      const edit = await post(leadA, `/teams/${teamA.slug}/actions/${id}`, {
        ...VALID,
        dueOn: '2027-04-31',
      });
      expect(edit.statusCode).toBe(400);
      expect(edit.body).toContain('April 2027 has 30 days');
      const status = await post(leadA, `/teams/${teamA.slug}/actions/${id}/status`, {
        status: 'finished',
      });
      expect(status.statusCode).toBe(400);
      expect(status.body).toContain('Status must be one of');
      expect((await action(id)).status).toBe('planned');
      expect(await audits()).toBe(a);
    });
  });

  describe('changes and their audit', () => {
    it('edits fields (action.updated names them) and changes status (action.status_changed)', async () => {
      const { id } = await createByApi(teamA, { published: true });
      const res = await post(leadA, `/teams/${teamA.slug}/actions/${id}`, {
        ...VALID,
        planned: 'A first reply within two working hours.',
        dueOn: addDays(today, 10),
        ownerId: leadA.userId,
        published: 'yes',
        tr_fa_heard: 'مردم برای اولین پاسخ زیاد منتظر می‌مانند.',
        tr_fa_planned: 'اولین پاسخ ظرف دو ساعت کاری.',
      });
      expect(res.statusCode).toBe(303);
      const updated = await lastAudit('action.updated');
      expect(updated.details).toMatchObject({
        team: teamA.slug,
        fields: expect.arrayContaining(['planned', 'dueOn', 'ownerId', 'translations']),
        dueOn: { from: null, to: addDays(today, 10) },
        ownerId: { from: null, to: leadA.userId },
      });
      expect(JSON.stringify(updated.details)).not.toContain('two working hours');
      const row = await action(id);
      expect(row.ownerUserId).toBe(leadA.userId);
      expect(row.translations.fa.planned).toBe('اولین پاسخ ظرف دو ساعت کاری.');

      // Saving the same again writes nothing.
      const a = await audits();
      const same = await post(leadA, `/teams/${teamA.slug}/actions/${id}`, {
        ...VALID,
        planned: 'A first reply within two working hours.',
        dueOn: addDays(today, 10),
        ownerId: leadA.userId,
        published: 'yes',
        tr_fa_heard: 'مردم برای اولین پاسخ زیاد منتظر می‌مانند.',
        tr_fa_planned: 'اولین پاسخ ظرف دو ساعت کاری.',
      });
      expect(same.statusCode).toBe(303);
      expect(await audits()).toBe(a);

      // Done: today in the organisation's zone.
      await post(leadA, `/teams/${teamA.slug}/actions/${id}/status`, { status: 'done' });
      expect(await action(id)).toMatchObject({ status: 'done', doneOn: today });
      expect((await lastAudit('action.status_changed')).details).toMatchObject({
        from: 'planned',
        to: 'done',
        doneOn: today,
      });
      // Back to in progress: the done date goes.
      await post(leadA, `/teams/${teamA.slug}/actions/${id}/status`, { status: 'in_progress' });
      expect(await action(id)).toMatchObject({ status: 'in_progress', doneOn: null });
      await post(leadA, `/teams/${teamA.slug}/actions/${id}/status`, {
        status: 'done',
        doneOn: addDays(today, -7),
      });
      expect(await action(id)).toMatchObject({ status: 'done', doneOn: addDays(today, -7) });
      // Dropping unpublishes it, and says so.
      await post(leadA, `/teams/${teamA.slug}/actions/${id}/status`, { status: 'dropped' });
      expect(await action(id)).toMatchObject({ status: 'dropped', doneOn: null, published: false });
      expect((await lastAudit('action.status_changed')).details).toMatchObject({
        from: 'done',
        to: 'dropped',
        unpublished: true,
      });
    });
  });

  describe('changes at the same time', () => {
    it('lands two simultaneous PATCHes of different fields, each audited with what it did', async () => {
      for (let i = 0; i < 8; i++) {
        const { id } = await createByApi(teamA, {});
        const due = addDays(today, 20 + i);
        const [a, b] = await Promise.all([
          t.api({ method: 'PATCH', url: `/api/v1/actions/${id}`, payload: { dueOn: due } }),
          t.api({
            method: 'PATCH',
            url: `/api/v1/actions/${id}`,
            payload: { status: 'in_progress', published: true },
          }),
        ]);
        expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
        const row = await action(id);
        expect(row).toMatchObject({ dueOn: due, status: 'in_progress', published: true });
        const entries: { action: string; details: Record<string, unknown> }[] =
          await t.dataSource.query(
            `SELECT action, details FROM audit_event WHERE target = $1 AND action <> 'action.created' ORDER BY at`,
            [`action ${id}`],
          );
        expect(entries.map((e) => e.action).sort()).toEqual([
          'action.status_changed',
          'action.updated',
          'action.updated',
        ]);
        const fields = entries
          .filter((e) => e.action === 'action.updated')
          .map((e) => (e.details.fields as string[]).join(','))
          .sort();
        expect(fields).toEqual(['dueOn', 'published']);
      }
    });
  });

  describe('starting from what was heard', () => {
    it('prefills from the iNPS, a period’s comments and a follow-up, in words, without answers', async () => {
      const nps = await get(
        leadA,
        `/teams/${teamA.slug}/actions/new?origin=question&questionId=nps&period=month&at=2026-10-01`,
      );
      expect(nps.statusCode).toBe(200);
      // No answers: the figure is withheld, as on the team page.
      expect(nps.body).toContain('iNPS from pulse surveys in 2026-10 (withheld: fewer than');
      expect(nps.body).toContain('name="ref_questionId" value="nps"');

      const comments = await get(
        leadA,
        `/teams/${teamA.slug}/actions/new?origin=comments&period=quarter&at=2026-07-01`,
      );
      expect(comments.body).toContain('Comments of 2026 Q3: ');
      expect(comments.body).toContain('Summarise, do not quote');

      const followUp = await get(
        leadA,
        `/teams/${teamA.slug}/actions/new?origin=follow_up&followUpId=${randomUUID()}`,
      );
      expect(followUp.body).toContain('not one of this team');

      for (const query of [
        'origin=question&questionId=not-an-id',
        'origin=teleport',
        'origin=comments&period=decade',
        'origin=comments&at=2026-02-30',
        'origin=follow_up&followUpId=123',
      ])
        expect({
          query,
          status: (await get(leadA, `/teams/${teamA.slug}/actions/new?${query}`)).statusCode,
        }).toEqual({ query, status: 400 });
    });

    it('keeps where the action came from', async () => {
      const res = await post(leadA, `/teams/${teamA.slug}/actions`, {
        ...VALID,
        origin: 'comments',
        ref_period: 'month',
        ref_at: '2026-10-01',
      });
      expect(res.statusCode).toBe(303);
      const [row] = await t.dataSource.query(
        'SELECT origin, origin_ref FROM team_action ORDER BY created_at DESC LIMIT 1',
      );
      expect(row).toEqual({
        origin: 'comments',
        origin_ref: { period: 'month', at: '2026-10-01' },
      });
    });

    it('links to it from the team page for leads and HR, not for viewers', async () => {
      const lead = await get(leadA, `/teams/${teamA.slug}`);
      expect(lead.body).toContain(
        `/teams/${teamA.slug}/actions/new?origin=question&amp;questionId=nps`,
      );
      const viewer = await get(viewerA, `/teams/${teamA.slug}`);
      expect(viewer.statusCode).toBe(200);
      expect(viewer.body).not.toContain('/actions/new');
    });
  });

  describe('trend markers', () => {
    const trendOf = (body: string) =>
      JSON.parse(
        body.match(/<script type="application\/json" id="trend-data"[^>]*>([^<]*)<\/script>/)![1],
      ) as { labels: string[]; markers: { x: number; doneOn: string; label: string }[] };

    it('marks actions done in the visible range at their done date; internal ones for leads only', async () => {
      const doneOn = addDays(today, -40);
      const internal = await createByApi(teamA, {
        planned: 'Internal marker plan',
        status: 'done',
        doneOn,
      });
      const published = await createByApi(teamA, {
        planned: 'Published marker plan',
        status: 'done',
        doneOn,
        published: true,
      });
      expect(internal.doneOn).toBe(doneOn);
      const lead = trendOf((await get(leadA, `/teams/${teamA.slug}?period=month`)).body);
      const labels = lead.markers.map((m) => m.label);
      expect(labels).toEqual(
        expect.arrayContaining(['Internal marker plan', 'Published marker plan']),
      );
      const marker = lead.markers.find((m) => m.label === 'Published marker plan')!;
      // The chart speaks the page's language: the day and the month as Intl writes them in English.
      const noon = new Date(`${doneOn}T12:00:00Z`);
      expect(marker.doneOn).toBe(
        new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(noon),
      );
      // Placed in the bucket of its month, at its day.
      expect(lead.labels[Math.floor(marker.x)]).toBe(
        new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
          noon,
        ),
      );
      const viewer = trendOf((await get(viewerA, `/teams/${teamA.slug}?period=month`)).body);
      expect(viewer.markers.map((m) => m.label)).toContain('Published marker plan');
      expect(viewer.markers.map((m) => m.label)).not.toContain('Internal marker plan');
      // Another team's page has none of them; a range before the done date neither.
      const other = trendOf((await get(admin, `/teams/${teamB.slug}?period=month`)).body);
      expect(other.markers).toEqual([]);
      const before = trendOf(
        (await get(leadA, `/teams/${teamA.slug}?period=month&at=${addDays(doneOn, -400)}`)).body,
      );
      expect(before.markers.map((m) => m.label)).not.toContain('Published marker plan');
      void published;
    });
  });

  describe('API', () => {
    it('creates, reads, lists, filters and changes actions; no DELETE', async () => {
      const created = await createByApi(teamB, {
        dueOn: addDays(today, 5),
        translations: { es: { heard: 'La gente espera.', planned: 'Responder antes.' } },
      });
      const one = await t.api({ method: 'GET', url: `/api/v1/actions/${created.id}` });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({
        id: created.id,
        team: { slug: teamB.slug },
        status: 'planned',
        translations: { es: { heard: 'La gente espera.' } },
      });
      const list = await t.api({
        method: 'GET',
        url: `/api/v1/actions?team=${teamB.slug}&status=planned&due_before=${addDays(today, 6)}`,
      });
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((i: { id: string }) => i.id)).toContain(created.id);
      const none = await t.api({
        method: 'GET',
        url: `/api/v1/actions?team=${teamB.slug}&due_before=${addDays(today, 5)}`,
      });
      expect(none.json().items.map((i: { id: string }) => i.id)).not.toContain(created.id);
      const teamList = await t.api({ method: 'GET', url: `/api/v1/teams/${teamB.slug}/actions` });
      expect(teamList.json().items.map((i: { id: string }) => i.id)).toContain(created.id);

      const patched = await t.api({
        method: 'PATCH',
        url: `/api/v1/actions/${created.id}`,
        payload: { status: 'done', published: true },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ status: 'done', doneOn: today, published: true });
      expect((await lastAudit('action.status_changed')).details).toMatchObject({ to: 'done' });

      const deleted = await t.api({ method: 'DELETE', url: `/api/v1/actions/${created.id}` });
      expect(deleted.statusCode).toBe(404);
      expect(await action(created.id)).toBeDefined();
      expect(
        (await t.api({ method: 'GET', url: `/api/v1/actions/${randomUUID()}` })).statusCode,
      ).toBe(404);
    });

    it('answers 400 naming the field for bad input, and writes nothing', async () => {
      const { id } = await createByApi(teamA, {});
      const bad: [Record<string, unknown>, string][] = [
        [{ heard: 42 }, 'heard must be a text'],
        [{ heard: '' }, 'heard is required'],
        [{ planned: 'y'.repeat(501) }, 'planned must be 2 to 500 characters'],
        [{ locale: 'EN' }, 'locale must be one of'],
        [{ ownerId: 'me' }, 'ownerId must be the id'],
        [{ dueOn: '2026-02-29' }, 'February 2026 has 28 days'],
        [{ dueOn: 20261201 }, 'dueOn must be a date'],
        [{ status: 'closed' }, 'status must be one of'],
        [{ status: 'done', doneOn: addDays(today, 1) }, 'doneOn must not be in the future'],
        [{ doneOn: addDays(today, -1) }, 'doneOn is set only when status is done'],
        [{ published: 'yes' }, 'published must be true or false'],
        [{ translations: { de: { heard: 'Hallo du', planned: 'Tschüss' } } }, '"de" is not one of'],
        [{ translations: { es: { heard: 'Solo esto' } } }, 'translations.es.planned is required'],
        [{ translations: ['es'] }, 'translations must be an object'],
        [{ origin: 'rumour' }, 'origin must be one of'],
        [{ originRef: { answer: 'x'.repeat(100) } }, 'originRef must be'],
        [{ colour: 'red' }, 'unknown field(s) colour'],
        [{ status: 'dropped', published: true }, 'cannot be published'],
        [{ ownerId: leadB.userId }, 'ownerId must be a person who may see this team'],
      ];
      for (const [payload, message] of bad) {
        const n = await rows();
        const a = await audits();
        const before = await action(id);
        const patch = await t.api({ method: 'PATCH', url: `/api/v1/actions/${id}`, payload });
        expect({ payload, status: patch.statusCode }).toEqual({ payload, status: 400 });
        expect(patch.json().message).toContain(message);
        expect(patch.json().error).toMatch(/^action\./);
        const create = await t.api({
          method: 'POST',
          url: `/api/v1/teams/${teamA.slug}/actions`,
          payload: { ...VALID, ...payload },
        });
        expect({ payload, status: create.statusCode }).toEqual({ payload, status: 400 });
        expect(await rows()).toBe(n);
        expect(await audits()).toBe(a);
        expect(await action(id)).toEqual(before);
      }
      const notJson = await t.api({
        method: 'POST',
        url: `/api/v1/teams/${teamA.slug}/actions`,
        payload: [1, 2],
      });
      expect(notJson.statusCode).toBe(400);
      expect(
        (await t.api({ method: 'GET', url: '/api/v1/actions?due_before=tomorrow' })).statusCode,
      ).toBe(400);
      expect(
        (await t.api({ method: 'GET', url: '/api/v1/actions?team=no-such-team' })).statusCode,
      ).toBe(400);
    });

    it('reads with actions:read, writes only with actions:write', async () => {
      const accounts = t.get(AccountsService);
      const { value: reader } = await accounts.createApiToken(undefined, {
        name: 'reader',
        scopes: ['actions:read'],
      });
      const { value: reports } = await accounts.createApiToken(undefined, {
        name: 'reports',
        scopes: ['reports:read'],
      });
      const { id } = await createByApi(teamA, {});
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      expect(
        (await t.request({ method: 'GET', url: '/api/v1/actions', headers: as(reader) }))
          .statusCode,
      ).toBe(200);
      const n = await rows();
      expect(
        (
          await t.request({
            method: 'POST',
            url: `/api/v1/teams/${teamA.slug}/actions`,
            headers: as(reader),
            payload: VALID,
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (
          await t.request({
            method: 'PATCH',
            url: `/api/v1/actions/${id}`,
            headers: as(reader),
            payload: { status: 'done' },
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (await t.request({ method: 'GET', url: '/api/v1/actions', headers: as(reports) }))
          .statusCode,
      ).toBe(403);
      expect((await t.request({ method: 'GET', url: '/api/v1/actions' })).statusCode).toBe(401);
      expect(await rows()).toBe(n);
      expect((await action(id)).status).toBe('planned');
    });
  });

  describe('reminders', () => {
    it('mails the owner once before the due date and once when overdue, however often the job runs', async () => {
      const owner = await signIn(t, 'lead', [teamA.slug]);
      const soon = await createByApi(teamA, {
        planned: 'Reminder plan due soon',
        ownerId: owner.userId,
        dueOn: addDays(today, 2),
      });
      await createByApi(teamA, {
        planned: 'Reminder plan overdue',
        ownerId: owner.userId,
        dueOn: addDays(today, -1),
        status: 'in_progress',
      });
      await createByApi(teamA, {
        planned: 'Reminder plan far away',
        ownerId: owner.userId,
        dueOn: addDays(today, t.config.actionReminderDays + 5),
      });
      await createByApi(teamA, {
        planned: 'Reminder plan done',
        ownerId: owner.userId,
        dueOn: addDays(today, -2),
        status: 'done',
      });
      const reminders = t.get(ActionRemindersService);
      const first = await reminders.remind();
      expect(first.soon).toBeGreaterThanOrEqual(1);
      expect(first.overdue).toBeGreaterThanOrEqual(1);
      await sendQueuedMail(t);
      expect(await reminders.remind()).toEqual({ soon: 0, overdue: 0 });
      await sendQueuedMail(t);
      const mails = () =>
        sink.mails.filter((m) =>
          (Array.isArray(m.to) ? m.to : [m.to]).some((to) =>
            to?.value.some((v) => v.address === owner.email),
          ),
        );
      const subjects = mails()
        .map((m) => m.subject ?? '')
        .filter((s) => s.startsWith('Action'));
      expect(
        subjects.filter((s) => s.startsWith(`Action due on ${addDays(today, 2)}`)),
      ).toHaveLength(1);
      expect(
        subjects.filter((s) => s.startsWith(`Action overdue since ${addDays(today, -1)}`)),
      ).toHaveLength(1);
      expect(subjects).toHaveLength(2);
      const dueMail = mails().find((m) => m.subject?.startsWith('Action due'))!;
      expect(dueMail.text).toContain('Reminder plan due soon');
      expect(dueMail.text).toContain(
        `${t.config.baseUrl}/teams/${teamA.slug}/actions/${soon.id}/edit`,
      );

      // Two runs at once (two instances): one mail each still.
      await t.api({
        method: 'PATCH',
        url: `/api/v1/actions/${soon.id}`,
        payload: { dueOn: addDays(today, 3) },
      });
      const both = await Promise.all([reminders.remind(), reminders.remind()]);
      expect(both[0].soon + both[1].soon).toBe(1);

      // A new due date starts over: one more reminder for it.
      await t.api({
        method: 'PATCH',
        url: `/api/v1/actions/${soon.id}`,
        payload: { dueOn: addDays(today, 1) },
      });
      expect((await reminders.remind()).soon).toBe(1);
      expect((await reminders.remind()).soon).toBe(0);

      // A disabled account gets none.
      await t
        .get(AccountsService)
        .update(
          undefined as never,
          owner.userId,
          { role: 'lead', disabled: true, teamSlugs: [teamA.slug] },
          { ip: '127.0.0.1' },
        );
      await t.dataSource.query('UPDATE team_action SET due_on = $1 WHERE id = $2', [
        addDays(today, 2),
        soon.id,
      ]);
      expect(await reminders.remind()).toEqual({ soon: 0, overdue: 0 });
    });

    it('sends nothing to an owner who may no longer see the team, and lists the action as such', async () => {
      const moved = await signIn(t, 'lead', [teamA.slug]);
      const planned = 'Internal plan for a lead who moves away';
      const created = await createByApi(teamA, {
        planned,
        ownerId: moved.userId,
        dueOn: addDays(today, 1),
      });
      // An action owned by a viewer from before owners had to be leads or HR.
      const legacy = await createByApi(teamA, { planned: 'Internal plan owned by a viewer' });
      await t.dataSource.query(
        'UPDATE team_action SET owner_user_id = $1, due_on = $2 WHERE id = $3',
        [viewerA.userId, addDays(today, -1), legacy.id],
      );
      // The lead moves to another team.
      await t
        .get(AccountsService)
        .update(
          undefined as never,
          moved.userId,
          { role: 'lead', disabled: false, teamSlugs: [teamB.slug] },
          { ip: '127.0.0.1' },
        );
      const reminders = t.get(ActionRemindersService);
      await reminders.remind();
      await sendQueuedMail(t);
      const queued = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM mail_message WHERE to_address IN ($1, $2)',
        [moved.email, viewerA.email],
      );
      expect(queued[0].n).toBe(0);
      const to = (m: (typeof sink.mails)[number]) =>
        (Array.isArray(m.to) ? m.to : [m.to]).flatMap((x) => x?.value.map((v) => v.address));
      expect(
        sink.mails.filter(
          (m) =>
            m.subject?.startsWith('Action') &&
            (to(m).includes(moved.email) || to(m).includes(viewerA.email)),
        ),
      ).toHaveLength(0);
      // Nothing claimed: once it has an owner who may see the team, the reminder goes.
      const read = await t.api({ method: 'GET', url: `/api/v1/actions/${created.id}` });
      expect(read.json().owner).toMatchObject({ id: moved.userId, hasAccess: false });
      const list = await get(leadA, `/teams/${teamA.slug}/actions`);
      expect(list.body).toContain('owner has no access');
      const all = await get(admin, `/actions?team=${teamA.slug}`);
      expect(all.body).toContain('owner has no access');
      const fixed = await t.api({
        method: 'PATCH',
        url: `/api/v1/actions/${created.id}`,
        payload: { ownerId: leadA.userId },
      });
      expect(fixed.statusCode).toBe(200);
      expect(fixed.json().owner).toMatchObject({ id: leadA.userId, hasAccess: true });
      expect((await reminders.remind()).soon).toBeGreaterThanOrEqual(1);
      const toLead = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM mail_message WHERE to_address = $1 AND dedupe_key = $2`,
        [leadA.email, `action-soon:${created.id}:${addDays(today, 1)}`],
      );
      expect(toLead[0].n).toBe(1);
    });
  });
});
