import type { ParsedMail } from 'mailparser';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  nextMonthStart,
  REVIEW_REQUEST_QUEUE,
  ReviewsService,
  type ReviewRequestOutcome,
} from '../../src/modules/reviews/reviews.service';
import {
  createEmployees,
  createTeam,
  formBody,
  openSurvey,
  sendQueuedMail,
  signIn,
  submitSurvey,
} from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Attacks on anonymous reviews found in review (issue 14): a release that mixed a team's old and
 * new review questionnaires, a request that told the mail table someone had answered before the
 * release, mail flooding, and the survey list's per-month request counts.
 */
describe('anonymous reviews under attack', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ipCounter = 0;
  const nextIp = () => `198.51.100.${++ipCounter}`;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  async function ask(slug: string, email: string) {
    const ip = nextIp();
    const page = await t.request({
      method: 'GET',
      url: `/services/${slug}/review`,
      remoteAddress: ip,
    });
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')?.value ?? '';
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    const res = await t.request({
      method: 'POST',
      url: `/services/${slug}/review`,
      remoteAddress: ip,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `inpulse_csrf=${nonce}`,
      },
      payload: formBody({ _csrf: csrf, email }),
    });
    // The hour's per-address limit is not what these tests are about.
    await t.dataSource.query(`DELETE FROM rate_limit_bucket WHERE key LIKE 'review-address:%'`);
    return res;
  }

  async function runJobs(now?: Date): Promise<ReviewRequestOutcome[]> {
    const outcomes: ReviewRequestOutcome[] = [];
    const jobs: { data: { ref: string; sealed: string } }[] = await t.dataSource.query(
      `SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on`,
      [REVIEW_REQUEST_QUEUE],
    );
    for (const job of jobs) outcomes.push(await t.get(ReviewsService).runRequest(job.data, now));
    return outcomes;
  }

  const mailsTo = (email: string): ParsedMail[] =>
    smtp.mails.filter((m) => JSON.stringify(m.to).includes(email));
  const tokenOf = (mail: ParsedMail) => mail.text?.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1] as string;

  /** Asks for a link (at `now`), follows the newest mail and answers every question. */
  async function review(slug: string, email: string, now?: Date) {
    expect((await ask(slug, email)).statusCode).toBe(303);
    await runJobs(now);
    await sendQueuedMail(t);
    const mails = mailsTo(email);
    const token = tokenOf(mails[mails.length - 1]);
    const session = await openSurvey(t, token);
    const fields = [
      ...new Set([...session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g)].map((m) => m[1])),
    ];
    const values: Record<string, string> = {};
    for (const f of fields)
      values[f] = session.page.body.includes(`name="${f}" value="9"`)
        ? '8'
        : session.page.body.includes(`name="${f}" value="5"`)
          ? '4'
          : `words of ${email}`;
    expect((await submitSurvey(t, token, values, session)).statusCode).toBe(200);
  }

  /** The mail rows of a person, as anyone reading mail_message sees them. */
  async function mailRows(email: string) {
    return t.dataSource.query(
      `SELECT kind, sequence, status, last_error AS reason FROM mail_message
        WHERE to_address = $1 ORDER BY created_at, sequence`,
      [email],
    ) as Promise<{ kind: string; sequence: number; status: string; reason: string | null }[]>;
  }

  it('releases a team’s reviews per questionnaire: one person alone with the old one waits', async () => {
    const team = await createTeam(t, 'Security Desk');
    const people = await createEmployees(t, 4);
    // This month: the built-in questionnaire, one reviewer.
    await review(team.slug, people[0].email);
    // HR switches the questionnaire; next month three people review with the new one.
    const q = await t.api({
      method: 'POST',
      url: '/api/v1/questionnaires',
      payload: {
        name: 'Security desk review',
        questions: [
          { type: 'rating', required: true, text: { en: 'How was {team}?' } },
          { type: 'text', text: { en: 'Tell us' } },
        ],
      },
    });
    expect(q.statusCode).toBe(201);
    const set = await t.api({
      method: 'PUT',
      url: `/api/v1/teams/${team.slug}/review-settings`,
      payload: { questionnaireId: q.json().id },
    });
    expect(set.statusCode).toBe(200);
    const next = new Date(nextMonthStart(new Date()).getTime() + 86_400_000);
    for (const person of people.slice(1)) await review(team.slug, person.email, next);

    await t.dataSource.query(`DELETE FROM release_marker WHERE name = 'ticket'`);
    await t.dataSource.query(
      `INSERT INTO release_marker (name, released_through) VALUES ('ticket', current_date - 60)`,
    );
    await t.get(ResponsesService).mix();

    // Every released response answers the questionnaire of the survey it is filed under, and
    // each questionnaire's release holds at least m = 3 people.
    const released: { questionnaire: string; filedUnder: string; responses: number }[] =
      await t.dataSource.query(
        `SELECT qu.questionnaire_id AS questionnaire, s.questionnaire_id AS "filedUnder",
                count(DISTINCT r.id)::int AS responses
           FROM response r JOIN survey s ON s.id = r.survey_id
           JOIN answer a ON a.response_id = r.id JOIN question qu ON qu.id = a.question_id
          WHERE r.team_id = $1 GROUP BY 1, 2`,
        [team.id],
      );
    expect(released).toEqual([
      { questionnaire: q.json().id, filedUnder: q.json().id, responses: 3 },
    ]);
    // The old questionnaire's answer waits (carried), its invitation still unanswered.
    const [{ waiting }] = await t.dataSource.query(
      `SELECT count(*)::int AS waiting FROM pending_response p JOIN survey s ON s.id = p.survey_id
        WHERE s.team_id = $1 AND s.questionnaire_id <> $2`,
      [team.id, q.json().id],
    );
    expect(waiting).toBe(1);
    const [{ answered }] = await t.dataSource.query(
      `SELECT count(*)::int AS answered FROM invitation i JOIN survey s ON s.id = i.survey_id
        WHERE s.team_id = $1 AND s.questionnaire_id <> $2 AND i.answered`,
      [team.id, q.json().id],
    );
    expect(answered).toBe(0);
  });

  it('writes the same for a request of someone whose answer waits as for someone who has not answered', async () => {
    const team = await createTeam(t, 'Reception');
    const [waiting, idle] = await createEmployees(t, 2);
    await review(team.slug, waiting.email);
    expect((await ask(team.slug, idle.email)).statusCode).toBe(303);
    expect(await runJobs()).toEqual(['invited']);
    await sendQueuedMail(t);

    // Both ask again: the same outcome, the same kind of mail rows, both mails delivered.
    expect((await ask(team.slug, waiting.email)).statusCode).toBe(303);
    expect((await ask(team.slug, idle.email)).statusCode).toBe(303);
    expect(await runJobs()).toEqual(['new-link', 'new-link']);
    await sendQueuedMail(t);
    expect(await mailRows(waiting.email)).toEqual(await mailRows(idle.email));
    expect((await mailRows(waiting.email)).map((r) => [r.kind, r.sequence, r.status])).toEqual([
      ['review-link', 0, 'sent'],
      ['review-link', 1, 'sent'],
    ]);
    // The fresh link of the one who answered opens on "already answered".
    const fresh = tokenOf(mailsTo(waiting.email)[1]);
    expect((await t.request({ method: 'GET', url: `/s/${fresh}` })).statusCode).toBe(410);

    // Once a release marked the invitation answered (visible in the database anyway), a
    // request is told "already reviewed" — once per invitation, however often it is asked.
    await t.dataSource.query(`UPDATE invitation SET answered = true WHERE employee_id = $1`, [
      waiting.id,
    ]);
    expect((await ask(team.slug, waiting.email)).statusCode).toBe(303);
    expect((await ask(team.slug, waiting.email)).statusCode).toBe(303);
    expect(await runJobs()).toEqual(['already-reviewed', 'already-reviewed']);
    const already = (await mailRows(waiting.email)).filter((r) => r.kind === 'review-already');
    expect(already).toHaveLength(1);
  });

  it('mails at most three fresh links per person, team and month, silently', async () => {
    const team = await createTeam(t, 'Canteen');
    const [person] = await createEmployees(t, 1);
    const statuses: number[] = [];
    const outcomes: ReviewRequestOutcome[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await ask(team.slug, person.email)).statusCode);
      outcomes.push(...(await runJobs()));
      await sendQueuedMail(t);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 303]);
    expect(outcomes).toEqual(['invited', 'new-link', 'new-link', 'new-link', 'nothing', 'nothing']);
    expect(await mailRows(person.email)).toHaveLength(4);
  });

  it('withholds the invited count of review surveys in the survey list', async () => {
    const team = await createTeam(t, 'Mailroom');
    const [person] = await createEmployees(t, 1);
    expect((await ask(team.slug, person.email)).statusCode).toBe(303);
    await runJobs();
    const list = await t.api({ method: 'GET', url: '/api/v1/surveys' });
    expect(list.statusCode).toBe(200);
    const reviews = (
      list.json().items as { source: string; invited: unknown; answered: unknown }[]
    ).filter((s) => s.source === 'review');
    expect(reviews.length).toBeGreaterThan(0);
    for (const s of reviews)
      expect(s).toMatchObject({
        invited: null,
        answered: null,
        countsWithheld: expect.stringContaining('ask'),
      });
  });
});

describe('anonymous review pages with SERVICES_ACCESS=link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SERVICES_ACCESS: 'link' });
  }, 120_000);
  afterAll(() => t?.close());

  const jobs = async () =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [
        REVIEW_REQUEST_QUEUE,
      ])
    )[0].n as number;

  it('sends a browser with neither pass nor session to /services/access, writing nothing', async () => {
    const team = await createTeam(t, 'Legal Affairs');
    const [person] = await createEmployees(t, 1);
    const before = await jobs();
    for (const url of [`/services/${team.slug}/review`, `/services/${team.slug}/review/sent`]) {
      const res = await t.request({ method: 'GET', url });
      expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({
        url,
        status: 303,
        location: '/services/access',
      });
      expect(res.body).not.toContain('Legal Affairs');
    }
    const post = await t.request({
      method: 'POST',
      url: `/services/${team.slug}/review`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _csrf: 'x', email: person.email }),
    });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe('/services/access');
    expect(await jobs()).toBe(before);

    // Signed in (any role): the form as usual.
    const viewer = await signIn(t, 'viewer');
    const page = await t.request({
      method: 'GET',
      url: `/services/${team.slug}/review`,
      headers: { cookie: viewer.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Legal Affairs');
  });
});
