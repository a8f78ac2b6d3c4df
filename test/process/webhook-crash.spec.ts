import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam } from '../factories';
import {
  createIntegration,
  sendQueuedMail,
  signedHeaders,
  ticketRowId,
  webhookRows,
} from '../factories/webhooks';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * The webhook's promise under a crash: the built app runs as a real child process that kills
 * itself (SIGKILL) right after the webhook's transaction commits and before it replies. The
 * sender sees no answer and retries; the retry is acknowledged as a duplicate; the survey goes
 * out exactly once.
 */
const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startApp(env: Record<string, string>) {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'log',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    while (!output.includes('inpulse listening')) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return { child, exited, ready, output: () => output };
}

describe('a crash between the webhook’s commit and its reply', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    // Decided tickets are invited at the next batch, however few (no wait for m people).
    t = await startTestApp({ SMTP_URL: smtp.url, TICKET_INVITE_MAX_WAIT_HOURS: '0' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('loses nothing, and the replay sends nothing twice', async () => {
    const team = await createTeam(t, 'Facilities');
    await t.get(DirectoryService).create({ email: 'kai@example.com', name: 'Kai' });
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
    });
    const at = Date.now() - 60_000;
    const body = JSON.stringify({
      type: 'ticket.resolved',
      occurredAt: new Date(at).toISOString(),
      ticket: {
        id: 'CRASH-1',
        requester: { email: 'kai@example.com' },
        createdAt: new Date(at - 3_600_000).toISOString(),
        resolvedAt: new Date(at).toISOString(),
      },
    });
    const headers = signedHeaders('generic', integration.secret, body, { id: 'msg_crash_1' });
    const env = {
      DATABASE_URL: t.db.url,
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      JOB_WORKERS: 'false',
    };

    const port = await freePort();
    const doomed = startApp({
      ...env,
      PORT: String(port),
      INPULSE_TEST_KILL_AFTER_WEBHOOK_COMMIT: 'true',
    });
    await doomed.ready;
    const before = await webhookRows(t);
    const lost = await fetch(`http://127.0.0.1:${port}/webhooks/${integration.id}`, {
      method: 'POST',
      headers,
      body,
    }).then(
      (res) => `answered ${res.status}`,
      () => 'no answer',
    );
    expect(lost).toBe('no answer');
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // It had committed: the event, its receipt and its survey job are all there.
    expect(await webhookRows(t)).toEqual({
      tickets: before.tickets + 1,
      receipts: before.receipts + 1,
      jobs: before.jobs + 1,
    });

    // The sender retries the same delivery against the restarted app.
    const restarted = startApp({ ...env, PORT: String(port) });
    try {
      await restarted.ready;
      const replay = await fetch(`http://127.0.0.1:${port}/webhooks/${integration.id}`, {
        method: 'POST',
        headers,
        body,
      });
      expect({ status: replay.status, body: await replay.json() }).toEqual({
        status: 200,
        body: { status: 'duplicate' },
      });
      expect(await webhookRows(t)).toEqual({
        tickets: before.tickets + 1,
        receipts: before.receipts + 1,
        jobs: before.jobs + 1,
      });
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }

    // The job (run as pg-boss would, twice to be sure) decides once; the invitation batch
    // (twice too) invites once; one mail goes.
    const id = (await ticketRowId(t, integration.id, 'CRASH-1')) as string;
    expect(await t.get(TicketSurveysService).run(id)).toBe('sent');
    expect(await t.get(TicketSurveysService).run(id)).toBe('nothing-to-do');
    expect(await t.get(TicketSurveysService).inviteDecided()).toBe(1);
    expect(await t.get(TicketSurveysService).inviteDecided()).toBe(0);
    expect(await sendQueuedMail(t)).toBe(1);
    expect(await sendQueuedMail(t)).toBe(0);
    expect(smtp.mails.filter((m) => JSON.stringify(m.to).includes('kai@example.com'))).toHaveLength(
      1,
    );
  }, 180_000);
});
