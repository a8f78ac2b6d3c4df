import { PassThrough } from 'node:stream';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam, formBody, signIn } from '../factories';
import {
  createIntegration,
  deliver,
  fixture,
  FIXTURES,
  type Json,
  retimed,
  signedHeaders,
  type TestIntegration,
  webhookRows,
} from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

const MINUTE = 60_000;

/** A generic ticket event (the documented shape), with extra fields on the ticket. */
function genericEvent(type: string, ticket: string, extra: Json = {}, email?: string): Json {
  const at = Date.now() - MINUTE;
  return {
    type: `ticket.${type}`,
    occurredAt: new Date(at).toISOString(),
    ticket: {
      id: ticket,
      requester: { email: email ?? 'requester@example.com' },
      group: { name: 'Service Desk' },
      createdAt: new Date(at - 3_600_000).toISOString(),
      ...extra,
    },
  };
}

interface DeliveryLine {
  id: string;
  receivedAt: string;
  lastReceivedAt: string;
  repeats: number;
  outcome: 'accepted' | 'duplicate' | 'ignored' | 'refused' | 'failed';
  httpStatus: number;
  reasonCode: string | null;
  reason: string | null;
  eventType: string | null;
  ticket: string | null;
  bodyBytes: number | null;
  signature: 'valid' | 'invalid' | 'missing' | 'unchecked';
}

/**
 * The delivery log HR reads on an integration's page (and through the API): every delivery of a
 * known integration, refused ones with their reason, time and size, never a body.
 */
describe('the delivery log of an integration', () => {
  let t: TestApp;
  let logText = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  let teamSlug: string;
  let generic: TestIntegration;
  let servicenow: TestIntegration;
  let jira: TestIntegration;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'log' }, { logStream });
    teamSlug = (await createTeam(t, 'Service Desk')).slug;
    generic = await createIntegration(t, 'generic', { defaultTeam: teamSlug });
    servicenow = await createIntegration(t, 'servicenow', { defaultTeam: teamSlug });
    jira = await createIntegration(t, 'jira', { defaultTeam: teamSlug });
  });
  afterAll(() => t.close());

  const post = (
    integration: TestIntegration,
    body: string,
    headers: Record<string, string>,
    remoteAddress?: string,
  ) =>
    t.request({
      method: 'POST',
      url: `/webhooks/${integration.id}`,
      headers,
      payload: body,
      ...(remoteAddress ? { remoteAddress } : {}),
    });
  const signed = (integration: TestIntegration, body: string) =>
    post(integration, body, signedHeaders(integration.kind, integration.secret, body));

  async function lines(integration: TestIntegration, query = ''): Promise<DeliveryLine[]> {
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/integrations/${integration.id}/deliveries${query}`,
    });
    expect(res.statusCode).toBe(200);
    return res.json().items;
  }
  const latest = async (integration: TestIntegration) => (await lines(integration))[0];

  /** Everything the delivery log table holds, as text. */
  const storedText = async () =>
    JSON.stringify(await t.dataSource.query('SELECT d::text AS row FROM webhook_delivery d'));

  it('keeps a validly signed but malformed body as refused, with its reason, status, size and time', async () => {
    const body =
      '{"type":"ticket.resolved","ticket":{"id":"MAL-1","requester":{"email":"mal.formed@example.com"}}';
    const res = await signed(generic, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('webhook.malformed_json');
    expect(await latest(generic)).toEqual({
      id: expect.any(String),
      receivedAt: expect.any(String),
      lastReceivedAt: expect.any(String),
      repeats: 1,
      outcome: 'refused',
      httpStatus: 400,
      reasonCode: 'webhook.malformed_json',
      reason: expect.stringMatching(/not valid JSON/),
      eventType: null,
      ticket: null,
      bodyBytes: Buffer.byteLength(body),
      signature: 'valid',
    });
    // The log keeps what went wrong, never what was sent.
    expect(await storedText()).not.toMatch(/MAL-1|mal\.formed/);
    const columns: { column_name: string }[] = await t.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'webhook_delivery'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(
      [
        'body_bytes',
        'event_type',
        'external_ticket_id',
        'http_status',
        'id',
        'integration_id',
        'last_received_at',
        'outcome',
        'reason',
        'reason_code',
        'received_at',
        'repeats',
        'signature',
      ].sort(),
    );
  });

  it('keeps unsigned and badly signed deliveries of a known integration without their body; an unknown integration leaves nothing', async () => {
    const body = JSON.stringify(
      genericEvent('resolved', 'UNSIGNED-7', {}, 'unsigned.person@example.com'),
    );
    const unsigned = await post(generic, body, { 'content-type': 'application/json' });
    expect(unsigned.statusCode).toBe(401);
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      httpStatus: 401,
      reasonCode: 'webhook.signature_missing',
      signature: 'missing',
      bodyBytes: Buffer.byteLength(body),
    });
    const forged = await post(generic, body, signedHeaders('generic', 'whsec_AAAAAAAA', body));
    expect(forged.statusCode).toBe(401);
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      reasonCode: 'webhook.signature_invalid',
      signature: 'invalid',
    });
    const notJson = await post(generic, 'ticket=UNSIGNED-7', {
      ...signedHeaders('generic', generic.secret, 'ticket=UNSIGNED-7'),
      'content-type': 'text/plain',
    });
    expect(notJson.statusCode).toBe(400);
    expect(await latest(generic)).toMatchObject({
      reasonCode: 'webhook.content_type',
      signature: 'unchecked',
      bodyBytes: 17,
    });
    expect(await storedText()).not.toMatch(/UNSIGNED-7|unsigned\.person/);

    const [{ n: before }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM webhook_delivery',
    );
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await t.request({
        method: 'POST',
        url: `/webhooks/${id}`,
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode).toBe(404);
    }
    const [{ n: after }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM webhook_delivery',
    );
    expect(after).toBe(before);
  });

  it('refuses an array of 60,000 elements with 413 naming the limit, and logs it', async () => {
    const before = await webhookRows(t);
    const body = JSON.stringify(
      genericEvent('resolved', 'ARR-1', { tags: Array.from({ length: 60_000 }, () => 0) }),
    );
    const res = await signed(generic, body);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      error: 'webhook.array_too_long',
      message: expect.stringContaining('at most 2,000'),
    });
    expect(await webhookRows(t)).toEqual(before);
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      httpStatus: 413,
      reasonCode: 'webhook.array_too_long',
      bodyBytes: Buffer.byteLength(body),
      signature: 'valid',
    });
  });

  it('refuses a text longer than 65,536 characters, and more than 20,000 keys, with 413', async () => {
    const before = await webhookRows(t);
    const long = JSON.stringify(
      genericEvent('resolved', 'STR-1', { description: 'x'.repeat(70_000) }),
    );
    const res = await signed(generic, long);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      error: 'webhook.string_too_long',
      message: expect.stringContaining('at most 65,536'),
    });
    expect(await latest(generic)).toMatchObject({ reasonCode: 'webhook.string_too_long' });

    const fields = Object.fromEntries(Array.from({ length: 20_001 }, (_, i) => [`f${i}`, 0]));
    const wide = await signed(generic, JSON.stringify(genericEvent('resolved', 'KEY-1', fields)));
    expect(wide.statusCode).toBe(413);
    expect(wide.json()).toMatchObject({
      error: 'webhook.too_many_keys',
      message: expect.stringContaining('20,000'),
    });
    expect(await latest(generic)).toMatchObject({ reasonCode: 'webhook.too_many_keys' });
    expect(await webhookRows(t)).toEqual(before);
  });

  it('refuses a requester address with a Cyrillic "а" (422, a clear reason) and stores neither the ticket nor the address', async () => {
    const before = await webhookRows(t);
    const lookalike = 'm\u0430ria.lopez@example.com';
    const res = await deliver(t, generic, genericEvent('resolved', 'HOMO-1', {}, lookalike));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: 'webhook.mixed_script',
      message: expect.stringMatching(/requester.*mixes Latin and Cyrillic/),
    });
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      httpStatus: 422,
      reasonCode: 'webhook.mixed_script',
      reason: expect.stringMatching(/Latin and Cyrillic/),
      signature: 'valid',
    });
    // The same in a system's own payload: ServiceNow's caller.
    const incident = retimed(fixture(FIXTURES.servicenow));
    (incident.caller_id as Json).email = 'abel.tut\u0435r@example.com';
    const sn = await deliver(t, servicenow, incident);
    expect(sn.statusCode).toBe(422);
    expect(sn.json().error).toBe('webhook.mixed_script');
    expect(await webhookRows(t)).toEqual(before);
    expect(await storedText()).not.toMatch(/lopez|tut.r|HOMO-1|INC0010231/);
  });

  it('logs an ignored event type as ignored: in the delivery log, and as a structured line in the app log', async () => {
    const res = await deliver(t, generic, genericEvent('commented', 'IGN-1'));
    expect(res.json()).toMatchObject({ status: 'ignored' });
    expect(await latest(generic)).toMatchObject({
      outcome: 'ignored',
      httpStatus: 200,
      eventType: 'ticket.commented',
      reason: expect.stringContaining('not used'),
      signature: 'valid',
      ticket: null,
    });
    const fromJira = await deliver(t, jira, {
      timestamp: Date.now(),
      webhookEvent: 'comment_created',
      comment: { id: '1', body: 'IGN-JIRA-BODY' },
    });
    expect(fromJira.json()).toMatchObject({ status: 'ignored' });
    expect(await latest(jira)).toMatchObject({ outcome: 'ignored', eventType: 'comment_created' });

    await new Promise((resolve) => setImmediate(resolve));
    const logged = logText
      .split('\n')
      .filter((line) => line.includes('"webhook delivery ignored"'))
      .map((line) => JSON.parse(line));
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          msg: 'webhook delivery ignored',
          context: 'Webhooks',
          integrationId: generic.id,
          kind: 'generic',
          eventType: 'ticket.commented',
          reason: expect.any(String),
        }),
        expect.objectContaining({ integrationId: jira.id, eventType: 'comment_created' }),
      ]),
    );
    expect(logText).not.toContain('IGN-JIRA-BODY');
  });

  it('logs accepted deliveries with their event type and ticket, and a replay as a duplicate', async () => {
    const event = genericEvent('created', 'OK-1');
    expect((await deliver(t, generic, event, { id: 'msg_ok_1' })).statusCode).toBe(202);
    expect(await latest(generic)).toMatchObject({
      outcome: 'accepted',
      httpStatus: 202,
      eventType: 'created',
      ticket: 'OK-1',
      reasonCode: null,
      signature: 'valid',
    });
    expect((await deliver(t, generic, event, { id: 'msg_ok_1' })).statusCode).toBe(200);
    expect(await latest(generic)).toMatchObject({
      outcome: 'duplicate',
      httpStatus: 200,
      eventType: 'created',
    });
    // Nothing of the requester, whatever the outcome.
    expect(await storedText()).not.toContain('requester@example.com');
  });

  it('logs what is refused before the handler runs: a body over the size cap (413), a content type nothing parses (415)', async () => {
    const big = JSON.stringify({ type: 'ticket.resolved', pad: 'x'.repeat(300 * 1024) });
    const res = await signed(generic, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload_too_large');
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      httpStatus: 413,
      reasonCode: 'payload_too_large',
      bodyBytes: Buffer.byteLength(big),
      signature: 'unchecked',
    });
    const xml = '<ticket id="XML-1"/>';
    const unparsed = await post(generic, xml, {
      ...signedHeaders('generic', generic.secret, xml),
      'content-type': 'application/xml',
    });
    expect(unparsed.statusCode).toBe(415);
    expect(await latest(generic)).toMatchObject({
      outcome: 'refused',
      httpStatus: 415,
      reasonCode: 'unsupported_media_type',
      bodyBytes: Buffer.byteLength(xml),
      signature: 'unchecked',
    });
    expect(await storedText()).not.toContain('XML-1');
  });

  it('folds a flood of identical refusals into one line with a count, past the rate limit too', async () => {
    const flooded = await createIntegration(t, 'generic', { defaultTeam: teamSlug });
    const body = JSON.stringify(genericEvent('resolved', 'FLOOD-1'));
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push(
        (await post(flooded, body, { 'content-type': 'application/json' }, '198.51.100.7'))
          .statusCode,
      );
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const logged = await lines(flooded);
    expect(
      logged.map((l) => ({ code: l.reasonCode, status: l.httpStatus, repeats: l.repeats })),
    ).toEqual([
      { code: 'webhook.rate_limited', status: 429, repeats: 10 },
      { code: 'webhook.signature_missing', status: 401, repeats: 30 },
    ]);
  });

  it('logs the deliveries of a paused integration as refused (404 to the sender)', async () => {
    const paused = await createIntegration(t, 'generic', { defaultTeam: teamSlug, active: false });
    const res = await deliver(t, paused, genericEvent('resolved', 'PAUSED-1'));
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('webhook.unknown_integration');
    expect(await latest(paused)).toMatchObject({
      outcome: 'refused',
      httpStatus: 404,
      reasonCode: 'webhook.unknown_integration',
      reason: expect.stringMatching(/paused/),
      signature: 'unchecked',
    });
  });

  // Lines past RETENTION_WEBHOOK_DAYS go with retention.purge (test/integration/retention.spec.ts).
  it('keeps the newest 10,000 lines of each integration (the daily tickets.purge)', async () => {
    const busy = await createIntegration(t, 'generic', { defaultTeam: teamSlug });
    await t.dataSource.query(
      `INSERT INTO webhook_delivery (integration_id, received_at, last_received_at, outcome, http_status, signature)
       SELECT $1, now() - make_interval(secs => g), now() - make_interval(secs => g), 'accepted', 202, 'valid'
         FROM generate_series(1, 10005) AS g`,
      [busy.id],
    );
    const count = async (id: string) =>
      (
        await t.dataSource.query(
          'SELECT count(*)::int AS n FROM webhook_delivery WHERE integration_id = $1',
          [id],
        )
      )[0].n as number;
    await t.get(TicketSurveysService).purge();
    expect(await count(busy.id)).toBe(10_000);
    // The newest were kept.
    const [{ oldest }] = await t.dataSource.query(
      `SELECT min(last_received_at) > now() - interval '10001 seconds' AS oldest
         FROM webhook_delivery WHERE integration_id = $1`,
      [busy.id],
    );
    expect(oldest).toBe(true);
  });

  it('is shown to HR on the integration’s page, refused deliveries apart; leads and anonymous callers get nothing', async () => {
    const admin = await signIn(t, 'admin');
    const body = '{"type":"ticket.resolved",';
    await signed(generic, body);
    const page = await t.request({
      method: 'GET',
      url: `/admin/integrations/${generic.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2 id="deliveries-title">Deliveries</h2>');
    expect(page.body).toContain('Lines are kept 30 days'); // RETENTION_WEBHOOK_DAYS
    expect(page.body).toContain('webhook.malformed_json');
    expect(page.body).toContain('ticket.commented');
    expect(page.body).toContain('Refused');
    expect(page.body).toContain('Ignored');
    const refusedOnly = await t.request({
      method: 'GET',
      url: `/admin/integrations/${generic.id}?outcome=refused`,
      headers: { cookie: admin.cookie },
    });
    expect(refusedOnly.statusCode).toBe(200);
    expect(refusedOnly.body).toContain('webhook.malformed_json');
    expect(refusedOnly.body).not.toContain('ticket.commented');
    expect((await lines(generic, '?outcome=refused')).map((l) => l.outcome)).not.toContain(
      'ignored',
    );
    expect(
      (
        await t.api({
          method: 'GET',
          url: `/api/v1/integrations/${generic.id}/deliveries?outcome=everything`,
        })
      ).statusCode,
    ).toBe(400);

    const lead = await signIn(t, 'lead', [teamSlug]);
    const asLead = await t.request({
      method: 'GET',
      url: `/admin/integrations/${generic.id}`,
      headers: { cookie: lead.cookie },
    });
    expect(asLead.statusCode).toBe(403);
    expect(asLead.body).not.toContain('webhook.malformed_json');
    const anonymous = await t.request({
      method: 'GET',
      url: `/api/v1/integrations/${generic.id}/deliveries`,
    });
    expect(anonymous.statusCode).toBe(401);
    // The page's forms still work beside the log.
    const saved = await t.request({
      method: 'POST',
      url: `/admin/integrations/${generic.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({ _csrf: admin.csrf, name: 'Intake', defaultTeam: teamSlug, active: 'on' }),
    });
    expect(saved.statusCode).toBe(303);
  });
});
