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
import { type AppProcess, freePort, seam, startAppProcess, until } from '../setup/app-process';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * The webhook's promise under a crash: the built app runs as a real child process that kills
 * itself (SIGKILL) right after the webhook's transaction commits and before it replies (a test
 * seam, test/setup/seams/kill-after-webhook-commit.cjs, loaded with node --require). The
 * sender sees no answer and retries; the retry is acknowledged as a duplicate; the survey goes
 * out exactly once.
 */
/** Until the app listens (fails at once if it exits first). */
const listening = (app: AppProcess) =>
  until('the app to listen', () => app.output().includes('inpulse listening'), app);

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
    const doomed = startAppProcess(
      { ...env, PORT: String(port) },
      seam('kill-after-webhook-commit'),
    );
    await listening(doomed);
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
    const restarted = startAppProcess({ ...env, PORT: String(port) });
    try {
      await listening(restarted);
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
