import { PassThrough } from 'node:stream';
import type { ParsedMail } from 'mailparser';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  nextMonthStart,
  REVIEW_REQUEST_QUEUE,
  ReviewsService,
  type ReviewRequestOutcome,
} from '../../src/modules/reviews/reviews.service';
import {
  createEmployees,
  createSurvey,
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
 * Anonymous reviews at any time: the public request page, the job that does the work, the
 * mails, answering through the usual link, and the release into reports as a third source.
 */
describe('anonymous reviews', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ipCounter = 0;
  /** A client address of its own per test, so that the per-client rate limit stays apart. */
  const nextIp = () => `198.51.100.${++ipCounter}`;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function openForm(slug: string, lang?: string, ip = nextIp()) {
    const page = await t.request({
      method: 'GET',
      url: `/services/${slug}/review${lang ? `?lang=${lang}` : ''}`,
      remoteAddress: ip,
    });
    const cookie = page.cookies.find((c) => c.name === 'inpulse_csrf');
    return {
      page,
      ip,
      cookie: cookie ? `inpulse_csrf=${cookie.value}` : '',
      csrf: page.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '',
    };
  }

  async function ask(
    slug: string,
    fields: Record<string, string>,
    session?: { cookie: string; csrf: string; ip: string },
    headers: Record<string, string> = {},
  ) {
    const s = session ?? (await openForm(slug));
    return t.request({
      method: 'POST',
      url: `/services/${slug}/review`,
      remoteAddress: s.ip,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: s.cookie,
        ...headers,
      },
      payload: formBody({ _csrf: s.csrf, ...fields }),
    });
  }

  /** The request jobs waiting, as pg-boss holds them. */
  async function requestJobs(): Promise<{ id: string; data: { ref: string; sealed: string } }[]> {
    return t.dataSource.query(
      `SELECT id, data FROM pgboss.job WHERE name = $1 ORDER BY created_on`,
      [REVIEW_REQUEST_QUEUE],
    );
  }

  /** Runs every waiting request job as a worker would, at `now`. */
  async function runJobs(now?: Date): Promise<ReviewRequestOutcome[]> {
    const outcomes: ReviewRequestOutcome[] = [];
    for (const job of await requestJobs())
      outcomes.push(await t.get(ReviewsService).runRequest(job.data, now));
    return outcomes;
  }

  const mailsTo = (email: string): ParsedMail[] =>
    smtp.mails.filter((m) => JSON.stringify(m.to).includes(email));
  const tokenOf = (mail: ParsedMail) => mail.text?.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1] as string;

  async function countRows() {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE name = $1)::int AS jobs,
              (SELECT count(*) FROM rate_limit_bucket WHERE key LIKE 'review-%')::int AS buckets,
              (SELECT count(*) FROM invitation)::int AS invitations,
              (SELECT count(*) FROM mail_message)::int AS mails`,
      [REVIEW_REQUEST_QUEUE],
    );
    return row as { jobs: number; buckets: number; invitations: number; mails: number };
  }

  it('shows the request form in the reader’s language (Persian right to left), and 404 for no team', async () => {
    const team = await createTeam(t, 'Facilities');
    const en = await openForm(team.slug);
    expect(en.page.statusCode).toBe(200);
    expect(en.page.headers['cache-control']).toBe('no-store');
    expect(en.page.body).toContain('Review Facilities');
    expect(en.page.body).toContain(`action="/services/${team.slug}/review"`);
    expect(en.page.body).toContain('name="email"');
    expect(en.csrf).not.toBe('');
    expect(en.cookie).not.toBe('');

    const fa = await openForm(team.slug, 'fa');
    expect(fa.page.body).toMatch(/<html lang="fa" dir="rtl">/);
    expect(fa.page.body).toContain('ارزیابی Facilities');
    const ja = await t.request({
      method: 'GET',
      url: `/services/${team.slug}/review`,
      headers: { 'accept-language': 'ja,en;q=0.5' },
    });
    expect(ja.body).toContain('仕事用のメールアドレス');

    expect(
      (await t.request({ method: 'GET', url: '/services/no-such-team/review' })).statusCode,
    ).toBe(404);
  });

  it('refuses a missing or malformed address (400), a bad CSRF token (403) and a cross-site post, writing nothing', async () => {
    const team = await createTeam(t, 'Payroll');
    const before = await countRows();

    const missing = await ask(team.slug, { email: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Enter your work e-mail address.');
    const absent = await ask(team.slug, {});
    expect(absent.statusCode).toBe(400);
    const invalid = await ask(team.slug, { email: 'not an address' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('This is not an e-mail address.');
    // The address comes back in the field, escaped.
    const hostile = await ask(team.slug, { email: '"><script>x</script>' });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.body).not.toContain('<script>x</script>');
    const persian = await ask(
      team.slug,
      { email: 'nope', lang: 'fa' },
      await openForm(team.slug, 'fa'),
    );
    expect(persian.statusCode).toBe(400);
    expect(persian.body).toContain('این یک نشانی ایمیل نیست');

    const session = await openForm(team.slug);
    const noCookie = await ask(team.slug, { email: 'ana@example.com' }, { ...session, cookie: '' });
    expect(noCookie.statusCode).toBe(403);
    const wrongToken = await ask(
      team.slug,
      { email: 'ana@example.com' },
      { ...session, csrf: 'x'.repeat(43) },
    );
    expect(wrongToken.statusCode).toBe(403);
    // A token of another team's form does not fit this one.
    const other = await createTeam(t, 'Legal');
    const otherSession = await openForm(other.slug);
    const elsewhere = await ask(
      team.slug,
      { email: 'ana@example.com' },
      { ...otherSession, ip: session.ip },
    );
    expect(elsewhere.statusCode).toBe(403);
    const crossSite = await ask(team.slug, { email: 'ana@example.com' }, session, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('This form had expired');

    expect(await countRows()).toEqual(before);
    expect((await ask('no-such-team', { email: 'ana@example.com' })).statusCode).toBe(404);
  });

  it('answers every address alike: known, unknown, inactive, already reviewed — same status, headers, page and writes', async () => {
    const team = await createTeam(t, 'IT Service Desk');
    const [known, inactive, reviewed] = await createEmployees(t, 3);
    await t.get(DirectoryService).setActive(inactive.id, false, undefined);
    // `reviewed` already reviewed the team this month, and a release marked it answered (as it
    // would with m people; before that a request is treated as for one not answered).
    await ask(team.slug, { email: reviewed.email });
    await runJobs();
    await sendQueuedMail(t);
    const token = tokenOf(mailsTo(reviewed.email)[0]);
    const survey = await openSurvey(t, token);
    const nps = survey.page.body.match(/name="(q_[0-9a-f-]+)" value="9"/)?.[1] as string;
    expect((await submitSurvey(t, token, { [nps]: '9' }, survey)).statusCode).toBe(200);
    await t.dataSource.query(`UPDATE invitation SET answered = true WHERE employee_id = $1`, [
      reviewed.id,
    ]);

    // The rate limiter counts any address asked for, known or not: it starts afresh here, as for
    // an address asked for the first time this hour.
    await t.dataSource.query(`DELETE FROM rate_limit_bucket WHERE key LIKE 'review-%'`);
    const addresses = [known.email, 'nobody.at.all@example.com', inactive.email, reviewed.email];
    const answers = [];
    for (const email of addresses) {
      const session = await openForm(team.slug);
      const before = await countRows();
      const res = await ask(team.slug, { email: email.toUpperCase() }, session);
      const after = await countRows();
      const page = await t.request({
        method: 'GET',
        url: res.headers.location as string,
        remoteAddress: session.ip,
      });
      // Apart from the date, the request id and the measured duration (Server-Timing: the same
      // work for every address, so it differs only by the machine's noise).
      const { date: _d, 'x-request-id': _r, 'server-timing': _s, ...headers } = res.headers;
      const { date: _pd, 'x-request-id': _pr, 'server-timing': _ps, ...pageHeaders } = page.headers;
      answers.push({
        status: res.statusCode,
        headers,
        body: res.body,
        page: { status: page.statusCode, headers: pageHeaders, body: page.body },
        writes: { jobs: after.jobs - before.jobs, buckets: after.buckets - before.buckets },
        untouched: after.invitations === before.invitations && after.mails === before.mails,
      });
    }
    expect(answers[0].status).toBe(303);
    expect(answers[0].headers.location).toBe(`/services/${team.slug}/review/sent?lang=en`);
    expect(answers[0].page.body).toContain(
      'If this address is in the directory, a personal link is on its way.',
    );
    expect(answers[0].writes).toEqual({ jobs: 1, buckets: 2 });
    expect(answers[0].untouched).toBe(true);
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);

    // The job's payload holds no address in clear.
    const jobs = await requestJobs();
    expect(jobs).toHaveLength(4);
    for (const job of jobs)
      expect(JSON.stringify(job.data).toLowerCase()).not.toContain('example.com');
    // Nor does the rate limiter's row of an address.
    const keys: { key: string }[] = await t.dataSource.query(
      `SELECT key FROM rate_limit_bucket WHERE key LIKE 'review-%'`,
    );
    for (const { key } of keys) expect(key).not.toContain('@');

    expect(await runJobs()).toEqual([
      'invited',
      'not-in-directory',
      'not-in-directory',
      'already-reviewed',
    ]);
    // Each job is gone once it ran, from the queue and from pg-boss's archive.
    const [left] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE name = $1)::int
            + (SELECT count(*) FROM pgboss.archive WHERE name = $1)::int AS n`,
      [REVIEW_REQUEST_QUEUE],
    );
    expect(left.n).toBe(0);
  });

  it('mails a personal link in the person’s language, fresh on a second request, "already reviewed" once answered, and again next month', async () => {
    const team = await createTeam(t, 'Workplace');
    const [person] = await createEmployees(t, 1, { locale: 'fa' });

    await ask(team.slug, { email: person.email });
    expect(await runJobs()).toEqual(['invited']);
    await sendQueuedMail(t);
    const [first] = mailsTo(person.email);
    expect(first.subject).toContain('Workplace');
    expect(first.html).toContain('dir="rtl"');
    expect(first.text).toContain('پیوند');
    const firstToken = tokenOf(first);
    expect(first.html).toContain(`/s/${firstToken}`);

    // Asked again before answering: the same invitation, a fresh link; the old one stops working.
    await ask(team.slug, { email: person.email });
    expect(await runJobs()).toEqual(['new-link']);
    await sendQueuedMail(t);
    const second = mailsTo(person.email)[1];
    const secondToken = tokenOf(second);
    expect(secondToken).not.toBe(firstToken);
    expect((await t.request({ method: 'GET', url: `/s/${firstToken}` })).statusCode).toBe(404);
    const [{ n: invitations }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM invitation WHERE employee_id = $1`,
      [person.id],
    );
    expect(invitations).toBe(1);

    // The review page is the survey page of the link, in the person's language.
    const survey = await openSurvey(t, secondToken);
    expect(survey.page.statusCode).toBe(200);
    expect(survey.page.body).toMatch(/<html lang="fa" dir="rtl">/);
    expect(survey.page.body).toContain('Workplace');
    expect(survey.page.body).toContain('چه چیزی خوب کار می‌کند؟');
    const nps = survey.page.body.match(/name="(q_[0-9a-f-]+)" value="9"/)?.[1] as string;
    expect((await submitSurvey(t, secondToken, { [nps]: '10' }, survey)).statusCode).toBe(200);

    // Answered, the answer waiting for its release: a request is treated as for one not
    // answered (a fresh link, which opens on "already answered"), so that nothing it writes
    // tells that the person answered before the release.
    await ask(team.slug, { email: person.email });
    expect(await runJobs()).toEqual(['new-link']);
    await sendQueuedMail(t);
    const waiting = tokenOf(mailsTo(person.email)[2]);
    expect((await t.request({ method: 'GET', url: `/s/${waiting}` })).statusCode).toBe(410);

    // Released (the invitation marked answered, as the release does): a request this month gets
    // no link, but a mail that says so and when.
    await t.dataSource.query(`UPDATE invitation SET answered = true WHERE employee_id = $1`, [
      person.id,
    ]);
    await t.dataSource.query(`DELETE FROM rate_limit_bucket WHERE key LIKE 'review-address:%'`);
    await ask(team.slug, { email: person.email });
    expect(await runJobs()).toEqual(['already-reviewed']);
    await sendQueuedMail(t);
    const third = mailsTo(person.email)[3];
    expect(third.text).not.toMatch(/\/s\//);
    expect(third.html).toContain('dir="rtl"');
    const nextMonth = nextMonthStart(new Date());
    const persianDate = new Intl.DateTimeFormat('fa', {
      dateStyle: 'long',
      timeZone: 'UTC',
    }).format(nextMonth);
    expect(third.text).toContain(persianDate);
    const [{ n: still }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM invitation WHERE employee_id = $1`,
      [person.id],
    );
    expect(still).toBe(1);

    // Next month (the hour's rate limit long over): a new review survey, a new invitation.
    await ask(team.slug, { email: person.email });
    await ask(team.slug, { email: person.email });
    const limited = await ask(team.slug, { email: person.email });
    expect(limited.statusCode).toBe(429);
    await runJobs();
    await t.dataSource.query(`DELETE FROM rate_limit_bucket WHERE key LIKE 'review-address:%'`);
    expect((await ask(team.slug, { email: person.email })).statusCode).toBe(303);
    expect(await runJobs(new Date(nextMonth.getTime() + 86_400_000))).toEqual(['invited']);
    const surveys: { period: string }[] = await t.dataSource.query(
      `SELECT period FROM review_survey WHERE team_id = $1 ORDER BY period`,
      [team.id],
    );
    expect(surveys).toHaveLength(2);
  });

  it('limits requests per address and per client (429), writing no job', async () => {
    const team = await createTeam(t, 'Travel');
    const ip = nextIp();
    const address = 'same.person@example.com';
    for (let i = 0; i < 3; i++) {
      const session = { ...(await openForm(team.slug, undefined, ip)) };
      expect((await ask(team.slug, { email: address }, session)).statusCode).toBe(303);
    }
    const jobs = (await requestJobs()).length;
    const limited = await ask(
      team.slug,
      { email: address },
      await openForm(team.slug, undefined, ip),
    );
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Too many requests');
    expect((await requestJobs()).length).toBe(jobs);

    const client = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push(
        (
          await ask(
            team.slug,
            { email: `p${i}@example.com` },
            await openForm(team.slug, undefined, client),
          )
        ).statusCode,
      );
    expect(statuses.slice(0, 20).every((s) => s === 303)).toBe(true);
    expect(statuses[20]).toBe(429);
    await runJobs();
  });

  it('releases reviews per team and period in groups of at least m people, and reports them as a third source under k', async () => {
    const team = await createTeam(t, 'Security');
    const small = await createTeam(t, 'Archive');
    const people = await createEmployees(t, 4);
    const answer = async (slug: string, email: string, score: string, comment: string) => {
      await ask(slug, { email });
      await runJobs();
      await sendQueuedMail(t);
      const mails = mailsTo(email);
      const token = tokenOf(mails[mails.length - 1]);
      const session = await openSurvey(t, token);
      const fields = [...session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g)].map((m) => m[1]);
      const [nps, worksWell] = [...new Set(fields)];
      const res = await submitSurvey(t, token, { [nps]: score, [worksWell]: comment }, session);
      expect(res.statusCode).toBe(200);
      // The thank-you page says how a review is released (per week, waiting for m people).
      expect(res.body).toContain('once the week is over');
      expect(res.body).toContain('again next month');
    };
    // Three people review Security (m = 3); two review Archive: below m, they wait.
    await answer(team.slug, people[0].email, '10', 'Fast answers');
    await answer(team.slug, people[1].email, '9', 'Friendly people');
    await answer(team.slug, people[2].email, '3', 'Hard to reach');
    await answer(small.slug, people[0].email, '8', 'Fine');
    await answer(small.slug, people[3].email, '7', 'Fine too');

    // The release marker stood at an old period: the mixer releases the period before this one.
    await t.dataSource.query(`DELETE FROM release_marker WHERE name = 'ticket'`);
    await t.dataSource.query(
      `INSERT INTO release_marker (name, released_through) VALUES ('ticket', current_date - 60)`,
    );
    await t.get(ResponsesService).mix();
    const released: { team_id: string; source: string; n: number; day: string }[] =
      await t.dataSource.query(
        `SELECT team_id, source, count(*)::int AS n, to_char(released_on, 'YYYY-MM-DD') AS day
           FROM response WHERE team_id = ANY($1::uuid[]) GROUP BY 1, 2, 4`,
        [[team.id, small.id]],
      );
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ team_id: team.id, source: 'review', n: 3 });
    const [{ waiting }] = await t.dataSource.query(
      `SELECT count(*)::int AS waiting FROM pending_response p JOIN survey s ON s.id = p.survey_id
        WHERE s.team_id = $1 AND s.source = 'review'`,
      [small.id],
    );
    expect(waiting).toBe(2);

    // A period is shown once closed: the week of the release, else its month.
    const day = released[0].day;
    const monday = new Date(
      Date.parse(`${day}T00:00:00Z`) -
        ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) * 86_400_000,
    );
    const weekClosed = monday.getTime() + 7 * 86_400_000 <= Date.now();
    const period = weekClosed ? 'week' : 'month';
    const api = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${team.slug}/reviews?period=${period}&at=${day}`,
    });
    expect(api.statusCode).toBe(200);
    const report = api.json();
    expect(report.value).toMatchObject({ withheld: false, n: 3, nps: 33.3 });
    // Three comments, under the comment threshold (5): the release shows none of them.
    expect(report.questions).toEqual([]);
    expect(JSON.stringify(report)).not.toContain('Fast answers');

    const tickets = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${team.slug}/tickets?period=${period}&at=${day}`,
      })
    ).json();
    expect(tickets.sources.map((s: { source: string }) => s.source)).toEqual([
      'pulse',
      'ticket',
      'review',
    ]);
    expect(tickets.sources[2]).toMatchObject({ label: 'Anonymous reviews', value: { n: 3 } });

    // The team below m shows nothing (nothing was released), and the pulse figures none of it.
    const smallReport = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${small.slug}/reviews?period=${period}&at=${day}`,
      })
    ).json();
    expect(smallReport.value).toEqual({ withheld: true });
    expect(tickets.sources[0].value).toEqual({ withheld: true });

    // The team page shows the same: its reviews part, and reviews in the source split.
    const hr = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: `/teams/${team.slug}?period=${period}&at=${day}`,
      headers: { cookie: hr.cookie },
    });
    expect(page.statusCode).toBe(200);
    const section = page.body.slice(page.body.indexOf('id="reviews-title"'));
    expect(section).toContain('Anonymous reviews');
    expect(section.slice(0, section.indexOf('</section>'))).toContain('33.3');
    expect(page.body).toMatch(/<td>Anonymous reviews<\/td><td>[^]*?33\.3/);
    expect(page.body).not.toContain('Fast answers');
  });

  it('does not count a review the person asked for against the survey fatigue budget', async () => {
    const team = await createTeam(t, 'Canteen');
    const people = await createEmployees(t, 3);
    await ask(team.slug, { email: people[0].email });
    expect(await runJobs()).toEqual(['invited']);
    await t.api({ method: 'PUT', url: '/api/v1/settings/fatigue', payload: { days: 14 } });
    try {
      const { survey } = await createSurvey(t);
      const sent = await t
        .get(SurveysService)
        .send(survey.id, { employeeIds: people.map((p) => p.id) });
      expect(sent).toMatchObject({ invited: 3, skippedByBudget: 0 });
    } finally {
      await t.api({ method: 'PUT', url: '/api/v1/settings/fatigue', payload: { days: 0 } });
    }
  });

  it('lets HR choose a team’s review questionnaire (API, validated), used from the next survey', async () => {
    const team = await createTeam(t, 'Procurement');
    const got = await t.api({ method: 'GET', url: `/api/v1/teams/${team.slug}/review-settings` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ team: team.slug, questionnaireId: null });
    const bad = await t.api({
      method: 'PUT',
      url: `/api/v1/teams/${team.slug}/review-settings`,
      payload: { questionnaireId: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await t.api({
      method: 'PUT',
      url: `/api/v1/teams/${team.slug}/review-settings`,
      payload: { questionnaireId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(400);
    const missing = await t.api({
      method: 'PUT',
      url: `/api/v1/teams/${team.slug}/review-settings`,
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/teams/${team.slug}/review-settings` }))
        .statusCode,
    ).toBe(401);

    const questionnaire = await t.api({
      method: 'POST',
      url: '/api/v1/questionnaires',
      payload: {
        name: 'Our review',
        questions: [{ type: 'rating', required: true, text: { en: 'How was {team}?' } }],
      },
    });
    const questionnaireId = questionnaire.json().id as string;
    const put = await t.api({
      method: 'PUT',
      url: `/api/v1/teams/${team.slug}/review-settings`,
      payload: { questionnaireId },
    });
    expect(put.statusCode).toBe(200);
    const surveyId = await t.get(ReviewsService).monthlySurvey(team, new Date());
    const [survey] = await t.dataSource.query(
      `SELECT questionnaire_id, source, subject, team_id FROM survey WHERE id = $1`,
      [surveyId],
    );
    expect(survey).toEqual({
      questionnaire_id: questionnaireId,
      source: 'review',
      subject: 'team',
      team_id: team.id,
    });
  });
});

describe('anonymous reviews in the logs', () => {
  it('logs no line of a review request: no client address, no time, no address asked for', async () => {
    let text = '';
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const t = await startTestApp({ LOG_LEVEL: 'log' }, { logStream: stream });
    try {
      const team = await createTeam(t, 'Mailroom');
      const [person] = await createEmployees(t, 1);
      const ip = '203.0.113.77';
      const form = await t.request({
        method: 'GET',
        url: `/services/${team.slug}/review`,
        remoteAddress: ip,
      });
      const cookie = form.cookies.find((c) => c.name === 'inpulse_csrf')!;
      const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1];
      const res = await t.request({
        method: 'POST',
        url: `/services/${team.slug}/review`,
        remoteAddress: ip,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `inpulse_csrf=${cookie.value}`,
        },
        payload: formBody({ _csrf: csrf, email: person.email }),
      });
      expect(res.statusCode).toBe(303);
      await t.request({ method: 'GET', url: res.headers.location as string, remoteAddress: ip });
      const [job] = await t.dataSource.query(`SELECT data FROM pgboss.job WHERE name = $1`, [
        REVIEW_REQUEST_QUEUE,
      ]);
      expect(await t.get(ReviewsService).runRequest(job.data)).toBe('invited');
      // Something is logged (the app's own lines), but nothing of the request.
      await t.request({ method: 'GET', url: '/healthz', remoteAddress: ip });
      await new Promise((resolve) => setImmediate(resolve));
      expect(text).toContain('/healthz');
      expect(text).not.toContain('/review');
      expect(text).not.toContain(person.email);
      expect(text.split('\n').filter((line) => line.includes(ip))).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
