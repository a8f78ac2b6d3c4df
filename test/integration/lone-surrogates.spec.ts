import { ResponsesService } from '../../src/modules/responses/responses.service';
import { FollowUpsService } from '../../src/modules/tickets/follow-ups.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  openSurvey,
} from '../factories';
import { createIntegration, ticketSurveyTokens } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * A respondent who posts their form as JSON can write a lone UTF-16 surrogate (`"\ud800"`) in a
 * comment or a contact message. The answer was accepted and sealed; at the release, its JSON
 * reached PostgreSQL's jsonb, which refuses a lone surrogate, and the release failed — every
 * minute, for that survey and every survey and team after it in the mixer's run; the follow-up
 * batch likewise. A lone surrogate is refused at the edge, like a NUL character.
 */
describe('a lone surrogate in an answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: '3',
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
    });
  });
  afterAll(() => t.close());

  /** Posts the form as JSON, the comment written raw into the body (escapes and all). */
  async function postJson(token: string, fields: Record<string, string>, rawComment?: string) {
    const session = await openSurvey(t, token);
    const body = JSON.stringify({ _ctx: session.ctx, _csrf: session.csrf, ...fields });
    return t.request({
      method: 'POST',
      url: `/s/${token}`,
      headers: { 'content-type': 'application/json', cookie: session.cookie },
      payload: rawComment ? body.replace('"RAW"', rawComment) : body,
    });
  }

  it('is refused, and the survey is released with the others’ answers', async () => {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, 4);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const nps = `q_${questions.find((q) => q.type === 'nps')!.id}`;
    const why = `q_${questions.find((q) => q.type === 'text')!.id}`;
    const hostile = await postJson(tokens[0], { [nps]: '5', [why]: 'RAW' }, '"a\\ud800b"');
    expect(hostile.statusCode).toBe(400);
    for (const token of tokens.slice(1))
      expect((await postJson(token, { [nps]: '8', [why]: 'fine 😀' })).statusCode).toBe(200);
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '5 minutes' WHERE id = $1`,
      [survey.id],
    );
    await expect(t.get(ResponsesService).mix()).resolves.toBe(3);
  });

  it('is refused in a request to be contacted, and the follow-up batch runs', async () => {
    const team = await createTeam(t, 'Payroll');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
      throttleDays: 30,
    });
    const people = await createEmployees(t, 2);
    const tokens = await ticketSurveyTokens(t, integration, people);
    const session = await openSurvey(t, tokens[0]);
    const [nps] = [...session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g)].map((m) => m[1]);
    const contact = { contact: 'yes', contact_message: 'RAW' };
    const hostile = await postJson(tokens[0], { [nps]: '5', ...contact }, '"call \\udc00 me"');
    expect(hostile.statusCode).toBe(400);
    const fine = await postJson(tokens[1], { [nps]: '9', ...contact, contact_message: 'call me' });
    expect(fine.statusCode).toBe(200);
    await expect(t.get(FollowUpsService).release()).resolves.toBe(1);
  });
});
