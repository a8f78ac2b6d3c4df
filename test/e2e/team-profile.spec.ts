import { ApiTokensService } from '../../src/modules/accounts/api-tokens.service';
import { createTeam, followRedirect, formBody, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/** A page's text as a browser shows it (Handlebars escapes quotes, =, / …). */
const shown = (html: string) =>
  html.replace(
    /&(quot|#x27|#x3D|#x2F|#x60|amp|lt|gt);/g,
    (_, e: string) =>
      (
        ({
          quot: '"',
          '#x27': "'",
          '#x3D': '=',
          '#x2F': '/',
          '#x60': '`',
          amp: '&',
          lt: '<',
          gt: '>',
        }) as Record<string, string>
      )[e] ?? e,
  );

const GOOD = {
  purpose: {
    en: { handles: 'Laptops, accounts and printers', excludes: 'Mobile contracts (Facilities)' },
    fa: { handles: 'لپ‌تاپ، حساب‌ها و چاپگرها', excludes: '' },
  },
  profileLocale: 'en',
  timeZone: 'Europe/Madrid',
  openingHours: [
    { day: 1, opens: '09:00', closes: '13:00' },
    { day: 1, opens: '14:00', closes: '17:00' },
    { day: 2, opens: '09:00', closes: '17:00' },
  ],
  hoursExceptions: [
    { date: '2026-12-25', label: 'Christmas Day', closed: true },
    { date: '2026-12-24', label: 'Christmas Eve', closed: false, opens: '09:00', closes: '13:00' },
  ],
  contactChannels: [
    { kind: 'portal', value: 'https://help.example.com', label: { en: 'Service portal' } },
    { kind: 'email', value: 'it-help@example.com' },
    { kind: 'phone', value: '+34 910 000 000' },
    { kind: 'desk', value: 'Floor 2, next to the lifts' },
  ],
  firstResponseTargetMinutes: 240,
  resolutionTargetMinutes: 2880,
};

/** Bad profiles, each with the words the 400 must say. */
const BAD: [string, Record<string, unknown>, RegExp][] = [
  ['unknown purpose language', { purpose: { de: { handles: 'x', excludes: '' } } }, /purpose\.de/],
  [
    'overlong purpose',
    { purpose: { en: { handles: 'x'.repeat(2001), excludes: '' } } },
    /at most 2000/,
  ],
  ['purpose missing in the profile language', { profileLocale: 'es' }, /profile language \(es\)/],
  ['unknown profile language', { profileLocale: 'de' }, /profileLocale/],
  ['time zone that is none', { timeZone: 'Mars/Olympus' }, /timeZone must be an IANA/],
  [
    'day 8',
    { openingHours: [{ day: 8, opens: '09:00', closes: '10:00' }] },
    /openingHours.0.day must not be greater than 7/,
  ],
  [
    '25:00',
    { openingHours: [{ day: 1, opens: '09:00', closes: '25:00' }] },
    /closes must be a time/,
  ],
  [
    'opens after closes',
    { openingHours: [{ day: 1, opens: '17:00', closes: '09:00' }] },
    /closes must be after opens/,
  ],
  [
    'overlapping intervals',
    {
      openingHours: [
        { day: 3, opens: '09:00', closes: '13:00' },
        { day: 3, opens: '12:00', closes: '17:00' },
      ],
    },
    /overlaps/,
  ],
  [
    'too many intervals',
    {
      openingHours: Array.from({ length: 21 }, () => ({ day: 1, opens: '09:00', closes: '10:00' })),
    },
    /openingHours/,
  ],
  [
    '30 February',
    { hoursExceptions: [{ date: '2026-02-30', label: 'x', closed: true }] },
    /February 2026 has 28 days/,
  ],
  [
    'the same date twice',
    {
      hoursExceptions: [
        { date: '2026-12-25', label: 'a', closed: true },
        { date: '2026-12-25', label: 'b', closed: true },
      ],
    },
    /listed twice/,
  ],
  [
    'special hours backwards',
    {
      hoursExceptions: [
        { date: '2026-12-24', label: 'x', closed: false, opens: '13:00', closes: '09:00' },
      ],
    },
    /closes must be after opens/,
  ],
  ['unknown channel kind', { contactChannels: [{ kind: 'fax', value: '123' }] }, /kind/],
  [
    'not an e-mail address',
    { contactChannels: [{ kind: 'email', value: 'nobody' }] },
    /not an e-mail address/,
  ],
  [
    'letters in a phone number',
    { contactChannels: [{ kind: 'phone', value: 'call me maybe' }] },
    /not a phone number/,
  ],
  [
    'a javascript: portal',
    { contactChannels: [{ kind: 'portal', value: 'javascript:alert(1)' }] },
    /https:\/\/ or http:\/\//,
  ],
  [
    'a data: chat',
    { contactChannels: [{ kind: 'chat', value: 'data:text/html,hi' }] },
    /https:\/\/ or http:\/\//,
  ],
  [
    'too many channels',
    { contactChannels: Array.from({ length: 21 }, () => ({ kind: 'desk', value: 'x' })) },
    /contactChannels/,
  ],
  [
    'overlong channel label',
    { contactChannels: [{ kind: 'desk', value: 'x', label: { en: 'x'.repeat(101) } }] },
    /at most 100/,
  ],
  ['a negative target', { firstResponseTargetMinutes: -5 }, /firstResponseTargetMinutes/],
  ['a fractional target', { resolutionTargetMinutes: 1.5 }, /resolutionTargetMinutes/],
];

describe('team profile', () => {
  let t: TestApp;
  let slug: string;
  let otherSlug: string;
  const profileRow = async (s: string) =>
    (
      await t.dataSource.query(
        `SELECT purpose, profile_locale, time_zone, opening_hours, hours_exceptions, contact_channels,
                first_response_target_minutes, resolution_target_minutes
           FROM service_team WHERE slug = $1`,
        [s],
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp();
    slug = (await createTeam(t, 'IT Service Desk')).slug;
    otherSlug = (await createTeam(t, 'Payroll')).slug;
  });
  afterAll(() => t.close());

  describe('API', () => {
    const put = (body: unknown, s = slug, token = t.apiToken) =>
      t.request({
        method: 'PUT',
        url: `/api/v1/teams/${s}/profile`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    it('replaces the profile whole, answers it, and audits which parts changed', async () => {
      const res = await put(GOOD);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        slug,
        ...GOOD,
        hoursExceptions: [GOOD.hoursExceptions[1], GOOD.hoursExceptions[0]],
        changed: expect.any(Array),
      });
      const got = await t.api({ method: 'GET', url: `/api/v1/teams/${slug}/profile` });
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({
        slug,
        name: 'IT Service Desk',
        timeZone: 'Europe/Madrid',
        firstResponseTargetMinutes: 240,
        // Kept in date order, whatever order they were sent in.
        hoursExceptions: [{ date: '2026-12-24' }, { date: '2026-12-25' }],
        contactChannels: GOOD.contactChannels,
      });
      const again = await put({ ...GOOD, timeZone: 'Asia/Tehran' });
      expect(again.json().changed).toEqual(['timeZone']);
      const audit = await t.dataSource.query(
        `SELECT details FROM audit_event WHERE action = 'team.profile_updated' AND target = $1 ORDER BY at`,
        [`team:${slug}`],
      );
      expect(audit.at(-1).details).toEqual({ changed: ['timeZone'] });
      await put(GOOD);
    });

    it.each(BAD)(
      'refuses %s with a 400 naming the field, and writes nothing',
      async (_, change, words) => {
        const before = await profileRow(slug);
        const res = await put({ ...GOOD, ...change });
        expect(res.statusCode).toBe(400);
        expect(JSON.stringify(res.json())).toMatch(words);
        expect(await profileRow(slug)).toEqual(before);
      },
    );

    it('never loses a change made at the same time: with If-Match one PUT lands, the other gets 409', async () => {
      await put(GOOD, otherSlug);
      const got = await t.api({ method: 'GET', url: `/api/v1/teams/${otherSlug}/profile` });
      const etag = got.headers.etag as string;
      expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
      const putMatching = (body: unknown) =>
        t.request({
          method: 'PUT',
          url: `/api/v1/teams/${otherSlug}/profile`,
          headers: {
            authorization: `Bearer ${t.apiToken}`,
            'content-type': 'application/json',
            'if-match': etag,
          },
          payload: JSON.stringify(body),
        });
      const audits = async () =>
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS n FROM audit_event WHERE action = 'team.profile_updated' AND target = $1`,
            [`team:${otherSlug}`],
          )
        )[0].n as number;
      const n = await audits();
      const [a, b] = await Promise.all([
        putMatching({ ...GOOD, timeZone: 'Asia/Tehran' }),
        putMatching({ ...GOOD, firstResponseTargetMinutes: 30 }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const [won, lost] = a.statusCode === 200 ? [a, b] : [b, a];
      expect(lost.json()).toMatchObject({ error: 'team.profile_changed' });
      expect(lost.json().message).toContain('changed by someone else meanwhile');
      expect(won.headers.etag).not.toBe(etag);
      const now = await t.api({ method: 'GET', url: `/api/v1/teams/${otherSlug}/profile` });
      expect(now.json()).toMatchObject({
        timeZone: won.json().timeZone,
        firstResponseTargetMinutes: won.json().firstResponseTargetMinutes,
      });
      // One change, one audit entry, naming what it changed.
      expect(await audits()).toBe(n + 1);
      // The ETag it answered is good for the next change.
      const next = await t.request({
        method: 'PUT',
        url: `/api/v1/teams/${otherSlug}/profile`,
        headers: {
          authorization: `Bearer ${t.apiToken}`,
          'content-type': 'application/json',
          'if-match': won.headers.etag as string,
        },
        payload: JSON.stringify(GOOD),
      });
      expect(next.statusCode).toBe(200);
    });

    it('refuses fields it does not know and a body that is no object', async () => {
      expect((await put({ ...GOOD, npsTarget: 10 })).statusCode).toBe(400);
      expect((await put([GOOD])).statusCode).toBe(400);
      expect((await put({ ...GOOD, openingHours: 'always' })).statusCode).toBe(400);
    });

    it('needs directory:write to change it and directory:read to read it', async () => {
      const tokens = t.get(ApiTokensService);
      const reader = (
        await tokens.createApiToken(undefined, { name: 'r', scopes: ['directory:read'] })
      ).value;
      const reports = (
        await tokens.createApiToken(undefined, { name: 'p', scopes: ['reports:read'] })
      ).value;
      expect((await put(GOOD, slug, reader)).statusCode).toBe(403);
      const read = await t.request({
        method: 'GET',
        url: `/api/v1/teams/${slug}/profile`,
        headers: { authorization: `Bearer ${reader}` },
      });
      expect(read.statusCode).toBe(200);
      const denied = await t.request({
        method: 'GET',
        url: `/api/v1/teams/${slug}/profile`,
        headers: { authorization: `Bearer ${reports}` },
      });
      expect(denied.statusCode).toBe(403);
      expect((await put(GOOD, 'no-such-team')).statusCode).toBe(404);
    });
  });

  describe('page', () => {
    let lead: Awaited<ReturnType<typeof signIn>>;
    const post = (fields: Record<string, string>, session = lead, s = slug) =>
      t.request({
        method: 'POST',
        url: `/teams/${s}/profile`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
        payload: formBody({ _csrf: session.csrf, ...fields }),
      });
    const GOOD_FORM: Record<string, string> = {
      profileLocale: 'en',
      purpose_en_handles: 'Laptops and accounts',
      purpose_en_excludes: 'Payslips',
      purpose_ja_handles: 'ノートパソコンとアカウント',
      timeZone: 'America/New_York',
      hours_1_1_opens: '08:00',
      hours_1_1_closes: '12:00',
      hours_1_2_opens: '13:00',
      hours_1_2_closes: '18:00',
      hours_6_1_opens: '00:00',
      hours_6_1_closes: '24:00',
      exception_0_date: '2026-07-04',
      exception_0_label: 'Independence Day',
      exception_0_closed: 'on',
      exception_1_date: '2026-12-31',
      exception_1_label: 'New Year’s Eve',
      exception_1_opens: '08:00',
      exception_1_closes: '12:00',
      channel_0_order: '2',
      channel_0_kind: 'email',
      channel_0_value: 'help@example.com',
      channel_1_order: '1',
      channel_1_kind: 'chat',
      channel_1_value: 'https://chat.example.com/it',
      channel_1_label_es: 'Chat de ayuda',
      firstResponseTargetMinutes: '60',
      resolutionTargetMinutes: '',
    };

    beforeAll(async () => {
      lead = await signIn(t, 'lead', [slug]);
    });

    it('is linked from the team report and shows the saved profile', async () => {
      const report = await t.request({
        method: 'GET',
        url: `/teams/${slug}`,
        headers: { cookie: lead.cookie },
      });
      expect(report.body).toContain(`href="/teams/${slug}/profile"`);
      const page = await t.request({
        method: 'GET',
        url: `/teams/${slug}/profile`,
        headers: { cookie: lead.cookie },
      });
      expect(page.statusCode).toBe(200);
      expect(shown(page.body)).toContain('Laptops, accounts and printers');
      expect(page.body).toContain('value="Europe/Madrid"');
      expect(page.body).toContain('<option value="Asia/Tehran">');
    });

    it('refuses a form filled from a profile changed since (409, reload), and writes nothing', async () => {
      const page = await t.request({
        method: 'GET',
        url: `/teams/${slug}/profile`,
        headers: { cookie: lead.cookie },
      });
      const version = /name="_version" value="([0-9a-f]{16})"/.exec(page.body)?.[1];
      expect(version).toBeDefined();
      // Someone else saves meanwhile.
      const other = await signIn(t, 'admin');
      const first = await post({ ...GOOD_FORM, _version: version!, timeZone: 'Asia/Tokyo' }, other);
      expect(first.statusCode).toBe(303);
      const before = await profileRow(slug);
      const res = await post({ ...GOOD_FORM, _version: version!, timeZone: 'Europe/Paris' });
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('changed by someone else meanwhile; reload it');
      // Shown again with what was typed, still from the old version: saving again is refused too.
      expect(res.body).toContain(`name="_version" value="${version}"`);
      expect(await profileRow(slug)).toEqual(before);
      expect(before.time_zone).toBe('Asia/Tokyo');
    });

    it('saves a good form (post/redirect/get) and audits it', async () => {
      const res = await post(GOOD_FORM);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/teams/${slug}/profile`);
      const page = await followRedirect(t, res, lead.cookie);
      expect(page.body).toContain('The profile was saved.');
      const row = await profileRow(slug);
      expect(row).toMatchObject({
        purpose: {
          en: { handles: 'Laptops and accounts', excludes: 'Payslips' },
          ja: { handles: 'ノートパソコンとアカウント', excludes: '' },
        },
        time_zone: 'America/New_York',
        opening_hours: [
          { day: 1, opens: '08:00', closes: '12:00' },
          { day: 1, opens: '13:00', closes: '18:00' },
          { day: 6, opens: '00:00', closes: '24:00' },
        ],
        hours_exceptions: [
          { date: '2026-07-04', label: 'Independence Day', closed: true },
          {
            date: '2026-12-31',
            label: 'New Year’s Eve',
            closed: false,
            opens: '08:00',
            closes: '12:00',
          },
        ],
        // In the order the first column says.
        contact_channels: [
          { kind: 'chat', value: 'https://chat.example.com/it', label: { es: 'Chat de ayuda' } },
          { kind: 'email', value: 'help@example.com' },
        ],
        first_response_target_minutes: 60,
        resolution_target_minutes: null,
      });
      const [audit] = await t.dataSource.query(
        `SELECT actor_user_id FROM audit_event WHERE action = 'team.profile_updated' AND target = $1 ORDER BY at DESC LIMIT 1`,
        [`team:${slug}`],
      );
      expect(audit.actor_user_id).toBe(lead.userId);
    });

    const BAD_FORM: [string, Record<string, string>, RegExp][] = [
      [
        'a time zone that is none',
        { timeZone: 'Europe/Atlantis' },
        /Time zone must be an IANA time zone/,
      ],
      [
        'closing before opening',
        { hours_2_1_opens: '18:00', hours_2_1_closes: '09:00' },
        /Opening hours \(Tuesday, interval 1\): closes must be after opens/,
      ],
      [
        'half an interval',
        { hours_3_1_opens: '09:00' },
        /Opening hours \(Wednesday, interval 1\): closes must be a time/,
      ],
      ['overlapping intervals', { hours_1_2_opens: '11:00' }, /overlaps/],
      [
        'a date that does not exist',
        { exception_0_date: '2026-02-29' },
        /Exception row 1: date "2026-02-29" does not exist/,
      ],
      [
        'a javascript: chat link',
        { channel_1_value: 'javascript:alert(document.cookie)' },
        /Channel row 2: must be an https:\/\/ or http:\/\/ address/,
      ],
      [
        'a bad e-mail address',
        { channel_0_value: 'help at example' },
        /Channel row 1: "help at example" is not an e-mail address/,
      ],
      [
        'words as minutes',
        { firstResponseTargetMinutes: 'soon' },
        /First response target \(minutes\) must be a whole number/,
      ],
      [
        'excludes without handles',
        { purpose_ja_handles: '', purpose_ja_excludes: 'x' },
        /What the team handles \(Japanese/,
      ],
      ['no purpose in the profile language', { profileLocale: 'es' }, /profile language \(es\)/],
    ];

    it.each(BAD_FORM)(
      'refuses %s with a 400 in the form words, keeps what was typed, writes nothing',
      async (_, change, words) => {
        const before = await profileRow(slug);
        const res = await post({ ...GOOD_FORM, ...change });
        expect(res.statusCode).toBe(400);
        expect(shown(res.body)).toMatch(words);
        expect(res.body).toContain('id="form-errors"');
        expect(await profileRow(slug)).toEqual(before);
      },
    );

    it('keeps leads to their own teams and viewers to reading', async () => {
      const page = await t.request({
        method: 'GET',
        url: `/teams/${otherSlug}/profile`,
        headers: { cookie: lead.cookie },
      });
      expect(page.statusCode).toBe(404);
      const before = await profileRow(otherSlug);
      expect((await post(GOOD_FORM, lead, otherSlug)).statusCode).toBe(404);
      expect(await profileRow(otherSlug)).toEqual(before);

      const viewer = await signIn(t, 'viewer', [slug]);
      const ownBefore = await profileRow(slug);
      expect((await post({ ...GOOD_FORM, timeZone: 'UTC' }, viewer)).statusCode).toBe(403);
      expect(await profileRow(slug)).toEqual(ownBefore);
      const viewerReport = await t.request({
        method: 'GET',
        url: `/teams/${slug}`,
        headers: { cookie: viewer.cookie },
      });
      expect(viewerReport.body).not.toContain(`/teams/${slug}/profile`);

      const admin = await signIn(t, 'admin');
      expect(
        (await post({ ...GOOD_FORM, timeZone: 'Asia/Tokyo' }, admin, otherSlug)).statusCode,
      ).toBe(303);
      expect((await profileRow(otherSlug)).time_zone).toBe('Asia/Tokyo');
    });
  });
});
