import { MailService } from '../../src/modules/mail/mail.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createSurvey,
  formBody,
  openSurvey,
  sendQueuedMail,
  signIn,
  submitSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Deactivating an employee — by the API, a CSV import or the admin page — withdraws their open
 * links at once: unanswered invitations answer 410, their queued mails are cancelled, and no
 * reminder goes to them. What they already answered stays.
 */
describe('deactivating an employee', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The link in the newest mail to this address. */
  async function latestToken(email: string): Promise<string> {
    const [{ text }] = await t.dataSource.query(
      'SELECT text FROM outbox_message WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1',
      [email],
    );
    return (text as string).match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
  }

  /**
   * A person with one invitation whose mail went (its token), and one still queued. A survey
   * goes to at least m people (MIX_BATCH_SIZE): colleagues who stay active are invited to both
   * surveys with them (their links to the first survey come back too).
   */
  async function invitedTwice(email: string, alsoToFirst: string[] = []) {
    const first = await createSurvey(t);
    const second = await createSurvey(t);
    const surveys = t.get(SurveysService);
    const colleagues = (
      await createEmployees(t, t.config.mixBatchSize - 1, { department: 'Bystanders' })
    ).map((e) => e.email);
    await surveys.send(first.survey.id, { emails: [email, ...alsoToFirst, ...colleagues] });
    await sendQueuedMail(t);
    const token = await latestToken(email);
    const colleagueTokens = await Promise.all(colleagues.map(latestToken));
    await surveys.send(second.survey.id, { emails: [email, ...colleagues] });
    return { token, first: first.survey.id, second: second.survey.id, colleagueTokens };
  }

  async function mailStatus(email: string, surveyId: string) {
    const [row] = await t.dataSource.query(
      `SELECT m.status, m.last_error FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE m.to_address = $1 AND i.survey_id = $2 AND m.sequence = 0`,
      [email, surveyId],
    );
    return row as { status: string; last_error: string | null };
  }

  it('by the API: links answer 410, queued mails are cancelled, reminders skip them', async () => {
    const [person, other] = await createEmployees(t, 2);
    const { token, first, second, colleagueTokens } = await invitedTwice(person.email, [
      other.email,
    ]);
    // The form is open in their browser when they are deactivated.
    const openForm = await openSurvey(t, token);
    expect(openForm.page.statusCode).toBe(200);
    expect(await mailStatus(person.email, second)).toMatchObject({ status: 'queued' });

    const res = await t.api({
      method: 'PATCH',
      url: `/api/v1/employees/${person.id}`,
      payload: { active: false },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      employee: { email: person.email, active: false },
      cancelledInvitations: 2,
    });
    const link = await openSurvey(t, token);
    expect(link.page.statusCode).toBe(410);
    const questions: { id: string; type: string }[] = await t.dataSource.query(
      `SELECT q.id, q.type FROM question q JOIN survey s ON s.questionnaire_id = q.questionnaire_id
        WHERE s.id = $1`,
      [first],
    );
    const nps = questions.find((q) => q.type === 'nps')!;
    const late = await submitSurvey(t, token, { [`q_${nps.id}`]: '7' }, openForm);
    expect(late.statusCode).toBe(410);
    const [{ pending }] = await t.dataSource.query(
      'SELECT count(*)::int AS pending FROM pending_response WHERE survey_id = $1',
      [first],
    );
    expect(pending).toBe(0);
    expect(await mailStatus(person.email, second)).toEqual({
      status: 'cancelled',
      last_error: 'the person was deactivated',
    });
    // Only the colleagues' mails of the second survey go.
    expect(await sendQueuedMail(t)).toMatchObject({ sent: colleagueTokens.length });

    // A reminder round for the first survey reaches everyone invited but them.
    const reminders = await t
      .get(MailService)
      .queueInvitationMails({ surveyId: first }, { sequence: 1 });
    expect(reminders.queued).toBe(1 + colleagueTokens.length);
    await sendQueuedMail(t);
    const mailsTo = async (email: string) => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox_message WHERE to_address = $1`,
        [email],
      );
      return n as number;
    };
    expect(await mailsTo(person.email)).toBe(1);
    expect(await mailsTo(other.email)).toBe(2);

    // Reactivating does not bring withdrawn links back; a later survey may invite them again.
    const back = await t.api({
      method: 'PATCH',
      url: `/api/v1/employees/${person.id}`,
      payload: { active: true },
    });
    expect(back.json()).toMatchObject({ employee: { active: true }, cancelledInvitations: 0 });
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
  });

  it('keeps what was answered, and refuses bad requests with what is wrong', async () => {
    const [person] = await createEmployees(t, 1);
    const { token, first, colleagueTokens } = await invitedTwice(person.email);
    const { questions } = await t.dataSource
      .query('SELECT questionnaire_id FROM survey WHERE id = $1', [first])
      .then(async ([s]) => ({
        questions: await t.dataSource.query(
          'SELECT id, type FROM question WHERE questionnaire_id = $1 ORDER BY position',
          [s.questionnaire_id],
        ),
      }));
    const nps = questions.find((q: { type: string }) => q.type === 'nps');
    expect((await submitSurvey(t, token, { [`q_${nps.id}`]: '9' })).statusCode).toBe(200);
    for (const colleague of colleagueTokens)
      expect((await submitSurvey(t, colleague, { [`q_${nps.id}`]: '7' })).statusCode).toBe(200);
    const res = await t.api({
      method: 'PATCH',
      url: `/api/v1/employees/${person.id}`,
      payload: { active: false },
    });
    // The submit wrote nothing to the invitation (the release marks it), so no link can tell an
    // answered one from another: both are withdrawn, and the count says nothing of who answered.
    expect(res.json().cancelledInvitations).toBe(2);
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
    // What they answered stays: once the survey closes it is released with the colleagues'
    // (without it the team would be one short of m and nothing would be released).
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [first],
    );
    expect(await t.get(ResponsesService).mix()).toBe(t.config.mixBatchSize);
    const [answered] = await t.dataSource.query(
      'SELECT answered FROM invitation WHERE survey_id = $1 AND employee_id = $2',
      [first, person.id],
    );
    expect(answered.answered).toBe(true);
    const scores: { score: number }[] = await t.dataSource.query(
      `SELECT a.score FROM answer a JOIN response r ON r.id = a.response_id
        WHERE r.survey_id = $1 AND a.question_id = $2`,
      [first, nps.id],
    );
    expect(scores.map((a) => a.score).sort()).toEqual([
      ...Array(colleagueTokens.length).fill(7),
      9,
    ]);

    for (const payload of [{}, { active: 'no' }, { active: false, name: 'x' }]) {
      const bad = await t.api({ method: 'PATCH', url: `/api/v1/employees/${person.id}`, payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/active must be true or false|should not exist/);
    }
    const missing = await t.api({
      method: 'PATCH',
      url: '/api/v1/employees/00000000-0000-4000-8000-000000000000',
      payload: { active: false },
    });
    expect(missing.statusCode).toBe(404);
    const notUuid = await t.api({
      method: 'PATCH',
      url: '/api/v1/employees/someone',
      payload: { active: false },
    });
    expect(notUuid.statusCode).toBe(400);
  });

  it('by a CSV import with active=false', async () => {
    const [person, stays] = await createEmployees(t, 2);
    const { token, second } = await invitedTwice(person.email);
    const csv = [
      'email,name,active',
      `${person.email},${person.name},false`,
      `${stays.email},${stays.name},true`,
    ].join('\n');
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/employees/import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      created: 0,
      updated: 2,
      deactivated: 1,
      cancelledInvitations: 2,
    });
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
    expect((await mailStatus(person.email, second)).status).toBe('cancelled');
    // Importing the same file again deactivates no one more.
    const again = await t.api({
      method: 'POST',
      url: '/api/v1/employees/import',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(again.json()).toMatchObject({ deactivated: 0, cancelledInvitations: 0 });
  });

  it('by HR on the employees page', async () => {
    const [person] = await createEmployees(t, 1);
    await t.api({
      method: 'POST',
      url: '/api/v1/employees',
      payload: { email: 'markup@example.com', name: '<script>alert(1)</script> 100%_\\' },
    });
    const { token } = await invitedTwice(person.email);
    const admin = await signIn(t, 'admin');
    const list = await t.request({
      method: 'GET',
      url: `/admin/employees?search=${encodeURIComponent(person.email)}`,
      headers: { cookie: admin.cookie },
    });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`data-email="${person.email}"`);
    expect(list.body).toContain(`action="/admin/employees/${person.id}/active"`);
    expect(list.body).not.toContain('markup@example.com');
    // Search is a plain substring: % _ and \ match themselves; names are escaped.
    const odd = await t.request({
      method: 'GET',
      url: `/admin/employees?search=${encodeURIComponent('100%_\\')}`,
      headers: { cookie: admin.cookie },
    });
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toContain('data-email="markup@example.com"');
    expect(odd.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(odd.body).not.toContain('<script>alert(1)');
    const none = await t.request({
      method: 'GET',
      url: `/admin/employees?search=${encodeURIComponent('%')}&offset=0`,
      headers: { cookie: admin.cookie },
    });
    expect(none.body).toContain('data-email="markup@example.com"');
    expect(none.body.match(/data-email=/g)).toHaveLength(1);
    const badQuery = await t.request({
      method: 'GET',
      url: '/admin/employees?offset=-1',
      headers: { cookie: admin.cookie },
    });
    expect(badQuery.statusCode).toBe(400);

    const headers = { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const bad = await t.request({
      method: 'POST',
      url: `/admin/employees/${person.id}/active`,
      headers,
      payload: formBody({ _csrf: admin.csrf, active: 'maybe' }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('active must be true or false');
    expect((await openSurvey(t, token)).page.statusCode).toBe(200);

    const forged = await t.request({
      method: 'POST',
      url: `/admin/employees/${person.id}/active`,
      headers,
      payload: formBody({ _csrf: 'forged', active: 'false' }),
    });
    expect(forged.statusCode).toBe(403);
    expect((await openSurvey(t, token)).page.statusCode).toBe(200);

    const done = await t.request({
      method: 'POST',
      url: `/admin/employees/${person.id}/active`,
      headers,
      payload: formBody({ _csrf: admin.csrf, active: 'false' }),
    });
    expect(done.statusCode).toBe(303);
    const shown = await t.request({
      method: 'GET',
      url: done.headers.location as string,
      headers: { cookie: admin.cookie },
    });
    expect(shown.body).toContain('2 open survey link(s) withdrawn');
    expect(shown.body).toContain('Reactivate');
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);

    const unknown = await t.request({
      method: 'POST',
      url: '/admin/employees/00000000-0000-4000-8000-000000000000/active',
      headers,
      payload: formBody({ _csrf: admin.csrf, active: 'false' }),
    });
    expect(unknown.statusCode).toBe(404);
    const [audit] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'employee.deactivated' AND target = $1`,
      [person.email],
    );
    expect(audit.details).toEqual({ cancelledInvitations: 2 });
  });
});
