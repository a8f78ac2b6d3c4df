import { randomBytes } from 'node:crypto';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { MailService } from '../../src/modules/mail/mail.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import type { CreateQuestionnaireDto } from '../../src/modules/surveys/dto/create-questionnaire.dto';
import { TEST_PASSWORD, type TestApp } from '../setup/test-app';

/** Helpers that build data through the application's own services, as a user of the API would. */

export function uniqueSlug(prefix = 'team'): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function createTeam(t: TestApp, name = 'IT Service Desk', parentSlug?: string) {
  return t.get(TeamsService).create({ slug: uniqueSlug(), name, parentSlug });
}

export async function createEmployees(
  t: TestApp,
  count: number,
  overrides: Partial<{
    locale: string;
    department: string;
    location: string;
    team: string;
    timeZone: string;
  }> = {},
) {
  const tag = randomBytes(3).toString('hex');
  const rows = ['email,name,department,location,hire_date,locale,team,time_zone'];
  for (let i = 0; i < count; i++) {
    rows.push(
      [
        `person${i}.${tag}@example.com`,
        `Person ${i}`,
        overrides.department ?? 'Engineering',
        overrides.location ?? 'Madrid',
        '2022-01-10',
        overrides.locale ?? 'en',
        overrides.team ?? '',
        overrides.timeZone ?? '',
      ].join(','),
    );
  }
  await t.get(DirectoryService).importCsv(rows.join('\n'));
  const found: Awaited<ReturnType<DirectoryService['list']>>['items'] = [];
  for (let offset = 0; ; offset += 500) {
    const { items } = await t.get(DirectoryService).list({ limit: 500, offset });
    found.push(...items.filter((e) => e.email.endsWith(`.${tag}@example.com`)));
    if (items.length < 500) break;
  }
  return found;
}

export const STANDARD_QUESTIONNAIRE: CreateQuestionnaireDto = {
  name: 'Internal service pulse',
  defaultLocale: 'en',
  questions: [
    {
      type: 'nps',
      required: true,
      text: {
        en: 'How likely are you to recommend this team?',
        es: '¿Recomendarías al equipo?',
        ja: '勧めますか？',
        fa: 'آیا توصیه می‌کنید؟',
      },
    },
    {
      type: 'rating',
      text: {
        en: 'My request was resolved.',
        es: 'Se resolvió mi solicitud.',
        ja: '解決されました。',
        fa: 'حل شد.',
      },
    },
    {
      type: 'ces',
      text: {
        en: 'How easy was it?',
        es: '¿Qué tan fácil fue?',
        ja: '簡単でしたか？',
        fa: 'چقدر آسان بود؟',
      },
    },
    {
      type: 'single',
      text: {
        en: 'How did you contact us?',
        es: '¿Cómo nos contactaste?',
        ja: '連絡方法は？',
        fa: 'چگونه تماس گرفتید؟',
      },
      options: [
        { key: 'portal', label: { en: 'Portal', es: 'Portal', ja: 'ポータル', fa: 'پورتال' } },
        { key: 'email', label: { en: 'E-mail', es: 'Correo', ja: 'メール', fa: 'ایمیل' } },
      ],
    },
    {
      type: 'multi',
      text: {
        en: 'What went well?',
        es: '¿Qué salió bien?',
        ja: '良かった点は？',
        fa: 'چه چیزی خوب بود؟',
      },
      options: [
        { key: 'speed', label: { en: 'Speed', es: 'Rapidez', ja: '速さ', fa: 'سرعت' } },
        { key: 'clarity', label: { en: 'Clarity', es: 'Claridad', ja: '明確さ', fa: 'وضوح' } },
        {
          key: 'kindness',
          label: { en: 'Kindness', es: 'Amabilidad', ja: '親切さ', fa: 'مهربانی' },
        },
      ],
    },
    {
      type: 'text',
      maxLength: 200,
      text: { en: 'Why?', es: '¿Por qué?', ja: 'なぜですか？', fa: 'چرا؟' },
    },
  ],
};

export async function createSurvey(
  t: TestApp,
  options: { teamSlug?: string; openDays?: number } = {},
) {
  const surveys = t.get(SurveysService);
  const questionnaire = await surveys.createQuestionnaire(STANDARD_QUESTIONNAIRE);
  const teamSlug = options.teamSlug ?? (await createTeam(t)).slug;
  const survey = await surveys.createSurvey({
    name: 'Test survey',
    questionnaireId: questionnaire.id,
    teamSlug,
    openDays: options.openDays,
  });
  return { survey, questionnaire, questions: questionnaire.questions ?? [] };
}

/**
 * Runs the mail jobs as the workers would: sends every mail that is due now (the `mail.sweep`
 * handler, which takes any batch). Returns what happened.
 */
export function sendQueuedMail(t: TestApp) {
  return t.get(MailService).sendDue();
}

/**
 * Sends the survey to the employees through the real path (invitations, the mail pipeline, the
 * outbox) and returns each person's link token, read from the mail they received. A survey goes
 * to at least m people (MIX_BATCH_SIZE): when fewer are given, colleagues who will not answer
 * are invited with them.
 */
export async function inviteAndCollectTokens(
  t: TestApp,
  surveyId: string,
  employees: { id: string; email: string }[],
) {
  const others =
    employees.length < t.config.mixBatchSize
      ? await createEmployees(t, t.config.mixBatchSize - employees.length, {
          department: 'Bystanders',
        })
      : [];
  await t
    .get(SurveysService)
    .send(surveyId, { employeeIds: [...employees, ...others].map((e) => e.id) });
  await sendQueuedMail(t);
  const mails: { to_address: string; text: string }[] = await t.dataSource.query(
    'SELECT to_address, text FROM outbox_message',
  );
  return employees.map((employee) => {
    const mail = mails.find((m) => m.to_address === employee.email);
    const token = mail?.text.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1];
    if (!token) throw new Error(`no invitation mail for ${employee.email}`);
    return token;
  });
}

/** GETs the survey page like a browser and returns what a POST needs: cookie and CSRF field. */
export async function openSurvey(t: TestApp, token: string, headers: Record<string, string> = {}) {
  const page = await t.request({ method: 'GET', url: `/s/${token}`, headers });
  const cookie = page.cookies.find((c) => c.name === 'inpulse_csrf');
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
  const ctx = page.body.match(/name="_ctx" value="([^"]+)"/)?.[1];
  return {
    page,
    cookie: cookie ? `inpulse_csrf=${cookie.value}` : '',
    csrf: csrf ?? '',
    ctx: ctx ?? '',
  };
}

export function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

export async function submitSurvey(
  t: TestApp,
  token: string,
  fields: Record<string, string | string[]>,
  session?: { cookie: string; csrf: string; ctx: string },
) {
  const s = session ?? (await openSurvey(t, token));
  return t.request({
    method: 'POST',
    url: `/s/${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie },
    payload: formBody({ _ctx: s.ctx, _csrf: s.csrf, ...fields }),
  });
}

/**
 * A person with an account, signed in through the login form like a browser. Returns the
 * cookie header to send and the CSRF token of the session's forms.
 */
export async function signIn(
  t: TestApp,
  role: 'admin' | 'lead' | 'viewer',
  teamSlugs: string[] = [],
): Promise<{ cookie: string; csrf: string; email: string; userId: string }> {
  const email = `${role}.${randomBytes(3).toString('hex')}@example.com`;
  const accounts = t.get(AccountsService);
  const { userId, link } = await accounts.invite(undefined, {
    email,
    name: `A ${role}`,
    role,
    teamSlugs,
  });
  await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
    ip: '127.0.0.1',
  });
  const form = await t.request({ method: 'GET', url: '/login' });
  const nonce = form.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
  const loginCsrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1];
  const res = await t.request({
    method: 'POST',
    url: '/login',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `inpulse_csrf=${nonce}`,
    },
    payload: formBody({ _csrf: loginCsrf, email, password: TEST_PASSWORD }),
  });
  if (res.statusCode !== 303)
    throw new Error(`sign-in failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const session = res.cookies.find((c) => c.name === 'inpulse_session')!.value;
  const cookie = `inpulse_session=${session}`;
  const page = await t.request({ method: 'GET', url: '/account/password', headers: { cookie } });
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
  return { cookie, csrf, email, userId };
}

/** A campaign through the JSON API (a template, the given subject and teams, weekly by default). */
export async function createCampaign(t: TestApp, body: Record<string, unknown>) {
  const res = await t.api({
    method: 'POST',
    url: '/api/v1/campaigns',
    payload: {
      name: 'Pulse',
      template: 'pulse',
      cadence: { kind: 'weekly', start: '2027-01-04T10:00', timeZone: 'UTC' },
      sendWindow: {
        from: '00:00',
        to: '23:59',
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      },
      openDays: 5,
      reportingThreshold: 3,
      ...body,
    },
  });
  if (res.statusCode !== 201) throw new Error(`campaign: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; questionnaireId: string; reportingThreshold: number };
}

/**
 * The wave's invitation mails, delivered through the real delivery path into the outbox, and
 * each person's token read from their mail.
 */
export async function waveTokens(t: TestApp, surveyId: string) {
  // The wave's mails wait for its send window, which may be in the future of the test's wave:
  // due now (the clock cannot be moved), then sent through the pipeline into the outbox.
  await t.dataSource.query(
    `UPDATE mail_message SET due_at = now()
      WHERE invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
    [surveyId],
  );
  await sendQueuedMail(t);
  const mails: { to_address: string; text: string }[] = await t.dataSource.query(
    `SELECT o.to_address, o.text FROM outbox_message o
      WHERE o.to_address IN (SELECT e.email FROM invitation i JOIN employee e ON e.id = i.employee_id
                              WHERE i.survey_id = $1)`,
    [surveyId],
  );
  const tokens = new Map<string, string>();
  for (const m of mails) {
    const token = m.text.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1];
    if (token) tokens.set(m.to_address, token);
  }
  return tokens;
}

/**
 * Follows a form's redirect (post/redirect/get) like a browser: GETs its location with the
 * session cookie and whatever cookie the answer set (a one-time flash, e.g. a secret shown once).
 */
export async function followRedirect(
  t: TestApp,
  res: {
    statusCode: number;
    headers: Record<string, unknown>;
    cookies: { name: string; value: string }[];
  },
  cookie: string,
) {
  if (res.statusCode !== 303) throw new Error(`expected a redirect (303), got ${res.statusCode}`);
  const set = res.cookies.filter((c) => c.value !== '').map((c) => `${c.name}=${c.value}`);
  return t.request({
    method: 'GET',
    url: res.headers.location as string,
    headers: { cookie: [cookie, ...set].join('; ') },
  });
}
