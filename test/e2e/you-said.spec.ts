import type { ParsedMail } from 'mailparser';
import { TeamAction } from '../../src/modules/actions/entities/team-action.entity';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  openSurvey,
  sendQueuedMail,
  submitSurvey,
} from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const tokenOf = (mail: ParsedMail) => mail.text!.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];

/**
 * "You said, we did" reaches employees: the thank-you page after an answer about a team and the
 * next invitation to a survey about it show the team's published actions — never an internal
 * or a dropped one, nor another team's — in the reader's language, or marked as untranslated.
 */
describe('you said, we did', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let teamId: string;
  let surveyId: string;
  let questions: { id: string; type: string }[];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
    const team = await createTeam(t, 'IT Service Desk');
    const other = await createTeam(t, 'Payroll');
    teamId = team.id;
    const actions = t.dataSource.getRepository(TeamAction);
    const action = (fields: Partial<TeamAction>) =>
      actions.save(
        actions.create({
          teamId,
          locale: 'en',
          translations: {},
          origin: 'comments',
          published: true,
          status: 'done',
          doneOn: daysAgo(30),
          ...fields,
        }),
      );
    await action({
      heard: 'Laptops took a week to arrive',
      planned: 'We keep twenty spare laptops ready',
      translations: {
        es: {
          heard: 'Los portátiles tardaban una semana',
          planned: 'Tenemos veinte portátiles de repuesto',
        },
      },
    });
    await action({
      heard: 'Nobody answered the phone at lunch',
      planned: 'We staff the phone line over lunch',
      status: 'in_progress',
      doneOn: null,
    });
    await action({ heard: 'Old complaint', planned: 'ANCIENT-FIX', doneOn: daysAgo(400) });
    await action({ heard: 'Internal matter', planned: 'SECRET-INTERNAL', published: false });
    await action({
      heard: 'Dropped idea',
      planned: 'DROPPED-ONE',
      status: 'dropped',
      doneOn: null,
    });
    await action({ teamId: other.id, heard: 'Payslips late', planned: 'OTHER-TEAM-FIX' });

    const made = await createSurvey(t, { teamSlug: team.slug });
    surveyId = made.survey.id;
    questions = made.questions;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  let mails: Record<string, ParsedMail>;

  it('puts the last 180 days of done actions in the invitation, HTML and text, per language', async () => {
    const [en] = await createEmployees(t, 1, { locale: 'en' });
    const [es] = await createEmployees(t, 1, { locale: 'es' });
    const [fa] = await createEmployees(t, 1, { locale: 'fa' });
    await t.get(SurveysService).send(surveyId, { employeeIds: [en.id, es.id, fa.id] });
    await sendQueuedMail(t);
    const to = (email: string) => smtp.mails.find((m) => JSON.stringify(m.to).includes(email))!;
    mails = { en: to(en.email), es: to(es.email), fa: to(fa.email) };

    const english = mails.en;
    expect(english.text).toContain('Last time you told us what you think of IT Service Desk');
    expect(english.text).toContain('You said: Laptops took a week to arrive');
    expect(english.text).toContain('We did: We keep twenty spare laptops ready');
    expect(english.html).toContain('We keep twenty spare laptops ready');
    expect(english.html).toMatch(/done on [A-Z][a-z]+ \d{1,2}, \d{4}/);
    for (const mail of Object.values(mails)) {
      const all = `${mail.html}\n${mail.text}`;
      // Not done (in progress), too old, internal, dropped, another team's.
      for (const absent of [
        'We staff the phone line',
        'ANCIENT-FIX',
        'SECRET-INTERNAL',
        'DROPPED-ONE',
        'OTHER-TEAM-FIX',
      ])
        expect(all).not.toContain(absent);
    }
    expect(mails.es.text).toContain('Tenemos veinte portátiles de repuesto');
    expect(mails.es.text).not.toContain('sin traducir');
    // Persian: no translation, so the English text, marked, with its language.
    expect(mails.fa.text).toContain('We keep twenty spare laptops ready');
    expect(mails.fa.text).toContain('(ترجمه نشده؛ به زبان انگلیسی نوشته شده است)');
    expect(mails.fa.html).toMatch(/<span lang="en" dir="ltr">We keep twenty spare laptops ready/);
  });

  it('shows published actions on the thank-you page, marked where untranslated, the same for everyone', async () => {
    const nps = questions.find((q) => q.type === 'nps')!;
    const pages: string[] = [];
    for (const locale of ['fa', 'en']) {
      const token = tokenOf(mails[locale]);
      const session = await openSurvey(t, token);
      const res = await submitSurvey(
        t,
        token,
        { [`q_${nps.id}`]: locale === 'fa' ? '2' : '10' },
        session,
      );
      expect(res.statusCode).toBe(200);
      pages.push(res.body);
    }
    const [persian, english] = pages;
    expect(persian).toContain('id="you-said"');
    expect(persian).toContain('شما گفتید، ما انجام دادیم');
    expect(persian).toMatch(/<span lang="en" dir="ltr">We keep twenty spare laptops ready<\/span>/);
    expect(persian).toContain('(ترجمه نشده؛ به زبان انگلیسی نوشته شده است)');
    // In progress shows on the page (it is published); at most three.
    expect(persian).toContain('We staff the phone line over lunch');
    expect((persian.match(/class="you-said-item"/g) ?? []).length).toBeLessThanOrEqual(3);
    for (const absent of ['SECRET-INTERNAL', 'DROPPED-ONE', 'OTHER-TEAM-FIX']) {
      expect(persian).not.toContain(absent);
      expect(english).not.toContain(absent);
    }
    expect(english).toContain('We are doing:');
    expect(english).not.toContain('not translated');
    // The section does not depend on the answer: the same items for a 2 and a 10.
    const section = (html: string) =>
      (html.match(/<ul class="you-said-list">[\s\S]*?<\/ul>/)?.[0] ?? '').replace(
        /<span class="hint">\([^)]*\)<\/span>/g,
        '',
      );
    const items = (html: string) => section(html).match(/lang="\w+" dir="\w+">[^<]+/g);
    expect(items(persian)).toEqual(items(english));
  });
});
