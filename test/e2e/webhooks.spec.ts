import { DirectoryService } from '../../src/modules/directory/directory.service';
import { periodStart, previousPeriodStart } from '../../src/modules/responses/release-periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { FollowUpsService } from '../../src/modules/tickets/follow-ups.service';
import { INTEGRATION_KINDS } from '../../src/modules/tickets/entities/integration.entity';
import { IntegrationsService } from '../../src/modules/tickets/integrations.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam, formBody, openSurvey, submitSurvey } from '../factories';
import {
  createIntegration,
  deliver,
  FIXTURE_REQUESTERS,
  FIXTURES,
  fixture,
  type Json,
  retimed,
  sendQueuedMail,
  signedHeaders,
  type TestIntegration,
  ticketRowId,
  webhookRows,
} from '../factories/webhooks';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

const STACK_TRACE = /at .+\.(ts|js):\d+/;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** A generic ticket event (the documented shape), times relative to now. */
function genericEvent(
  type: string,
  ticket: string,
  options: { at?: number; email?: string; extra?: Json } = {},
): Json {
  const at = options.at ?? Date.now() - MINUTE;
  return {
    type: `ticket.${type}`,
    occurredAt: new Date(at).toISOString(),
    ticket: {
      id: ticket,
      requester: { email: options.email ?? 'requester@example.com' },
      group: { name: 'Service Desk' },
      category: 'Hardware',
      priority: 'high',
      channel: 'portal',
      createdAt: new Date(at - 5 * 3_600_000).toISOString(),
      ...(type === 'resolved' ? { resolvedAt: new Date(at).toISOString() } : {}),
      ...(options.extra ?? {}),
    },
  };
}

describe('ticket webhooks', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let teamSlug: string;
  let teamName: string;
  const integrations = {} as Record<(typeof INTEGRATION_KINDS)[number], TestIntegration>;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      TICKET_INVITE_MAX_WAIT_HOURS: '0',
    });
    const team = await createTeam(t, 'Service Desk');
    teamSlug = team.slug;
    teamName = team.name;
    for (const kind of INTEGRATION_KINDS) {
      integrations[kind] = await createIntegration(t, kind, {
        defaultTeam: teamSlug,
        delayMinutes: 0,
      });
    }
    for (const email of [...Object.values(FIXTURE_REQUESTERS), 'requester@example.com']) {
      await t.get(DirectoryService).create({ email, name: email.split('@')[0], locale: 'en' });
    }
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  describe('refuses every bad delivery with a clear 4xx and stores nothing', () => {
    const generic = () => integrations.generic;
    const body = () => JSON.stringify(genericEvent('resolved', 'BAD-1'));

    async function expectRefused(
      send: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>,
      status: number,
      code: string | RegExp,
    ) {
      const before = await webhookRows(t);
      const res = await send();
      expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toEqual({
        status,
        body: expect.any(String),
      });
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const json = JSON.parse(res.body);
      expect(json.error).toEqual(code instanceof RegExp ? expect.stringMatching(code) : code);
      expect(json.message).toEqual(expect.any(String));
      expect(res.body).not.toMatch(STACK_TRACE);
      expect(await webhookRows(t)).toEqual(before);
    }

    const post = (headers: Record<string, string>, payload: string | Buffer, id = generic().id) =>
      t.request({ method: 'POST', url: `/webhooks/${id}`, headers, payload });

    it('a missing signature', async () => {
      await expectRefused(
        () => post({ 'content-type': 'application/json' }, body()),
        401,
        'webhook.signature_missing',
      );
    });

    it('a forged signature', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b);
      headers['webhook-signature'] = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
      await expectRefused(() => post(headers, b), 401, 'webhook.signature_invalid');
    });

    it('a truncated signature', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b);
      headers['webhook-signature'] = headers['webhook-signature'].slice(0, 24);
      await expectRefused(() => post(headers, b), 401, 'webhook.signature_invalid');
    });

    it('a stale signature (6 minutes old)', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b, {
        at: Date.now() - 6 * MINUTE,
      });
      await expectRefused(() => post(headers, b), 401, 'webhook.timestamp_stale');
    });

    it('a signature from the future (6 minutes ahead)', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b, {
        at: Date.now() + 6 * MINUTE,
      });
      await expectRefused(() => post(headers, b), 401, 'webhook.timestamp_future');
    });

    it('one byte of the body changed after signing', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b);
      await expectRefused(
        () => post(headers, b.replace('BAD-1', 'BAD-2')),
        401,
        'webhook.signature_invalid',
      );
    });

    it('a body signed with another integration’s secret', async () => {
      const other = await createIntegration(t, 'generic', { defaultTeam: teamSlug });
      const b = body();
      await expectRefused(
        () => post(signedHeaders('generic', other.secret, b), b),
        401,
        'webhook.signature_invalid',
      );
      // And each system's own scheme refuses a stranger's secret too.
      for (const kind of ['jira', 'zendesk', 'servicenow', 'freshservice'] as const) {
        const payload = JSON.stringify(retimed(fixture(FIXTURES[kind])));
        await expectRefused(
          () => post(signedHeaders(kind, other.secret, payload), payload, integrations[kind].id),
          401,
          'webhook.signature_invalid',
        );
      }
    });

    it('an unknown or malformed integration id', async () => {
      const b = body();
      const headers = signedHeaders('generic', generic().secret, b);
      await expectRefused(
        () => post(headers, b, '00000000-0000-4000-8000-000000000000'),
        404,
        'webhook.unknown_integration',
      );
      await expectRefused(() => post(headers, b, 'not-an-id'), 404, 'webhook.unknown_integration');
    });

    it('an oversized body (413 before any work)', async () => {
      const big = JSON.stringify({ type: 'ticket.resolved', pad: 'x'.repeat(300 * 1024) });
      await expectRefused(
        () => post(signedHeaders('generic', generic().secret, big), big),
        413,
        'payload_too_large',
      );
    });

    it('malformed JSON, even correctly signed', async () => {
      const b = '{"type":"ticket.resolved","ticket":{"id":';
      await expectRefused(
        () => post(signedHeaders('generic', generic().secret, b), b),
        400,
        'webhook.malformed_json',
      );
    });

    it('a deeply nested body', async () => {
      const b = `{"type":"ticket.resolved","ticket":{"id":"N-1","x":${'{"a":'.repeat(60)}1${'}'.repeat(60)}}}`;
      await expectRefused(
        () => post(signedHeaders('generic', generic().secret, b), b),
        400,
        'webhook.rejected_input',
      );
    });

    it('prototype-pollution keys', async () => {
      for (const b of [
        '{"type":"ticket.resolved","ticket":{"id":"P-1","__proto__":{"isAdmin":true}}}',
        '{"type":"ticket.resolved","constructor":{"prototype":{"isAdmin":true}},"ticket":{"id":"P-2"}}',
      ]) {
        await expectRefused(
          () => post(signedHeaders('generic', generic().secret, b), b),
          400,
          'webhook.forbidden_key',
        );
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('header injection in e-mail fields', async () => {
      for (const email of [
        'mia@example.com\r\nBcc: everyone@example.com',
        'mia@example.com\nSubject: hi',
        'mia@example.com, boss@example.com',
        'Mia <mia@example.com>',
      ]) {
        const b = JSON.stringify(genericEvent('resolved', 'INJ-1', { email }));
        await expectRefused(
          () => post(signedHeaders('generic', generic().secret, b), b),
          422,
          'webhook.unprocessable',
        );
      }
      // The same in a system's own payload: Zendesk's requester e-mail.
      const zendesk = retimed(fixture(FIXTURES.zendesk));
      (zendesk.ticket as { requester: { email: string } }).requester.email =
        'lena.novak@example.com\r\nBcc: all@example.com';
      const zb = JSON.stringify(zendesk);
      await expectRefused(
        () =>
          post(
            signedHeaders('zendesk', integrations.zendesk.secret, zb),
            zb,
            integrations.zendesk.id,
          ),
        422,
        'webhook.unprocessable',
      );
    });

    it('a payload naming no ticket, or not JSON at all', async () => {
      const b = JSON.stringify({ type: 'ticket.resolved', ticket: {} });
      await expectRefused(
        () => post(signedHeaders('generic', generic().secret, b), b),
        422,
        'webhook.unprocessable',
      );
      await expectRefused(
        () =>
          post(
            { ...signedHeaders('generic', generic().secret, 'a=b'), 'content-type': 'text/plain' },
            'a=b',
          ),
        400,
        'webhook.content_type',
      );
    });

    it('a Jira delivery whose payload time is stale (Jira signs no time)', async () => {
      const payload = retimed(fixture(FIXTURES.jira), Date.now() - 10 * MINUTE);
      const b = JSON.stringify(payload);
      await expectRefused(
        () => post(signedHeaders('jira', integrations.jira.secret, b), b, integrations.jira.id),
        401,
        'webhook.timestamp_stale',
      );
    });
  });

  it('acknowledges unknown event types and ignores them', async () => {
    const before = await webhookRows(t);
    const res = await deliver(t, integrations.generic, genericEvent('commented', 'IGN-1'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ignored', reason: expect.any(String) });
    const jira = await deliver(t, integrations.jira, {
      timestamp: Date.now(),
      webhookEvent: 'comment_created',
      comment: { id: '1' },
    });
    expect(jira.json()).toMatchObject({ status: 'ignored' });
    expect(await webhookRows(t)).toEqual(before);
  });

  it('answers a replay with 2xx and changes nothing', async () => {
    const payload = genericEvent('resolved', 'REPLAY-1');
    const first = await deliver(t, integrations.generic, payload, { id: 'msg_replay_1' });
    expect(first.statusCode).toBe(202);
    const after = await webhookRows(t);
    const [ticket] = await t.dataSource.query(
      `SELECT * FROM ticket_event WHERE external_ticket_id = 'REPLAY-1'`,
    );
    for (let i = 0; i < 3; i++) {
      const again = await deliver(t, integrations.generic, payload, { id: 'msg_replay_1' });
      expect({ status: again.statusCode, body: again.json() }).toEqual({
        status: 200,
        body: { status: 'duplicate' },
      });
    }
    expect(await webhookRows(t)).toEqual(after);
    const [unchanged] = await t.dataSource.query(
      `SELECT * FROM ticket_event WHERE external_ticket_id = 'REPLAY-1'`,
    );
    expect(unchanged).toEqual(ticket);
    // A sender with no event id: the same bytes twice are the same event.
    const sn = JSON.stringify(
      retimed({ ...fixture(FIXTURES.servicenow), number: 'INC-REPLAY', event_id: '' }),
    );
    const a = await deliver(t, integrations.servicenow, sn);
    const b = await deliver(t, integrations.servicenow, sn);
    expect([a.statusCode, b.json()]).toEqual([202, { status: 'duplicate' }]);
  });

  it('resolved then closed schedules one survey; a reopen cancels it; the next resolution schedules it again', async () => {
    const jobsOf = async (ticket: string) =>
      (
        await t.dataSource.query(
          `SELECT j.id FROM pgboss.job j JOIN ticket_event e ON e.id::text = j.data->>'ticketId'
            WHERE j.name = 'ticket.survey' AND e.external_ticket_id = $1`,
          [ticket],
        )
      ).length;
    const state = async (ticket: string) =>
      (
        await t.dataSource.query(
          'SELECT survey_state FROM ticket_event WHERE external_ticket_id = $1',
          [ticket],
        )
      )[0]?.survey_state;
    const now = Date.now();
    await deliver(
      t,
      integrations.generic,
      genericEvent('created', 'LIFE-1', { at: now - 5 * MINUTE }),
    );
    expect(await jobsOf('LIFE-1')).toBe(0);
    await deliver(
      t,
      integrations.generic,
      genericEvent('resolved', 'LIFE-1', { at: now - 4 * MINUTE }),
    );
    await deliver(
      t,
      integrations.generic,
      genericEvent('closed', 'LIFE-1', { at: now - 3 * MINUTE }),
    );
    expect([await jobsOf('LIFE-1'), await state('LIFE-1')]).toEqual([1, 'pending']);

    await deliver(
      t,
      integrations.generic,
      genericEvent('reopened', 'LIFE-2', { at: now - 2 * MINUTE }),
    );
    // Out of order: the resolution that the reopen undid arrives after it.
    await deliver(
      t,
      integrations.generic,
      genericEvent('resolved', 'LIFE-2', { at: now - 4 * MINUTE }),
    );
    expect([await jobsOf('LIFE-2'), await state('LIFE-2')]).toEqual([0, null]);
    await deliver(
      t,
      integrations.generic,
      genericEvent('resolved', 'LIFE-3', { at: now - 4 * MINUTE }),
    );
    await deliver(
      t,
      integrations.generic,
      genericEvent('reopened', 'LIFE-3', { at: now - 3 * MINUTE }),
    );
    expect(await state('LIFE-3')).toBe('cancelled');
    const id = (await ticketRowId(t, integrations.generic.id, 'LIFE-3')) as string;
    // The job of the cancelled survey sends nothing.
    expect(await t.get(TicketSurveysService).run(id)).toBe('nothing-to-do');
    await deliver(
      t,
      integrations.generic,
      genericEvent('resolved', 'LIFE-3', { at: now - 1 * MINUTE }),
    );
    // One job per ticket: the new resolution's replaced the cancelled survey's.
    expect([await jobsOf('LIFE-3'), await state('LIFE-3')]).toEqual([1, 'pending']);
    const mailsBefore = smtp.mails.length;
    expect(await t.get(TicketSurveysService).run(id)).toBe('sent');
    expect(await t.get(TicketSurveysService).run(id)).toBe('nothing-to-do');
    // The decision queues no mail: the invitation batch does, once.
    expect(await sendQueuedMail(t)).toBe(0);
    expect(await t.get(TicketSurveysService).inviteDecided()).toBe(1);
    expect(await t.get(TicketSurveysService).inviteDecided()).toBe(0);
    expect(await sendQueuedMail(t)).toBe(1);
    expect(await sendQueuedMail(t)).toBe(0);
    expect(smtp.mails.length).toBe(mailsBefore + 1);
    // The decision removed the ticket's jobs.
    expect([await jobsOf('LIFE-3'), await state('LIFE-3')]).toEqual([0, 'sent']);
    // Once sent, a reopen and another resolution schedule nothing more.
    await deliver(
      t,
      integrations.generic,
      genericEvent('reopened', 'LIFE-3', { at: now - 30_000 }),
    );
    await deliver(
      t,
      integrations.generic,
      genericEvent('resolved', 'LIFE-3', { at: now - 10_000 }),
    );
    expect([await jobsOf('LIFE-3'), await state('LIFE-3')]).toEqual([0, 'sent']);
  });

  describe.each(INTEGRATION_KINDS)('the %s fixture', (kind) => {
    it('ends in a survey mail naming the team, whose score buttons open the survey', async () => {
      const integration = integrations[kind];
      const payload = retimed(fixture(FIXTURES[kind]));
      const res = await deliver(t, integration, payload);
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 202,
        body: { status: 'accepted', type: 'resolved', ticket: expect.any(String) },
      });
      const ticket = res.json().ticket as string;
      const id = (await ticketRowId(t, integration.id, ticket)) as string;
      const [job] = await t.dataSource.query(
        `SELECT data FROM pgboss.job WHERE name = 'ticket.survey' AND data->>'ticketId' = $1`,
        [id],
      );
      expect(job.data).toEqual({ ticketId: id });
      expect(await t.get(TicketSurveysService).run(id)).toBe('sent');
      // The invitation batch invites the person; the mail goes through the mail pipeline.
      expect(await t.get(TicketSurveysService).inviteDecided()).toBe(1);
      expect(await sendQueuedMail(t)).toBe(1);

      const to = FIXTURE_REQUESTERS[kind];
      const mail = smtp.mails.find((m) => JSON.stringify(m.to).includes(to));
      expect(mail).toBeDefined();
      expect(mail!.subject).toContain(teamName);
      expect(mail!.text).toContain(`How likely are you to recommend ${teamName} to a colleague?`);
      const links = [
        ...(mail!.text ?? '').matchAll(/(\d+): (http:\/\/\S+\/s\/([\w-]{43})\?score=(\d+))/g),
      ];
      expect(links.map((l) => [l[1], l[4]])).toEqual(
        Array.from({ length: 11 }, (_, i) => [String(i), String(i)]),
      );
      expect(String(mail!.html).replace(/&#x3D;/g, '=')).toContain(`/s/${links[10][3]}?score=10`);
      // The mail holds nothing of the ticket.
      expect(mail!.text).not.toContain(ticket);

      // The 9 opens the survey with 9 selected; nothing is recorded until the person sends.
      const token = links[9][3];
      const pending = async () =>
        (await t.dataSource.query('SELECT count(*)::int AS n FROM pending_response'))[0].n;
      const before = await pending();
      const page = await t.request({ method: 'GET', url: `/s/${token}?score=9` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/value="9" checked/);
      expect(page.body).toContain(`How likely are you to recommend ${teamName} to a colleague?`);
      expect(page.body).toContain('name="contact"');
      expect(await pending()).toBe(before);
    });
  });

  it('keeps the answer sealed until its release, which names only the ticket’s resolution band, and a separate follow-up when asked', async () => {
    const integration = integrations.generic;
    const surveys = t.get(TicketSurveysService);
    const responses = t.get(ResponsesService);
    const m = t.config.mixBatchSize;
    // Answers after tickets wait for the end of their period (the mixer's first run marks it).
    await responses.mix();
    const at = Date.now() - MINUTE;
    // m people, each after a ticket resolved in 30 hours (the band "1-3d").
    const people = ['answers@example.com'];
    for (let i = 1; i < m; i++) people.push(`answers.${i}@example.com`);
    await t.get(DirectoryService).create({ email: people[0], name: 'Ana Swers' });
    for (const email of people.slice(1))
      await t.get(DirectoryService).create({ email, name: email.split('@')[0] });
    for (const [i, email] of people.entries()) {
      await deliver(
        t,
        integration,
        genericEvent('resolved', `ANS-${i + 1}`, {
          at,
          email,
          extra: { createdAt: new Date(at - 30 * 3_600_000).toISOString() },
        }),
      );
      const id = (await ticketRowId(t, integration.id, `ANS-${i + 1}`)) as string;
      expect(await surveys.run(id)).toBe('sent');
    }
    expect(await surveys.inviteDecided()).toBe(m);
    expect(await sendQueuedMail(t)).toBe(m);
    const tokenOf = (email: string) => {
      const mail = [...smtp.mails].reverse().find((x) => JSON.stringify(x.to).includes(email))!;
      return mail.text!.match(/\/s\/([\w-]{43})\?score=/)![1];
    };
    const token = tokenOf(people[0]);
    const session = await openSurvey(t, token);
    const nps = session.page.body.match(/name="(q_[0-9a-f-]+)" value="0"/)![1];
    const why = session.page.body.match(
      /name="(q_[0-9a-f-]+)"[^>]*><\/textarea>|<textarea[^>]*name="(q_[0-9a-f-]+)"/,
    )!;
    const whyField = why[1] ?? why[2];
    const res = await t.request({
      method: 'POST',
      url: `/s/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: formBody({
        _ctx: session.ctx,
        _csrf: session.csrf,
        [nps]: '3',
        [whyField]: 'Took three tries to fix.',
        contact: 'yes',
        contact_message: 'Happy to explain what went wrong.',
      }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('within the hour, the team’s lead will have your name');

    // What waits is sealed under a keyed claim: nothing of the ticket, the person or the answer.
    const pending: Record<string, unknown>[] = await t.dataSource.query(
      'SELECT * FROM pending_response',
    );
    expect(pending).toHaveLength(1);
    expect(Object.keys(pending[0]).sort()).toEqual(['claim_key', 'id', 'sealed', 'survey_id']);
    const sealed = (pending[0].sealed as Buffer).toString('latin1');
    for (const clue of [
      'ANS-1',
      'answers@example.com',
      'Hardware',
      'portal',
      'three tries',
      '1-3d',
    ])
      expect(sealed).not.toContain(clue);
    // The submit wrote nothing to the invitation, and no follow-up yet: the request waits, sealed.
    const answeredOf = async (email: string) =>
      (
        await t.dataSource.query(
          `SELECT i.answered FROM invitation i JOIN employee e ON e.id = i.employee_id
            WHERE e.email = $1`,
          [email],
        )
      )[0].answered as boolean;
    expect(await answeredOf(people[0])).toBe(false);
    expect(await t.dataSource.query('SELECT 1 FROM follow_up')).toHaveLength(0);
    const [request] = await t.dataSource.query('SELECT sealed FROM pending_follow_up');
    expect((request.sealed as Buffer).toString('latin1')).not.toMatch(/Happy to explain|answers@/);

    // The hourly job writes the follow-up: who asked and what they said, dated by its run.
    expect(await t.get(FollowUpsService).release()).toBe(1);
    const [followUp] = await t.dataSource.query(
      `SELECT *, requested_on = current_date AS today, xmin::text AS xmin_ FROM follow_up`,
    );
    expect(followUp).toMatchObject({
      employee_email: 'answers@example.com',
      employee_name: 'Ana Swers',
      message: 'Happy to explain what went wrong.',
      today: true,
    });
    expect(Object.keys(followUp).sort()).toEqual(
      [
        'done_on',
        'employee_email',
        'employee_name',
        'id',
        'message',
        'requested_on',
        'team_id',
        'today',
        'xmin_',
      ].sort(),
    );
    // Nothing of the answer on the follow-up, and no shared transaction with the pending answer.
    expect(JSON.stringify(followUp)).not.toMatch(/three tries|Hardware|"3"/);
    const [{ same }] = await t.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM pending_response WHERE xmin::text = $1) AS same`,
      [followUp.xmin_],
    );
    expect(same).toBe(false);
    // The link is used: 410, and no second follow-up.
    const again = await t.request({
      method: 'POST',
      url: `/s/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: formBody({ _ctx: session.ctx, _csrf: session.csrf, [nps]: '9', contact: 'yes' }),
    });
    expect(again.statusCode).toBe(410);
    expect(await t.get(FollowUpsService).release()).toBe(0);
    expect((await t.dataSource.query('SELECT 1 FROM follow_up')).length).toBe(1);

    // The others answer; nothing is released while the period is open.
    for (const email of people.slice(1))
      expect((await submitSurvey(t, tokenOf(email), { [nps]: '9' })).statusCode).toBe(200);
    expect(await responses.mix()).toBe(0);
    expect(await t.dataSource.query(`SELECT 1 FROM response WHERE source = 'ticket'`)).toHaveLength(
      0,
    );

    // After the period: one release of the m answers, dated by the period's first day.
    const later = new Date(Date.now() + 8 * DAY);
    expect(await responses.mix(later)).toBe(m);
    const released: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT *, to_char(released_on, 'YYYY-MM-DD') AS day FROM response WHERE source = 'ticket'`,
    );
    expect(released).toHaveLength(m);
    expect(Object.keys(released[0]).sort()).toEqual(
      ['day', 'id', 'released_on', 'source', 'survey_id', 'team_id'].sort(),
    );
    expect(new Set(released.map((r) => r.day))).toEqual(
      new Set([previousPeriodStart(periodStart(later.toISOString().slice(0, 10)))]),
    );
    // Of the tickets, the release names only their resolution band, shared by all m.
    const segments: { dimension: string; value: string; n: number }[] = await t.dataSource.query(
      `SELECT DISTINCT dimension, value, n FROM response_segment WHERE source = 'ticket'`,
    );
    expect(segments).toEqual([{ dimension: 'resolution_band', value: '1-3d', n: m }]);
    const everything = JSON.stringify(
      await t.dataSource.query(
        `SELECT r.*, a.* FROM response r JOIN answer a ON a.response_id = r.id
          WHERE r.source = 'ticket'`,
      ),
    );
    for (const clue of ['ANS-', 'answers', 'Hardware', 'high', 'portal'])
      expect(everything).not.toContain(clue);
    expect(everything).toContain('Took three tries to fix.');
    expect(await answeredOf(people[0])).toBe(true);
    expect(await t.dataSource.query('SELECT 1 FROM pending_response')).toHaveLength(0);
  });

  it('accepts the previous secret during a rotation’s overlap, and not after', async () => {
    const integration = await createIntegration(t, 'generic', { defaultTeam: teamSlug });
    const service = t.get(IntegrationsService);
    const { secret } = await service.rotate(undefined, integration.id, { overlapHours: 1 });
    const current = { ...integration, secret };
    expect((await deliver(t, integration, genericEvent('created', 'ROT-1'))).statusCode).toBe(202);
    expect((await deliver(t, current, genericEvent('created', 'ROT-2'))).statusCode).toBe(202);
    await service.rotate(undefined, integration.id, { overlapHours: 0 });
    expect((await deliver(t, current, genericEvent('created', 'ROT-3'))).statusCode).toBe(401);
  });

  it('slows down an address sending refused deliveries (429 with Retry-After)', async () => {
    const b = JSON.stringify(genericEvent('resolved', 'RL-1'));
    const headers = { ...signedHeaders('generic', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', b) };
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await t.request({
        method: 'POST',
        url: `/webhooks/${integrations.generic.id}`,
        headers,
        payload: b,
        remoteAddress: '203.0.113.9',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 29).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    // Another address is not affected.
    expect(
      (await deliver(t, integrations.generic, genericEvent('created', 'RL-2'))).statusCode,
    ).toBe(202);
  });
});
