import { randomUUID } from 'node:crypto';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { signIn, uniqueSlug } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Comment search and themes on the team page and in the API: matching without regard to case,
 * accents or width, Japanese inside words; nothing of a period whose comments are withheld; the
 * same comments, counts and themes on the page and in the API; another team's comments 404.
 */

// May 2024: twelve people answered, each with a comment (a release of 12, over the thresholds).
const MAY = [
  'La atención fue rápida y amable.',
  'Atencion lenta, pero resolvieron el problema.',
  'Buena ATENCIÓN en el mostrador.',
  'Mucha atención por su parte, gracias.',
  'パスワードリセットが遅いです。',
  'パスワードリセットに三日かかりました。',
  'ﾊﾟｽﾜｰﾄﾞﾘｾｯﾄの手順が分かりにくい。',
  'The VPN drops every morning.',
  'VPN is slow after the update.',
  'ＶＰＮが繋がらない日が多い。',
  'Friendly people at the desk <b>really</b>.',
  'می‌خواهم سریع‌تر جواب بدهند.',
];
// June 2024: five answered, only two of them with a comment (below the comment threshold of 3).
const JUNE = ['Secret word zebra, only two of us wrote.', 'Zebra again.'];

describe('comment search and themes', () => {
  let t: TestApp;
  let slug: string;
  let otherSlug: string;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let lead: Awaited<ReturnType<typeof signIn>>;
  /** What a later release into May needs. */
  let release: (comments: string[]) => Promise<void>;

  beforeAll(async () => {
    t = await startTestApp({
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
    const teams = t.get(TeamsService);
    const team = await teams.create({ slug: uniqueSlug('desk'), name: 'Comment Desk' });
    const other = await teams.create({ slug: uniqueSlug('other'), name: 'Other Team' });
    slug = team.slug;
    otherSlug = other.slug;
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: 'Comment pulse',
      questions: [
        { type: 'nps', text: { en: 'Would you recommend this team?' } },
        { type: 'text', text: { en: 'Why?' } },
      ],
    });
    const [nps, text] = ['nps', 'text'].map(
      (type) => (questionnaire.questions ?? []).find((q) => q.type === type)?.id as string,
    );
    // Releases as the mixer writes them: responses of one survey and day, then their answers.
    const [{ id: surveyId }] = await t.dataSource.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, comment_threshold, closes_at)
       VALUES ('comment pulse', $1, $2, 3, 3, now() + interval '30 days') RETURNING id`,
      [questionnaire.id, team.id],
    );
    const people = [
      ...MAY.map((comment) => ({ day: '2024-05-14', comment })),
      ...[...JUNE, null, null, null].map((comment) => ({ day: '2024-06-11', comment })),
    ].map((p) => ({ ...p, id: randomUUID() }));
    await t.dataSource.query(
      `INSERT INTO response (id, survey_id, team_id, source, released_on)
       SELECT id, $2, $3, 'pulse', day FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, day date)`,
      [JSON.stringify(people), surveyId, team.id],
    );
    await t.dataSource.query(
      `INSERT INTO answer (response_id, question_id, score, text)
       SELECT id, $2::uuid, 9, NULL FROM jsonb_to_recordset($1::jsonb) AS r(id uuid)
        UNION ALL
       SELECT id, $3::uuid, NULL, comment FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, comment text)
        WHERE comment IS NOT NULL`,
      [JSON.stringify(people), nps, text],
    );
    release = async (comments) => {
      const more = comments.map((comment) => ({ comment, id: randomUUID() }));
      await t.dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO response (id, survey_id, team_id, source, released_on)
           SELECT id, $2, $3, 'pulse', '2024-05-21' FROM jsonb_to_recordset($1::jsonb) AS r(id uuid)`,
          [JSON.stringify(more), surveyId, team.id],
        );
        await tx.query(
          `INSERT INTO answer (response_id, question_id, score, text)
           SELECT id, $2::uuid, 9, NULL FROM jsonb_to_recordset($1::jsonb) AS r(id uuid)
            UNION ALL
           SELECT id, $3::uuid, NULL, comment FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, comment text)`,
          [JSON.stringify(more), nps, text],
        );
      });
    };
    admin = await signIn(t, 'admin');
    lead = await signIn(t, 'lead', [slug]);
  }, 60_000);
  afterAll(() => t.close());

  const api = (query: string, team = slug) =>
    t.api({ method: 'GET', url: `/api/v1/teams/${team}/comments?${query}` });
  const page = (query: string, cookie = admin.cookie, team = slug) =>
    t.request({ method: 'GET', url: `/teams/${team}?${query}`, headers: { cookie } });
  const escape = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  /** The HTML of the page's comment card. */
  const card = (html: string) => {
    const start = html.indexOf('<section class="card report-comments"');
    expect(start).toBeGreaterThan(-1);
    // Handlebars writes `=` in attributes as &#x3D;.
    return html.slice(start, html.indexOf('</section>', start)).replace(/&#x3D;/g, '=');
  };

  it('finds comments whatever their case, accents or width, and Japanese inside words', async () => {
    const matches = async (q: string) => {
      const res = await api(`period=month&at=2024-05-20&q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      return (res.json().search as { texts: string[]; matches: number }).texts.sort();
    };
    const accented = MAY.slice(0, 4).sort();
    expect(await matches('atencion')).toEqual(accented);
    expect(await matches('ATENCIÓN')).toEqual(accented);
    expect(await matches('vpn')).toEqual([MAY[7], MAY[8], MAY[9]].sort());
    expect(await matches('ＶＰＮ')).toEqual([MAY[7], MAY[8], MAY[9]].sort());
    expect(await matches('リセット')).toEqual([MAY[4], MAY[5], MAY[6]].sort());
    expect(await matches('ﾘｾｯﾄ')).toEqual([MAY[4], MAY[5], MAY[6]].sort());
    expect(await matches('繋が')).toEqual([MAY[9]]);
    expect(await matches('می خواهم')).toEqual([MAY[11]]);
    expect(await matches('nothing like this')).toEqual([]);
    // Only spaces: no search at all.
    const blank = await api('period=month&at=2024-05-20&q=%20%20');
    expect(blank.json().search).toBeNull();
  });

  it('shows themes per language from the comment threshold up, never a count below it', async () => {
    const res = await api('period=month&at=2024-05-20');
    const body = res.json();
    expect(body.comments).toMatchObject({ withheld: false, n: MAY.length });
    expect(body.themes).toMatchObject({ withheld: false, n: MAY.length, threshold: 3 });
    const byLanguage = Object.fromEntries(
      (
        body.themes.languages as {
          language: string;
          themes: { text: string; comments: number }[];
        }[]
      ).map((l) => [l.language, l.themes]),
    );
    expect(byLanguage.es).toContainEqual({ text: 'atención', kind: 'word', comments: 4 });
    expect(byLanguage.ja).toContainEqual({
      text: 'パスワードリセット',
      kind: 'phrase',
      comments: 3,
    });
    // "vpn" is in two English comments only (the third is Japanese): under the threshold.
    expect(byLanguage.en ?? []).not.toContainEqual(expect.objectContaining({ text: 'vpn' }));
    for (const list of Object.values(byLanguage))
      for (const theme of list) expect(theme.comments).toBeGreaterThanOrEqual(3);
    expect(body.search).toBeNull();
  });

  it('gives nothing of a period whose comments are withheld: no comment, theme or match', async () => {
    const res = await api('period=month&at=2024-06-20&q=zebra');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.comments).toEqual({ withheld: true });
    expect(body.themes).toEqual({ withheld: true });
    expect(body.search).toBeNull();
    expect(JSON.stringify(body).toLowerCase()).not.toContain('zebra"');
    const html = await page('period=month&at=2024-06-20&q=zebra');
    expect(html.statusCode).toBe(200);
    const part = card(html.body);
    expect(part).toContain('Comments appear once a period has enough of them');
    expect(part).not.toContain('Secret word');
    expect(part).not.toContain('comment-search');
    expect(part).not.toContain('<mark>');
  });

  it('shows on the page the same matches, count and themes as the API', async () => {
    const res = await api('period=month&at=2024-05-20&q=atencion');
    const body = res.json();
    const html = await page('period=month&at=2024-05-20&q=atencion');
    expect(html.statusCode).toBe(200);
    const part = card(html.body);
    expect(part).toContain('4 comments contain “atencion”.');
    // Each match, with the words marked as written.
    for (const text of body.search.texts as string[])
      expect(part.replace(/<\/?mark>/g, '')).toContain(escape(text));
    expect(part).toContain('<mark>Atencion</mark> lenta');
    expect(part).toContain('Buena <mark>ATENCIÓN</mark>');
    // Every theme of the API is a link on the page that runs its search, with its count.
    for (const language of body.themes.languages as {
      themes: { text: string; comments: number }[];
    }[])
      for (const theme of language.themes) {
        const href = escape(
          `/teams/${slug}?period=month&at=2024-05-01&q=${encodeURIComponent(theme.text)}#comments-title`,
        );
        expect(part).toContain(`href="${href}"`);
        expect(part).toContain(
          `${escape(theme.text)}</span> <span class="theme-count">${theme.comments} comment${theme.comments === 1 ? '' : 's'}</span>`,
        );
      }
    // The search form keeps the period and the words.
    expect(part).toContain('name="q" value="atencion"');
    expect(part).toContain('name="at" value="2024-05-01"');
    // Without a search: the sample, as the team report gives it.
    const report = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${slug}?period=month&at=2024-05-20`,
      })
    ).json();
    const plain = card((await page('period=month&at=2024-05-20')).body);
    expect(plain).toContain('12 comments in random order; 12 shown.');
    for (const text of report.comments.texts as string[]) expect(plain).toContain(escape(text));
    // A comment is text, never markup.
    expect(plain).toContain('&lt;b&gt;really&lt;/b&gt;');
    expect(plain).not.toContain('<b>really</b>');
  });

  it('speaks the reader’s language, Persian right to left', async () => {
    const html = await page('period=month&at=2024-05-20&q=vpn', `${admin.cookie}; inpulse_lang=fa`);
    expect(html.body).toMatch(
      /<html[^>]*lang="fa"[^>]*dir="rtl"|<html[^>]*dir="rtl"[^>]*lang="fa"/,
    );
    const part = card(html.body);
    expect(part).toContain('جستجو در نظرهای این دوره');
    expect(part).toContain('۳ نظر «vpn» را دارند.');
    const ja = card(
      (
        await t.request({
          method: 'GET',
          url: `/teams/${slug}?period=month&at=2024-05-20&q=${encodeURIComponent('リセット')}`,
          headers: { cookie: admin.cookie, 'accept-language': 'ja' },
        })
      ).body,
    );
    expect(ja).toContain('「リセット」を含むコメントは3件です。');
  });

  it('keeps a lead to their teams: another team answers 404, page and API alike', async () => {
    const own = await page('period=month&at=2024-05-20&q=vpn', lead.cookie);
    expect(own.statusCode).toBe(200);
    expect(card(own.body)).toContain('3 comments contain “vpn”.');
    const other = await page('period=month&at=2024-05-20&q=vpn', lead.cookie, otherSlug);
    expect(other.statusCode).toBe(404);
    const missing = await api('period=month&at=2024-05-20&q=vpn', 'no-such-team');
    expect(missing.statusCode).toBe(404);
    // The API asks for a token: a session is not enough.
    const bySession = await t.request({
      method: 'GET',
      url: `/api/v1/teams/${slug}/comments?period=month&at=2024-05-20`,
      headers: { cookie: lead.cookie },
    });
    expect(bySession.statusCode).toBe(401);
  });

  it('shows the themes of a release that lands later in the period (kept themes are not reused)', async () => {
    const themesOf = async () => {
      const body = (await api('period=month&at=2024-05-20')).json();
      const en = (
        body.themes.languages as {
          language: string;
          themes: { text: string; comments: number }[];
        }[]
      ).find((l) => l.language === 'en');
      return { n: body.themes.n as number, vpn: en?.themes.find((x) => x.text === 'vpn') };
    };
    // Twice, so the second view is served from what the first one computed.
    expect(await themesOf()).toEqual({ n: MAY.length, vpn: undefined });
    expect(await themesOf()).toEqual({ n: MAY.length, vpn: undefined });
    await release(['VPN again, sadly.', 'The vpn client crashes.', 'No VPN at home.']);
    expect(await themesOf()).toEqual({
      n: MAY.length + 3,
      vpn: { text: 'vpn', kind: 'word', comments: 5 },
    });
    const html = await page('period=month&at=2024-05-20');
    expect(card(html.body)).toMatch(/vpn[\s\S]{0,200}5/);
  });

  it('refuses a bad search with a 400 that says what is wrong', async () => {
    const long = encodeURIComponent('x'.repeat(101));
    for (const [query, problem] of [
      [`q=${long}`, 'q must be at most 100 characters'],
      ['q=a%07b', 'q must not contain control characters'],
      ['q=a&q=b', 'q must be one piece of text'],
      ['period=day&q=vpn', 'period must be one of week, month, quarter'],
    ]) {
      const res = await api(query);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      expect(JSON.stringify(res.json())).toContain(problem);
      const html = await page(query);
      expect({ query, status: html.statusCode }).toEqual({ query, status: 400 });
      expect(html.body).toContain(problem);
    }
  });
});
