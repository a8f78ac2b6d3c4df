import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createEmployees, createSurvey, createTeam, inviteAndCollectTokens } from '../factories';
import { createIntegration, signedHeaders, type TestIntegration } from '../factories/webhooks';
import {
  type Answer,
  type AppProcess,
  call,
  freePort,
  startAppProcess,
  until,
} from '../setup/app-process';
import { startTcpProxy, type TcpProxy } from '../setup/tcp-proxy';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * The built app, as `npm start` runs it, talks to PostgreSQL through a TCP proxy the test
 * controls: the database refused at start, connections reset in the middle of webhook and
 * survey transactions and during a stream of them, an outage of several seconds, a stall.
 * The test plays the senders: a 503 is tried again. At the end it counts: the process never
 * died, nothing was answered 500, and every delivery and answer is stored exactly once.
 * (This test's own app instance talks to the database directly, to set up and to count.)
 */
describe('the database away: at start, under resets, during an outage', () => {
  let t: TestApp;
  let integration: TestIntegration;
  const apps: AppProcess[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const team = await createTeam(t, 'Facilities');
    integration = await createIntegration(t, 'generic', { defaultTeam: team.slug });
  });
  afterAll(async () => {
    for (const app of apps) if (app.alive()) app.child.kill('SIGKILL');
    for (const proxy of proxies) await proxy.close();
    await t.close();
  });

  async function proxyToDatabase(): Promise<TcpProxy> {
    const url = new URL(t.db.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    proxies.push(proxy);
    return proxy;
  }

  async function startApp(proxy: TcpProxy, env: Record<string, string> = {}) {
    const port = await freePort();
    const app = startAppProcess({
      PORT: String(port),
      DATABASE_URL: proxy.via(t.db.url),
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      JOB_WORKERS: 'false',
      DATABASE_RETRY_MAX_SECONDS: '1',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
      ...env,
    });
    apps.push(app);
    return { app, base: `http://127.0.0.1:${port}` };
  }

  /** A signed "ticket resolved" delivery about a ticket of its own. */
  function delivery(ticket: string) {
    const at = Date.now() - 60_000;
    const body = JSON.stringify({
      type: 'ticket.resolved',
      occurredAt: new Date(at).toISOString(),
      ticket: {
        id: ticket,
        requester: { email: `${ticket.toLowerCase()}@example.com` },
        createdAt: new Date(at - 3_600_000).toISOString(),
        resolvedAt: new Date(at).toISOString(),
      },
    });
    const headers = signedHeaders('generic', integration.secret, body, { id: `msg_${ticket}` });
    return { body, headers };
  }

  const post = (base: string, ticket: string) => {
    const { body, headers } = delivery(ticket);
    return call(`${base}/webhooks/${integration.id}`, { method: 'POST', headers, body });
  };

  async function storedTickets(prefix: string) {
    const rows: { ticket: string; copies: number }[] = await t.dataSource.query(
      `SELECT external_ticket_id AS ticket, count(*)::int AS copies FROM ticket_event
        WHERE integration_id = $1 AND external_ticket_id LIKE $2 GROUP BY 1`,
      [integration.id, `${prefix}%`],
    );
    const [{ receipts }] = await t.dataSource.query(
      `SELECT count(*)::int AS receipts FROM ticket_event_receipt
        WHERE integration_id = $1 AND event_id LIKE $2`,
      [integration.id, `msg_${prefix}%`],
    );
    return { rows, receipts: receipts as number };
  }

  it('starts without the database, says why it is not ready, and serves once it is back', async () => {
    const proxy = await proxyToDatabase();
    await proxy.refuse();
    const { app, base } = await startApp(proxy);
    const { apiToken } = t;
    const auth = { authorization: `Bearer ${apiToken}` };

    await until(
      'the start-up listener',
      async () => (await call(`${base}/healthz`))?.status === 200,
      app,
    );
    const ready = (await call(`${base}/readyz`)) as Answer;
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'unavailable',
      reason: 'database unreachable (ECONNREFUSED)',
    });
    const api = (await call(`${base}/api/v1/teams`, { headers: auth })) as Answer;
    const hook = (await post(base, 'START-0')) as Answer;
    const page = (await call(`${base}/login`, { headers: { accept: 'text/html' } })) as Answer;
    for (const answer of [api, hook, page]) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
    }
    expect(JSON.parse(api.text)).toMatchObject({ statusCode: 503, error: 'starting' });
    // It keeps trying, pausing longer each time (up to DATABASE_RETRY_MAX_SECONDS).
    await until('three tries', () => tries(app) >= 3, app);
    expect(app.output()).toMatch(/database unreachable \(ECONNREFUSED\): try 2 in 0\.5 s/);
    expect(app.output()).toMatch(/database unreachable \(ECONNREFUSED\): try \d+ in 1\.0 s/);
    expect(app.output()).not.toContain('inpulse listening');

    await proxy.restore();
    await until('ready', async () => (await call(`${base}/readyz`))?.status === 200, app);
    expect(app.output()).toContain('inpulse listening');
    const teams = (await call(`${base}/api/v1/teams`, { headers: auth })) as Answer;
    expect(teams.status).toBe(200);
    expect((await post(base, 'START-1'))?.status).toBe(202);
    // Only the delivery made once the app served is stored.
    const stored = await storedTickets('START-');
    expect(stored.rows).toEqual([{ ticket: 'START-1', copies: 1 }]);
    expect(stored.receipts).toBe(1);
    expect(app.alive()).toBe(true);
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
  }, 180_000);

  it('survives connections reset mid-transaction and under a stream of webhooks and answers: nothing lost, nothing twice, never a 500', async () => {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, 24);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const [nps] = questions;
    const proxy = await proxyToDatabase();
    // Job workers on: pg-boss polls, completes and fails jobs through the same resets.
    const { app, base } = await startApp(proxy, { JOB_WORKERS: 'true' });
    await until('ready', async () => (await call(`${base}/readyz`))?.status === 200, app);

    const statuses = new Map<number, number>();
    const count = (answer: Answer | undefined) => {
      const status = answer?.status ?? 0; // 0: no answer at all (the process died)
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      return answer;
    };
    /** As a sender does: on 503, again (the test does not wait out Retry-After). */
    async function untilServed(send: () => Promise<Answer | undefined>) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const answer = count(await send());
        if (answer?.status !== 503) return { answer, retried: attempt > 0 };
        expect(answer.headers.get('retry-after')).toBe('5');
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('still 503 after 100 tries');
    }
    async function answerSurvey(token: string) {
      const opened = await untilServed(() => call(`${base}/s/${token}`));
      if (opened.answer?.status !== 200) return opened;
      const html = opened.answer.text;
      const cookie = opened.answer.headers.get('set-cookie')!.split(';')[0];
      const form = new URLSearchParams({
        _ctx: html.match(/name="_ctx" value="([^"]+)"/)![1],
        _csrf: html.match(/name="_csrf" value="([^"]+)"/)![1],
        [`q_${nps.id}`]: '8',
      });
      const submitted = await untilServed(() =>
        call(`${base}/s/${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: form.toString(),
        }),
      );
      return submitted;
    }

    // 1. A reset in the middle of a webhook's transaction (its client checked out, BEGIN sent):
    // the delivery is answered 503 and nothing of it is written; sent again, it is stored.
    let held = proxy.stallOn('tickets_receipt_and_lock');
    let pending = post(base, 'RESET-0');
    await held;
    expect(proxy.resetAll()).toBeGreaterThan(0);
    await proxy.restore();
    const first = count(await pending);
    expect(first?.status).toBe(503);
    expect(first?.headers.get('retry-after')).toBe('5');
    expect((await storedTickets('RESET-0')).rows).toEqual([]);
    expect((await untilServed(() => post(base, 'RESET-0'))).answer?.status).toBe(202);

    // 2. The same in the middle of a survey answer's statement: 503, then the answer once.
    const [token, ...others] = tokens;
    const session = await untilServed(() => call(`${base}/s/${token}`));
    const cookie = session.answer!.headers.get('set-cookie')!.split(';')[0];
    const form = new URLSearchParams({
      _ctx: session.answer!.text.match(/name="_ctx" value="([^"]+)"/)![1],
      _csrf: session.answer!.text.match(/name="_csrf" value="([^"]+)"/)![1],
      [`q_${nps.id}`]: '9',
    });
    const submit = () =>
      call(`${base}/s/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: form.toString(),
      });
    held = proxy.stallOn('responses_claim_sealed');
    pending = submit();
    await held;
    proxy.resetAll();
    await proxy.restore();
    expect(count(await pending)?.status).toBe(503);
    expect((await untilServed(submit)).answer?.status).toBe(200);

    // 3. A stream: deliveries and answers six at a time, every connection reset after every
    // eight answered requests (counted, not timed), each 503 sent again.
    const tickets = Array.from({ length: 60 }, (_, i) => `STREAM-${i}`);
    type Result = { kind: 'delivery' | 'answer'; answer?: Answer; retried: boolean };
    const work: (() => Promise<Result>)[] = [
      ...tickets.map((ticket) => async (): Promise<Result> => ({
        kind: 'delivery',
        ...(await untilServed(() => post(base, ticket))),
      })),
      ...others.map((token) => async (): Promise<Result> => ({
        kind: 'answer',
        ...(await answerSurvey(token)),
      })),
    ].sort(() => Math.random() - 0.5);
    const results: Result[] = [];
    let answered = 0;
    const worker = async () => {
      for (let job = work.shift(); job; job = work.shift()) {
        results.push(await job());
        if (++answered % 8 === 0) proxy.resetAll();
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));

    // The counts.
    expect(app.alive()).toBe(true);
    expect((await call(`${base}/healthz`))?.status).toBe(200);
    expect(statuses.get(0)).toBeUndefined();
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThanOrEqual(2);
    expect(proxy.stats.reset).toBeGreaterThan(0);
    for (const { kind, answer, retried } of results) {
      // 202 for a delivery, 200 for an answer. A first try answered 503 after its statement had
      // committed leaves its trace on the retry: a delivery is then a duplicate (200), an
      // answer's link is used (410), each only after a retry.
      if (kind === 'delivery' && answer?.status === 200) expect(retried).toBe(true);
      else if (kind === 'delivery') expect(answer?.status).toBe(202);
      else if (answer?.status === 410) expect(retried).toBe(true);
      else expect(answer?.status).toBe(200);
    }
    const stream = await storedTickets('STREAM-');
    expect(stream.rows).toHaveLength(tickets.length);
    expect(stream.rows.every((row) => row.copies === 1)).toBe(true);
    expect(stream.receipts).toBe(tickets.length);
    expect((await storedTickets('RESET-')).rows).toEqual([{ ticket: 'RESET-0', copies: 1 }]);
    const [{ answers }] = await t.dataSource.query(
      'SELECT count(*)::int AS answers FROM pending_response WHERE survey_id = $1',
      [survey.id],
    );
    expect(answers).toBe(tokens.length);
    await until('ready again', async () => (await call(`${base}/readyz`))?.status === 200, app);
    app.child.kill('SIGTERM');
    await app.exited;
  }, 240_000);

  it('answers 503 with Retry-After through an outage and a stall, then recovers without a restart', async () => {
    const proxy = await proxyToDatabase();
    const { app, base } = await startApp(proxy, { JOB_WORKERS: 'true' });
    const auth = { authorization: `Bearer ${t.apiToken}` };
    await until('ready', async () => (await call(`${base}/readyz`))?.status === 200, app);
    const pid = app.child.pid;
    expect((await post(base, 'OUTAGE-0'))?.status).toBe(202);

    // The database goes away: every connection reset, the port refused.
    proxy.resetAll();
    await proxy.refuse();
    const answers: Answer[] = [];
    const during = async (url: string, init: RequestInit = {}) => {
      const answer = (await call(url, init)) as Answer;
      answers.push(answer);
      return answer;
    };
    const refused = delivery('OUTAGE-1');
    const hook = await during(`${base}/webhooks/${integration.id}`, {
      method: 'POST',
      headers: refused.headers,
      body: refused.body,
    });
    const api = await during(`${base}/api/v1/teams`, { headers: auth });
    const page = await during(`${base}/s/${randomUUID()}`, { headers: { accept: 'text/html' } });
    const ready = await during(`${base}/readyz`);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
    }
    expect(JSON.parse(hook.text)).toMatchObject({ error: 'database_unavailable' });
    expect(JSON.parse(api.text)).toMatchObject({ statusCode: 503, error: 'database_unavailable' });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('Temporarily unavailable');
    expect(JSON.parse(ready.text)).toEqual({
      status: 'unavailable',
      reason: 'database unreachable (ECONNREFUSED)',
    });
    expect((await call(`${base}/healthz`))?.status).toBe(200);
    // The outage lasts until the job workers have met it too.
    await until(
      'pg-boss meeting the outage',
      () => /pg-boss: database unreachable/.test(app.output()),
      app,
    );

    // Then the network stalls: the port answers but nothing passes. Readiness does not hang.
    await proxy.restore();
    proxy.stall();
    const stalled = (await call(`${base}/readyz`)) as Answer;
    expect(stalled.status).toBe(503);
    expect(JSON.parse(stalled.text).reason).toMatch(
      /^database unreachable \((connect|query) timeout\)$/,
    );

    // Back: ready again, the same process, and the delivery refused during the outage goes in.
    await proxy.restore();
    await until('ready again', async () => (await call(`${base}/readyz`))?.status === 200, app);
    expect(app.child.pid).toBe(pid);
    expect(app.alive()).toBe(true);
    expect((await post(base, 'OUTAGE-1'))?.status).toBe(202);
    expect((await call(`${base}/api/v1/teams`, { headers: auth }))?.status).toBe(200);
    const stored = await storedTickets('OUTAGE-');
    expect(stored.rows.sort((a, b) => a.ticket.localeCompare(b.ticket))).toEqual([
      { ticket: 'OUTAGE-0', copies: 1 },
      { ticket: 'OUTAGE-1', copies: 1 },
    ]);
    expect(stored.receipts).toBe(2);
    app.child.kill('SIGTERM');
    await app.exited;
  }, 180_000);

  it('logs a promise nobody awaited and carries on, instead of ending the process', async () => {
    const guard = join(process.cwd(), 'dist', 'src', 'common', 'errors', 'unhandled-rejections.js');
    const script = `
      require(${JSON.stringify(guard)}).logUnhandledRejections();
      Promise.reject(new Error('Connection terminated unexpectedly'));
      Promise.reject(new TypeError('a real bug'));
      setTimeout(() => console.log('still running'), 100);`;
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        let output = '';
        const child = spawn(process.execPath, ['-e', script], {
          env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => resolve({ code, output }));
      },
    );
    expect(code).toBe(0);
    expect(output).toContain('still running');
    expect(output).toContain('database unreachable (connection terminated)');
    // A bug stays visible: logged as an error, with its stack.
    expect(output).toMatch(
      /unhandled promise rejection \(a bug[^\n]*TypeError: a real bug\n\s+at /,
    );
  });
});

/** How many times the app has tried to reach the database at start. */
function tries(app: AppProcess): number {
  return 1 + (app.output().match(/database unreachable \([^)]+\): try \d+/g) ?? []).length;
}
