import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { FollowUpsService } from '../../src/modules/tickets/follow-ups.service';
import { createEmployees, createTeam, openSurvey, submitSurvey } from '../factories';
import { createIntegration, ticketSurveyTokens } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';
import { urlFor } from '../setup/test-database';

/**
 * A live reader of the database (threat b) watching the pending tables while people answer
 * after their tickets. "You may contact me" used to be written by a statement of its own right
 * after the answer: the pending request's transaction id was the sealed answer's plus one, which
 * picked out that person's answer among the waiting ones; and the hourly batch logged how many
 * requests it passed on (usually one). The request is now written in the same transaction as the
 * answer it came with — which tells nothing the request itself does not (that person answered,
 * then) — so no neighbouring transaction points at anyone's answer.
 */
describe('a request to be contacted', () => {
  let t: TestApp;
  let admin: Client;
  const lines: { msg: string; context?: string }[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line));
    });
    t = await startTestApp(
      { MIX_BATCH_SIZE: '5', REPORTING_THRESHOLD: '3', COMMENT_THRESHOLD: '3', LOG_LEVEL: 'log' },
      { logStream: stream },
    );
    admin = new Client({ connectionString: urlFor(t.db.name) });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  it('is written with its answer in one transaction, and passed on without a count', async () => {
    const team = await createTeam(t, 'Payroll');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
      throttleDays: 30,
    });
    const people = await createEmployees(t, 3);
    const tokens = await ticketSurveyTokens(t, integration, people);
    const answer = async (i: number, contact: boolean) => {
      const session = await openSurvey(t, tokens[i]);
      const [nps] = [...session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g)].map((m) => m[1]);
      const res = await submitSurvey(
        t,
        tokens[i],
        {
          [nps]: String(i),
          ...(contact ? { contact: 'yes', contact_message: 'please call' } : {}),
        },
        session,
      );
      expect(res.statusCode).toBe(200);
    };
    await answer(0, false);
    await answer(1, true); // the second person asks to be contacted
    await answer(2, false);

    // What the live reader sees: the waiting answers and the waiting request, with their
    // transactions; and (the truth, with the app's secret) which answer is whose.
    const pending: { xmin: number; claim: Buffer }[] = (
      await admin.query(
        'SELECT xmin::text::bigint AS xmin, claim_key AS claim FROM pending_response',
      )
    ).rows.map((r) => ({ xmin: Number(r.xmin), claim: r.claim }));
    const requests: { xmin: number }[] = (
      await admin.query('SELECT xmin::text::bigint AS xmin FROM pending_follow_up')
    ).rows.map((r) => ({ xmin: Number(r.xmin) }));
    expect(pending).toHaveLength(3);
    expect(requests).toHaveLength(1);
    const [{ id: invitationId }] = await t.dataSource.query(
      'SELECT id FROM invitation WHERE employee_id = $1',
      [people[1].id],
    );
    const mine = t.get(ResponsesService).claimKey(invitationId);
    const theirs = pending.find((p) => p.claim.equals(mine))!;

    // The attack: the answer written by the transaction just before the request is the
    // requester's. It finds nothing of theirs: the request and its answer are one transaction.
    const [request] = requests;
    const before = pending.filter((p) => p.xmin === request.xmin - 1);
    expect(before.filter((p) => p.claim.equals(mine))).toEqual([]);
    expect(theirs.xmin).toBe(request.xmin);
    expect(pending.filter((p) => p.xmin === request.xmin)).toHaveLength(1);

    // The hourly batch passes it on; its log line says that it ran, not how many it passed on,
    // and neither the request nor its dead tuple stays in the table.
    expect(await t.get(FollowUpsService).release()).toBe(1);
    const [followUp] = await t.dataSource.query('SELECT employee_email FROM follow_up');
    expect(followUp.employee_email).toBe(people[1].email);
    await new Promise((resolve) => setImmediate(resolve));
    const batchLines = lines.filter((l) => l.context === 'FollowUps');
    expect(batchLines.length).toBeGreaterThan(0);
    for (const line of batchLines) expect(line.msg).not.toMatch(/\d/);
    const { rows: tuples } = await admin.query(
      `SELECT count(*)::int AS n
         FROM generate_series(0, (pg_relation_size('pending_follow_up') / current_setting('block_size')::int)::int - 1) AS b,
              LATERAL heap_page_items(get_raw_page('pending_follow_up', b)) p
        WHERE p.t_data IS NOT NULL`,
    );
    expect(tuples[0].n).toBe(0);
  });
});
