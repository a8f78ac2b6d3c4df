import { join } from 'node:path';
import { createCampaign, createEmployees, createTeam, formBody, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { untranslatedRuns } from '../setup/untranslated';
import { I18n } from '../../src/common/i18n/i18n.service';

type Session = Awaited<ReturnType<typeof signIn>>;

/**
 * Refused forms of the signed-in pages in Japanese and Persian (issue 15, item 1): each says what
 * is wrong in the page's language, with no run of English words left, the Persian texts being the
 * catalogue's; the same refusals keep their English wording on English pages and in the API.
 */
describe('refused forms in the person’s language', () => {
  let t: TestApp;
  let admin: Session;
  let lead: Session;
  let team: { slug: string; id: string };
  let campaignId: string;
  let integrationId: string;
  const BOUNDARY = '----inpulseL10nErrors5xQ';

  /** The test's own data (names, slugs, values typed into the forms): not the app's words. */
  const data: (string | RegExp)[] = [
    'A admin',
    'A lead',
    'Mesa de ayuda',
    'Pulso',
    'Internal service pulse',
    /\bno-such-team\b/,
    /\bnot an address\b/,
    /\bMars\/Olympus\b/,
    'FREQ=SOMETIMES',
    'YYYY-MM-DDTHH:MM',
    'YYYY-MM-DD',
    'HH:MM',
    'RRULE',
    'IANA',
    /\bexample\.com\b/,
  ];

  const post = (who: Session, url: string, fields: Record<string, string | string[]>) =>
    t.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: who.cookie },
      payload: formBody({ _csrf: who.csrf, ...fields }),
    });
  const upload = (who: Session, url: string, file: { name: string; text: string }) =>
    t.request({
      method: 'POST',
      url,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, cookie: who.cookie },
      payload: Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${who.csrf}\r\n` +
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.text}\r\n` +
          `--${BOUNDARY}--\r\n`,
      ),
    });
  const speak = async (who: Session, locale: string) => {
    expect((await post(who, '/account/language', { locale, next: '/' })).statusCode).toBe(303);
  };

  const campaignForm = (fields: Record<string, string | string[]>) => ({
    name: 'Pulso',
    template: 'pulse',
    subject: 'teams',
    teams: [team.slug],
    cadence: 'monthly',
    start: '2027-01-04T10:00',
    timeZone: 'Europe/Madrid',
    windowFrom: '09:00',
    windowTo: '17:00',
    windowDays: ['mon'],
    openDays: '5',
    reminder1: '3',
    reportingThreshold: '5',
    action: 'save',
    ...fields,
  });

  /** Every refused form: who sends it, where, and the status it gets. */
  const refusals = (): {
    name: string;
    who: () => Session;
    send: (who: Session) => ReturnType<TestApp['request']>;
    status: number;
  }[] => [
    {
      name: 'password: the current one is wrong',
      who: () => lead,
      send: (who) =>
        post(who, '/account/password', {
          current: 'not the password at all',
          password: 'a-long-enough-password',
          confirm: 'a-long-enough-password',
        }),
      status: 400,
    },
    {
      name: 'users: an e-mail that is no address',
      who: () => admin,
      send: (who) =>
        post(who, '/admin/users', { email: 'not an address', name: 'X', role: 'viewer' }),
      status: 400,
    },
    {
      name: 'users: a role not offered',
      who: () => admin,
      send: (who) =>
        post(who, '/admin/users', { email: 'new.person@example.com', name: 'X', role: 'boss' }),
      status: 400,
    },
    {
      name: 'tokens: no name and no scope',
      who: () => admin,
      send: (who) => post(who, '/admin/tokens', { name: ' ' }),
      status: 400,
    },
    {
      name: 'tokens: no scope',
      who: () => admin,
      send: (who) => post(who, '/admin/tokens', { name: 'Exporter' }),
      status: 400,
    },
    {
      name: 'integrations: no name, an unknown team',
      who: () => admin,
      send: (who) =>
        post(who, '/admin/integrations', {
          kind: 'generic',
          name: '',
          defaultTeam: 'no-such-team',
        }),
      status: 400,
    },
    {
      name: 'integrations: Zendesk without its secret',
      who: () => admin,
      send: (who) =>
        post(who, '/admin/integrations', { kind: 'zendesk', name: 'Desk', defaultTeam: team.slug }),
      status: 400,
    },
    {
      name: 'integration settings out of range, a rule to an unknown team',
      who: () => admin,
      send: (who) =>
        post(who, `/admin/integrations/${integrationId}`, {
          name: 'Desk',
          defaultTeam: team.slug,
          mappingRules: 'Hardware => no-such-team',
          delayMinutes: '999999',
          samplingPercent: '500',
          excludedCategories: 'x'.repeat(120),
        }),
      status: 400,
    },
    {
      name: 'integration rotation: too long an overlap',
      who: () => admin,
      send: (who) =>
        post(who, `/admin/integrations/${integrationId}/rotate`, {
          signingSecret: 'a-new-signing-secret-0123456789',
          overlapHours: '5000',
        }),
      status: 400,
    },
    {
      name: 'employee import: rows with problems',
      who: () => admin,
      send: (who) =>
        upload(who, '/admin/employees/import', {
          name: 'people.csv',
          text: [
            'email,name,hire_date,locale,time_zone,active,shoe_size',
            'not an address,Ana,2027-02-30,xx_YY_zz,Mars/Olympus,maybe,42',
          ].join('\n'),
        }),
      status: 400,
    },
    {
      name: 'employee import: rows with problems (known columns)',
      who: () => admin,
      send: (who) =>
        upload(who, '/admin/employees/import', {
          name: 'people.csv',
          text: [
            'email,name,hire_date,locale,time_zone,active',
            'not an address,Ana,2027-02-30,xx_YY_zz,Mars/Olympus,maybe',
            'ana@example.com,Ana,2020-01-01,es,Europe/Madrid,true',
            'ana@example.com,Ana,2099-01-01,es,Europe/Madrid,true',
            'bea@example.com,Bea,1850-01-01,es,Europe/Madrid,true',
          ].join('\n'),
        }),
      status: 400,
    },
    {
      name: 'campaign: an RRULE cadence that cannot be read',
      who: () => admin,
      send: (who) =>
        post(who, '/campaigns', campaignForm({ cadence: 'rrule', rrule: 'FREQ=SOMETIMES' })),
      status: 400,
    },
    {
      name: 'campaign: an RRULE with a time part',
      who: () => admin,
      send: (who) =>
        post(who, '/campaigns', campaignForm({ cadence: 'rrule', rrule: 'FREQ=DAILY;BYHOUR=9' })),
      status: 400,
    },
    {
      name: 'campaign: waves that would overlap',
      who: () => admin,
      send: (who) =>
        post(who, '/campaigns', campaignForm({ cadence: 'weekly', openDays: '30', reminder1: '' })),
      status: 400,
    },
    {
      name: 'campaign: a send window backwards, no weekday, a start that does not exist',
      who: () => admin,
      send: (who) =>
        post(
          who,
          '/campaigns',
          campaignForm({
            windowFrom: '18:00',
            windowTo: '08:00',
            windowDays: [],
            start: '2027-02-30T10:00',
          }),
        ),
      status: 400,
    },
    {
      name: 'campaign: a start before 1970, a bad time zone, too long a name',
      who: () => admin,
      send: (who) =>
        post(
          who,
          '/campaigns',
          campaignForm({
            name: 'P'.repeat(201),
            start: '1969-12-01T10:00',
            timeZone: 'Mars/Olympus',
            windowFrom: '9h',
          }),
        ),
      status: 400,
    },
    {
      name: 'campaign: unknown people and reminders out of order',
      who: () => admin,
      send: (who) =>
        post(
          who,
          '/campaigns',
          campaignForm({
            include: 'nobody@example.com',
            reminder1: '4',
            reminder2: '2',
            openDays: '5',
          }),
        ),
      status: 400,
    },
    {
      name: 'campaign: resuming one that runs',
      who: () => admin,
      send: (who) => post(who, `/campaigns/${campaignId}/resume`, {}),
      status: 409,
    },
    {
      name: 'action: a due date that does not exist, an owner not allowed',
      who: () => lead,
      send: (who) =>
        post(who, `/teams/${team.slug}/actions`, {
          heard: 'x',
          planned: '',
          locale: 'ja',
          dueOn: '2027-02-30',
          status: 'planned',
          origin: 'other',
        }),
      status: 400,
    },
    {
      name: 'action: a form tampered with (owner, status, origin, publication)',
      who: () => lead,
      send: (who) =>
        post(who, `/teams/${team.slug}/actions`, {
          heard: 'Las esperas son largas.',
          planned: 'Responder en cuatro horas.',
          locale: 'es',
          ownerId: 'someone',
          status: 'bogus',
          origin: 'bogus',
        }),
      status: 400,
    },
    {
      name: 'digest settings out of range',
      who: () => admin,
      send: (who) =>
        post(who, '/admin/digest', {
          enabled: 'on',
          weekday: '9',
          hour: '25',
          grain: 'decade',
          locale: 'xx',
          timeZone: 'Mars/Olympus',
        }),
      status: 400,
    },
    {
      name: 'fatigue budget',
      who: () => admin,
      send: (who) => post(who, '/admin/settings', { days: '9999' }),
      status: 400,
    },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    team = await createTeam(t, 'Mesa de ayuda');
    await createEmployees(t, 3);
    admin = await signIn(t, 'admin');
    lead = await signIn(t, 'lead', [team.slug]);
    campaignId = (
      await createCampaign(t, { name: 'Pulso', teamSlugs: [team.slug], reportingThreshold: 5 })
    ).id;
    const made = await post(admin, '/admin/integrations', {
      kind: 'generic',
      name: 'Desk',
      defaultTeam: team.slug,
    });
    expect(made.statusCode).toBe(303);
    integrationId = String(made.headers.location).split('/').pop()!;
  });
  afterAll(() => t.close());

  it.each(['ja', 'fa'])('words every refused form in %s, with no English left', async (locale) => {
    await speak(admin, locale);
    await speak(lead, locale);
    const left: unknown[] = [];
    for (const refusal of refusals()) {
      const res = await refusal.send(refusal.who());
      expect({ form: refusal.name, status: res.statusCode }).toEqual({
        form: refusal.name,
        status: refusal.status,
      });
      expect(res.body).toContain(`<html lang="${locale}"`);
      const runs = untranslatedRuns(res.body, { allow: data });
      if (runs.length > 0) left.push({ form: refusal.name, runs });
    }
    expect(left).toEqual([]);
  });

  it('shows the catalogue’s Persian texts for the refusals', async () => {
    const i18n = new I18n(join(process.cwd(), 'views', 'locales'));
    const fa = (key: string, vars: Record<string, unknown> = {}) => i18n.t('fa', key, vars);
    const n = (value: number) => i18n.number('fa', value, { useGrouping: false });
    await speak(admin, 'fa');
    await speak(lead, 'fa');
    const byName = new Map(refusals().map((r) => [r.name, r]));
    const page = async (name: string) => {
      const refusal = byName.get(name)!;
      return (await refusal.send(refusal.who())).body
        .replace(/&quot;/g, '"')
        .replace(/&#x3D;/g, '=');
    };
    const shows = async (name: string, texts: string[]) => {
      const html = await page(name);
      for (const text of texts)
        expect({ name, html }).toEqual({ name, html: expect.stringContaining(text) });
    };
    await shows('password: the current one is wrong', [
      fa('errors.codes.account.current_password'),
    ]);
    await shows('users: an e-mail that is no address', [
      fa('errors.codes.account.bad_email', { email: 'not an address' }),
    ]);
    await shows('tokens: no scope', [fa('errors.codes.api_token.no_scope')]);
    await shows('integrations: no name, an unknown team', [
      fa('errors.codes.integration.invalid', { problems: '' }).trim(),
      fa('admin.integration.problem.no_team', {
        field: fa('admin.integration.fields.default_team'),
        slug: 'no-such-team',
      }),
    ]);
    await shows('integration settings out of range, a rule to an unknown team', [
      fa('admin.integration.problem.no_team', {
        field: fa('admin.integration.fields.rule', { n: n(1) }),
        slug: 'no-such-team',
      }),
      fa('form_problem.whole_range', {
        field: fa('admin.integration.fields.sampling'),
        min: n(0),
        max: n(100),
      }),
    ]);
    await shows('employee import: rows with problems (known columns)', [
      fa('errors.codes.employee.csv.bad_email', { email: 'not an address' }),
      fa('errors.codes.employee.csv.email_twice', { email: 'ana@example.com', line: n(3) }),
      fa('errors.codes.employee.csv.hire_date_old', { value: '1850-01-01', year: n(1900) }),
    ]);
    await shows('campaign: an RRULE cadence that cannot be read', [
      fa('campaign_pages.problem.rrule_freq'),
    ]);
    await shows('campaign: waves that would overlap', [
      fa('campaign_pages.problem.overlap', { apart: n(7), open: n(30) }),
    ]);
    await shows('campaign: a send window backwards, no weekday, a start that does not exist', [
      fa('campaign_pages.problem.window_order'),
      fa('campaign_pages.problem.window_days'),
    ]);
  });

  it('keeps the English wording on English pages and in the API', async () => {
    await speak(admin, 'en');
    await speak(lead, 'en');
    const [wrong] = refusals();
    expect((await wrong.send(lead)).body).toContain('The current password is not right.');
    const integration = await post(admin, '/admin/integrations', {
      kind: 'generic',
      name: 'Desk',
      defaultTeam: 'no-such-team',
    });
    expect(integration.body).toContain(
      'The integration is not valid: team of tickets no rule maps: no team &quot;no-such-team&quot;',
    );
    const api = await t.api({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: { 'accept-language': 'fa' },
      payload: { kind: 'generic', name: 'Desk', defaultTeam: 'no-such-team' },
    });
    expect(api.json()).toMatchObject({
      error: 'integration.invalid',
      message: 'The integration is not valid: defaultTeam: no team "no-such-team"',
    });
  });
});
