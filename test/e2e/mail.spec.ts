import type { ParsedMail } from 'mailparser';
import { InvitationsService } from '../../src/modules/invitations/invitations.service';
import { MailService } from '../../src/modules/mail/mail.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createSurvey,
  openSurvey,
  sendQueuedMail,
  submitSurvey,
} from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

const tokenOf = (mail: ParsedMail) => mail.text!.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];

/** The `mail.send` jobs waiting in pg-boss, as a worker would get them. */
async function sendJobs(t: TestApp, after = new Date(0)) {
  const rows: { data: { queueId: string; batch: number }; start_after: Date }[] =
    await t.dataSource.query(
      `SELECT data, start_after FROM pgboss.job WHERE name = 'mail.send' AND created_on > $1
        ORDER BY created_on, id`,
      [after],
    );
  return rows.map((r) => ({
    queueId: r.data.queueId,
    batchNo: r.data.batch,
    startAfter: r.start_after,
  }));
}

async function mailRows(t: TestApp, surveyId: string) {
  const rows: {
    email: string;
    sequence: number;
    status: string;
    due_at: Date;
    last_error: string;
  }[] = await t.dataSource.query(
    `SELECT m.to_address AS email, m.sequence, m.status, m.due_at, m.last_error
         FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1 ORDER BY m.to_address, m.sequence`,
    [surveyId],
  );
  return rows;
}

describe('the mail pipeline, through a real SMTP server', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    // A survey goes to at least m people (MIX_BATCH_SIZE): m as small as it may be (k = 3), so
    // that a handful of people make a survey whose mail can be followed one by one.
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      MAIL_BATCH_SIZE: '2',
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  const mail = () => t.get(MailService);

  it('sends each person an HTML and a text mail in their language, once however often its jobs run', async () => {
    const { survey } = await createSurvey(t);
    const before = new Date();
    const people = [
      ...(await createEmployees(t, 1, { locale: 'en' })),
      ...(await createEmployees(t, 1, { locale: 'es' })),
      ...(await createEmployees(t, 1, { locale: 'ja' })),
      ...(await createEmployees(t, 1, { locale: 'fa' })),
    ];
    const [en, es, ja, fa] = people;
    const sent = await t
      .get(SurveysService)
      .send(survey.id, { employeeIds: people.map((p) => p.id) });
    expect(sent).toMatchObject({ invited: 4, skippedByBudget: 0 });

    // Four mails in batches of two: two jobs, each carrying one batch.
    const jobs = await sendJobs(t, before);
    expect(jobs).toHaveLength(2);
    for (const job of jobs) expect(await mail().sendBatch(job)).toMatchObject({ sent: 2 });
    // A retried or re-run job, and the sweep, send nothing more.
    for (const job of jobs) expect(await mail().sendBatch(job)).toMatchObject({ sent: 0 });
    expect(await sendQueuedMail(t)).toMatchObject({ sent: 0 });

    expect(smtp.mails).toHaveLength(4);
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
    const to = (email: string) => smtp.mails.find((m) => JSON.stringify(m.to).includes(email))!;
    expect(to(en.email).from?.text).toContain('surveys@example.com');
    expect(to(en.email).subject).toMatch(/How did .+ do\?/);
    expect(to(es.email).subject).toMatch(/^¿Cómo valoras/);
    expect(to(ja.email).subject).toContain('匿名アンケート');
    expect(to(en.email).text).toContain('anonymous');
    expect(to(en.email).html).toContain('<a href="http://localhost:3000/s/');
    expect(to(fa.email).html).toContain('dir="rtl"');
    expect(to(fa.email).html).toContain('lang="fa"');
    expect(to(es.email).html).toContain('lang="es"');
    expect(to(en.email).messageId).toMatch(/@example\.com>?$/);

    // Each link works, and only its hash is stored.
    const token = tokenOf(to(ja.email));
    const { page } = await openSurvey(t, token);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="ja"');
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM invitation WHERE encode(token_hash, 'escape') LIKE $1`,
        [`%${token}%`],
      ),
    ).toHaveLength(0);
    expect(
      await t.dataSource.query(
        `SELECT 1 FROM mail_message WHERE context::text LIKE $1 OR last_error LIKE $1`,
        [`%${token}%`],
      ),
    ).toHaveLength(0);
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1 AND sent_at IS NOT NULL',
      [survey.id],
    );
    expect(n).toBe(4);
    expect((await mailRows(t, survey.id)).map((r) => r.status)).toEqual(Array(4).fill('sent'));
    expect(await t.dataSource.query('SELECT 1 FROM outbox_message')).toHaveLength(0);
  });

  it('queues reminders set-based, only for those who may still answer, each at its own time', async () => {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 6, { locale: 'es' });
    const [open, answered, cancelled, inactive, expired, later] = people;
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const firstToken = tokenOf(smtp.mails.find((m) => JSON.stringify(m.to).includes(open.email))!);

    const byEmail = `(SELECT id FROM employee WHERE email = $1)`;
    // Answered and released (the mixer marks the invitation; see the next test for an answer
    // still waiting for its release).
    await t.dataSource.query(
      `UPDATE invitation SET answered = true WHERE employee_id = ${byEmail}`,
      [answered.email],
    );
    await t.dataSource.query(
      `UPDATE invitation SET cancelled_at = now(), expires_at = now() WHERE employee_id = ${byEmail}`,
      [cancelled.email],
    );
    await t.dataSource.query('UPDATE employee SET active = false WHERE email = $1', [
      inactive.email,
    ]);
    await t.dataSource.query(
      `UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE employee_id = ${byEmail}`,
      [expired.email],
    );
    const sendAfter = new Date(Date.now() + 3_600_000);
    await t.dataSource.query(
      `UPDATE invitation SET send_after = $2 WHERE employee_id = ${byEmail}`,
      [later.email, sendAfter],
    );

    const before = new Date();
    const queued = await mail().queueInvitationMails({ surveyId: survey.id }, { sequence: 1 });
    expect(queued).toEqual({ queued: 2, jobs: 1 });
    // Queueing again creates nothing.
    expect(await mail().queueInvitationMails({ surveyId: survey.id }, { sequence: 1 })).toEqual({
      queued: 0,
      jobs: 0,
    });
    const reminders = (await mailRows(t, survey.id)).filter((r) => r.sequence === 1);
    expect(reminders.map((r) => r.email).sort()).toEqual([later.email, open.email].sort());
    expect(new Date(reminders.find((r) => r.email === later.email)!.due_at).getTime()).toBe(
      sendAfter.getTime(),
    );

    const [job] = await sendJobs(t, before);
    expect(await mail().sendBatch(job)).toMatchObject({ sent: 1 });
    expect(smtp.countTo(open.email)).toBe(2);
    expect(smtp.countTo(later.email)).toBe(1);
    // The batch's later mail got a job of its own, starting when it is due.
    const [followUp] = await sendJobs(t, before).then((jobs) => jobs.slice(1));
    expect(followUp).toMatchObject({ queueId: job.queueId, batchNo: job.batchNo });
    expect(new Date(followUp.startAfter).getTime()).toBe(sendAfter.getTime());

    const reminder = smtp.mails.filter((m) => JSON.stringify(m.to).includes(open.email))[1];
    expect(reminder.subject).toMatch(/^Un recordatorio amable/);
    expect(reminder.text).toContain('sustituye');
    // The reminder's link works; the earlier one was replaced.
    expect((await openSurvey(t, tokenOf(reminder))).page.statusCode).toBe(200);
    expect((await openSurvey(t, firstToken)).page.statusCode).toBe(404);

    // The clock reaches the later mail's time (the clock is the one thing tests may replace).
    await t.dataSource.query(`UPDATE mail_message SET due_at = now() WHERE to_address = $1`, [
      later.email,
    ]);
    expect(await mail().sendBatch(followUp)).toMatchObject({ sent: 1 });
    expect(smtp.countTo(later.email)).toBe(2);
  });

  it('sends no reminder to someone whose answer waits for its release, and leaves their link closed', async () => {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, 3);
    const [waiting, open] = people;
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const token = tokenOf(smtp.mails.find((m) => JSON.stringify(m.to).includes(waiting.email))!);
    const nps = questions.find((q) => q.type === 'nps')!;
    expect((await submitSurvey(t, token, { [`q_${nps.id}`]: '8' })).statusCode).toBe(200);
    // The submit writes nothing to the invitation, so the reminder is queued for everyone…
    expect(
      await mail().queueInvitationMails({ surveyId: survey.id }, { sequence: 1 }),
    ).toMatchObject({ queued: 3 });
    // …and the one whose answer waits is cancelled, as answered, when its mail would be built.
    await sendQueuedMail(t);
    expect(smtp.countTo(waiting.email)).toBe(1);
    expect(smtp.countTo(open.email)).toBe(2);
    expect(smtp.countTo(people[2].email)).toBe(2);
    const reminders = (await mailRows(t, survey.id)).filter((r) => r.sequence === 1);
    expect(reminders.find((r) => r.email === waiting.email)).toMatchObject({
      status: 'cancelled',
      last_error: 'answered',
    });
    expect(reminders.filter((r) => r.status === 'sent')).toHaveLength(2);
    // No fresh link replaced the one they answered with: it still answers 410.
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
  });

  it('by a list of invitations, and inside the caller’s transaction: a rollback leaves no mail and no job', async () => {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 3);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const [one] = await t.dataSource.query(
      'SELECT id FROM invitation WHERE survey_id = $1 AND employee_id = $2',
      [survey.id, people[0].id],
    );
    const before = new Date();
    await expect(
      t.dataSource.transaction(async (manager) => {
        const queued = await mail().queueInvitationMails(
          { invitationIds: [one.id] },
          { sequence: 2, manager },
        );
        expect(queued).toEqual({ queued: 1, jobs: 1 });
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect((await mailRows(t, survey.id)).filter((r) => r.sequence === 2)).toHaveLength(0);
    expect(await sendJobs(t, before)).toHaveLength(0);

    await t.dataSource.transaction((manager) =>
      mail().queueInvitationMails({ invitationIds: [one.id] }, { sequence: 2, manager }),
    );
    const [job] = await sendJobs(t, before);
    expect(await mail().sendBatch(job)).toMatchObject({ sent: 1 });
    expect(smtp.countTo(people[0].email)).toBe(2);
    expect(smtp.countTo(people[1].email)).toBe(1);
  });

  it('sends a one-off mail once per dedupe key, made by its own kind’s builder at send time', async () => {
    let builds = 0;
    mail().registerKind('ticket-survey', {
      async build(mails) {
        builds += 1;
        return new Map(
          mails.map((m) => [
            m.id,
            {
              template: 'invitation',
              subject: `How did ${String(m.context?.team)} do?`,
              context: {
                name: 'Ana',
                teamName: m.context?.team,
                k: 5,
                link: 'http://localhost:3000/s/made-at-send-time',
                expires: new Date('2030-05-17T00:00:00Z'),
              },
            },
          ]),
        );
      },
    });
    const one = {
      kind: 'ticket-survey',
      to: 'requester@example.com',
      locale: 'es',
      dedupeKey: 'ticket-survey:INC-42',
      context: { team: 'Field Services' },
    };
    const first = await mail().queueMail(one);
    const second = await mail().queueMail(one);
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    await sendQueuedMail(t);
    await sendQueuedMail(t);
    expect(builds).toBe(1);
    expect(smtp.countTo('requester@example.com')).toBe(1);
    const got = smtp.mails.find((m) => JSON.stringify(m.to).includes('requester@example.com'))!;
    expect(got.subject).toBe('How did Field Services do?');
    expect(got.text).toContain('made-at-send-time');
    expect(got.text).toContain('17 de mayo de 2030');
  });

  it('gives another feature’s invitations their own content, with a fresh link made at send time', async () => {
    const sentHook: string[] = [];
    t.get(InvitationsService).registerInvitationMail(
      'score-invitation',
      (claimed, link) => ({
        template: 'invitation',
        subject: `Rate ${link.teamName}`,
        context: {
          name: link.name,
          teamName: link.teamName,
          k: link.reportingThreshold,
          link: `${link.url}?score=9`,
          expires: link.expiresAt,
        },
      }),
      async (claimed) => {
        sentHook.push(claimed.invitationId as string);
      },
    );
    const { survey } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    await t.dataSource.query(
      `INSERT INTO invitation (survey_id, employee_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
      [survey.id, person.id],
    );
    const [{ id }] = await t.dataSource.query('SELECT id FROM invitation WHERE survey_id = $1', [
      survey.id,
    ]);
    const queued = await mail().queueInvitationMails(
      { invitationIds: [id] },
      { kind: 'score-invitation' },
    );
    expect(queued.queued).toBe(1);
    await sendQueuedMail(t);
    const got = smtp.mails.find((m) => JSON.stringify(m.to).includes(person.email))!;
    expect(got.subject).toBe('Rate IT Service Desk');
    const url = got.text!.match(/(\/s\/[A-Za-z0-9_-]{43})\?score=9/)![1];
    const page = await t.request({ method: 'GET', url: `${url}?score=9` });
    expect(page.statusCode).toBe(200);
    expect(sentHook).toEqual([id]);
    const [row] = await t.dataSource.query('SELECT sent_at FROM invitation WHERE id = $1', [id]);
    expect(row.sent_at).not.toBeNull();
    await expect(
      mail().queueInvitationMails({ invitationIds: [id] }, { kind: 'nobody-registered-this' }),
    ).rejects.toThrow(/no builder/);
  });

  it('sends HR a test of the invitation mail, marked as a test, with a link that opens no survey', async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/mail/test',
      payload: { to: 'HR.Person@example.com', locale: 'ja', teamName: 'Facilities' },
    });
    expect(res.statusCode).toBe(202);
    await sendQueuedMail(t);
    const test = smtp.mails.find((m) => JSON.stringify(m.to).includes('hr.person@example.com'))!;
    expect(test.subject).toMatch(/^\[テスト\] Facilities/);
    expect(test.text).toContain('これは招待メールのテストです');
    expect((await openSurvey(t, 'sample-link-of-a-test-mail')).page.statusCode).toBe(404);

    for (const payload of [{}, { to: 'not an address' }, { to: 'a@example.com', locale: '../x' }]) {
      const bad = await t.api({ method: 'POST', url: '/api/v1/mail/test', payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/to must be an e-mail address|locale/);
    }
  });
});
