/**
 * `npm run bench:reports [-- --database-url URL] [--instances N]`: how fast the report endpoints answer on a
 * database filled by `bench:seed`, next to the raw SQL of their main aggregates run from here.
 * See bench/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool as PgPool } from 'pg';
import { findProjectRoot } from '../src/config/app-config';
import { addBuckets, bucketStart } from '../src/modules/reports/periods';
import { rawHeadlineCount, type TreeRow } from './lib/headline';
import { instancesArg, instancesLabel } from './lib/instances';
import { cleanupStack, openPersistentDatabase, parseArgs } from './lib/persistent-db';
import { percentile } from './lib/stats';
import { runBench, saveResults } from './lib/results';
import { type Query, reportQueries, SQL, subtree, type Team } from './lib/report-queries';
import { type Outcome, type Timed } from './lib/load-loop';
import { type Get, measureApp, type RunPhase } from './lib/reports-app';

/** With the report cache: team < 50 ms, overview < 30 ms (issue 17, item 5); without: as before. */
const GOALS = {
  teamP95Ms: 50,
  teamRatio: 2,
  overviewP95Ms: 30,
  overviewLiveP95Ms: 150,
  rssMb: 250,
};
/** The reading time of the second measurement of the pages (10 users who read what they get). */
const THINK_MS = 1000;

const started = Date.now();
function log(line: string): void {
  console.log(`[reports +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');

async function main(): Promise<number> {
  const { count: instances, rest: argv } = instancesArg(process.argv.slice(2));
  const args = parseArgs(argv, {
    'database-url': 'value',
    duration: 'value',
    connections: 'value',
  });
  const durationMs = Number(args.duration ?? 20) * 1000;
  const connections = Number(args.connections ?? 10);
  if (!(durationMs >= 1000 && durationMs <= 600_000))
    throw new Error('--duration: 1 to 600 seconds');
  if (!(Number.isInteger(connections) && connections >= 1 && connections <= 100))
    throw new Error('--connections: 1 to 100');
  let stopReason: string | undefined;
  const stopped = () => stopReason;
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack((signal) => {
    stopReason = `interrupted by ${signal}`;
  });
  // Nothing below may run for longer than this; the loops are bounded by durationMs anyway.
  const watchdog = setTimeout(() => {
    stopReason = 'the 15-minute bench deadline passed';
  }, 15 * 60_000);
  watchdog.unref();
  try {
    const url = typeof args['database-url'] === 'string' ? args['database-url'] : undefined;
    const db = await openPersistentDatabase(projectRoot, url, log);
    cleanup.push('stop PostgreSQL', () => db.close());
    const pg = new PgPool({ connectionString: db.url, max: 20, application_name: 'inpulse-bench' });
    // An idle client whose server goes away (Ctrl-C reaches PostgreSQL too) must not crash us.
    pg.on('error', (error) => {
      if (stopReason === undefined) log(`bench connection: ${error.message}`);
    });
    cleanup.push('close the bench connections', () => pg.end());

    const { rows: counts } = await pg.query<{
      responses: number;
      answers: number;
      last: string | null;
    }>(
      `SELECT (SELECT count(*)::int FROM response) AS responses, (SELECT count(*)::int FROM answer) AS answers,
              (SELECT to_char(max(released_on), 'YYYY-MM-DD') FROM response) AS last`,
    );
    const { responses, answers, last } = counts[0];
    if (responses === 0 || last === null) {
      console.error(
        'bench:reports: the database has no responses; run `npm run bench:seed` first ' +
          '(`npm run bench` seeds 1 000 000 when it finds none)',
      );
      return 2;
    }
    const { rows: teams } = await pg.query<Team>(
      'SELECT id, slug, parent_id FROM service_team ORDER BY slug',
    );
    // The parent team with the largest subtree (ties: by slug).
    const parents = teams.filter((t) => t.parent_id === null);
    const team = parents.sort(
      (a, b) => subtree(teams, b.id).length - subtree(teams, a.id).length,
    )[0];
    // The last complete month of the data.
    const at = addBuckets(bucketStart(last, 'month'), 'month', -1);
    const { rows: server } = await pg.query<{ version: string; sb: string; wm: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS sb,
              current_setting('work_mem') AS wm`,
    );
    log(
      `${responses} responses, ${answers} answers, ${teams.length} teams; PostgreSQL ${server[0].version} ` +
        `(shared_buffers=${server[0].sb}, work_mem=${server[0].wm}); team "${team.slug}" ` +
        `(${subtree(teams, team.id).length} teams in its subtree), period=month at=${at}`,
    );

    const apiToken = `inp_${randomBytes(32).toString('base64url')}`;
    await pg.query(
      `INSERT INTO api_token (name, token_hash, prefix, scopes) VALUES ('bench-reports', $1, $2, '{admin}')`,
      [createHash('sha256').update(apiToken).digest(), apiToken.slice(0, 12)],
    );
    cleanup.push('remove the API token', async () => {
      await pg.query(`DELETE FROM api_token WHERE name = 'bench-reports'`);
    });

    // An HR admin's session for the HTML pages (the admin sees every team: the largest overview).
    const sessionId = randomBytes(32).toString('base64url');
    await pg.query(`DELETE FROM app_user WHERE email = 'bench-reports@example.invalid'`);
    const {
      rows: [user],
    } = await pg.query<{ id: string }>(
      `INSERT INTO app_user (email, name, role) VALUES ('bench-reports@example.invalid', 'Bench', 'admin') RETURNING id`,
    );
    await pg.query(
      `INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, now() + interval '2 hours')`,
      [createHash('sha256').update(sessionId).digest(), user.id, randomBytes(16).toString('hex')],
    );
    cleanup.push('remove the session', async () => {
      await pg.query(`DELETE FROM app_user WHERE email = 'bench-reports@example.invalid'`);
    });

    const apiHeaders = { authorization: `Bearer ${apiToken}`, accept: 'application/json' };
    const pageHeaders = { cookie: `inpulse_session=${sessionId}`, accept: 'text/html' };
    const apiTeamPath = `/api/v1/reports/teams/${team.slug}?period=month&at=${at}`;
    // What is measured: the HTML pages a lead or HR reads (the API serves the same numbers).
    const teamPath = `/teams/${team.slug}?period=month&at=${at}`;
    const overviewPath = `/?period=month&at=${at}`;

    const { teamQueries, overviewQueries, start, end, sub, ORGANISATION } = reportQueries(
      teams,
      team,
      at,
    );
    // Named prepared statements, as ReportsRepository runs them.
    const run = (q: Query) =>
      pg.query({ name: `report_${q.key}`, text: SQL[q.key], values: q.params });
    const teamRaw = async (): Promise<Outcome> => {
      await Promise.all(teamQueries.map(run));
      return { ok: true };
    };
    const overviewRaw = async (): Promise<Outcome> => {
      await Promise.all(overviewQueries.map(run));
      return { ok: true };
    };
    const headlineRaw = async () =>
      rawHeadlineCount(
        (await pg.query<TreeRow>(SQL.npsByTreeAndBucket, [ORGANISATION, 'month', start, end])).rows,
        team.id,
        start,
      );

    // Each query of both pages alone, serially: where the time goes.
    // On one connection, so that only the first run prepares the statement.
    const single = [...teamQueries, ...overviewQueries];
    const perQuery: { query: string; medianMs: number }[] = [];
    const one = await pg.connect();
    try {
      for (const q of single) {
        const times: number[] = [];
        for (let i = 0; i < 6; i++) {
          const s = performance.now();
          await one.query({ name: `report_${q.key}`, text: SQL[q.key], values: q.params });
          if (i > 0) times.push(performance.now() - s); // the first prepares and warms the cache
        }
        perQuery.push({ query: q.name, medianMs: percentile(Float64Array.from(times).sort(), 50) });
      }
    } finally {
      one.release();
    }
    // Sanity: the app's headline n (API) is the raw count of the month, and both pages answer.
    const check = async (get: Get) => {
      const first = await get(apiTeamPath);
      if (first.status !== 200)
        throw new Error(`GET ${apiTeamPath} answered ${first.status}: ${first.body.slice(0, 300)}`);
      const firstPage = await get(teamPath);
      if (firstPage.status !== 200 || !firstPage.body.includes('trend-chart'))
        throw new Error(
          `GET ${teamPath} answered ${firstPage.status}: ${firstPage.body.slice(0, 300)}`,
        );
      const report = JSON.parse(first.body) as { headline: { withheld: boolean; n?: number } };
      const rawN = await headlineRaw();
      log(`team page: headline n=${report.headline.n ?? 'withheld'}, raw SQL n (pulses)=${rawN}`);
      if (!report.headline.withheld && report.headline.n !== rawN)
        throw new Error('the app and the raw SQL disagree on the headline count');
      const firstOverview = await get(overviewPath);
      if (firstOverview.status !== 200)
        throw new Error(
          `GET ${overviewPath} answered ${firstOverview.status}: ${firstOverview.body.slice(0, 300)}`,
        );
    };
    const postgresPid = await db.postmasterPid();
    const cpuCount = cpus().length;
    const measure = <R>(label: string, cache: boolean, during: (phase: RunPhase) => Promise<R>) =>
      measureApp({
        label,
        instances,
        projectRoot,
        databaseUrl: db.url,
        postgresPid,
        env: { REPORT_CACHE: String(cache) },
        connections,
        durationMs,
        thinkMs: THINK_MS,
        stopped,
        onExit: () => (stopReason ??= 'the app exited'),
        log,
        paths: { team: teamPath, overview: overviewPath },
        headers: { api: apiHeaders, page: pageHeaders },
        check,
        during,
      });
    // With the report cache (warm: the warm-up fills it), the raw statements beside it, then
    // the same pages without the cache (REPORT_CACHE=false), back to back.
    const cached = await measure('with the cache', true, async (phase) => ({
      team: await phase('raw SQL team aggregates', teamRaw),
      overview: await phase('raw SQL overview aggregate', overviewRaw),
    }));
    const live = await measure('without the cache', false, async () => undefined);
    const rawTeam = cached.during.team;
    const rawOverview = cached.during.overview;
    const appTeam = cached.team;
    const appOverview = cached.overview;
    const rssIdleMb = Math.max(cached.rssIdleMb, live.rssIdleMb);
    const rssMaxMb = Math.max(
      cached.rssMaxMb,
      live.rssMaxMb,
      rawTeam.rssMaxMb,
      rawOverview.rssMaxMb,
    );

    // EXPLAIN ANALYZE of the slowest query of each page.
    const slowestOf = (prefix: string) =>
      [...perQuery]
        .filter((q) => q.query.startsWith(prefix))
        .sort((a, b) => b.medianMs - a.medianMs)[0];
    const explains: { query: string; plan: string }[] = [];
    for (const q of [slowestOf('team:'), slowestOf('overview:')]) {
      const { key: explainKey, params: explainParams } = single.find(
        (x) => x.name === q.query,
      ) as Query;
      const explainSql = SQL[explainKey];
      const { rows: plan } = await pg.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${explainSql}`,
        explainParams,
      );
      explains.push({ query: q.query, plan: plan.map((r) => r['QUERY PLAN']).join('\n') });
    }

    // The team page ≤ 2× raw and the overview < 150 ms are held without the cache (issue 15, 9).
    const teamRatio = live.team.serverP95Ms / rawTeam.serverP95Ms;
    const overviewRatio = live.overview.serverP95Ms / rawOverview.serverP95Ms;
    const goals = {
      teamP95: {
        text: `team page server p95 < ${GOALS.teamP95Ms} ms with the cache (closed loop)`,
        met: appTeam.serverP95Ms < GOALS.teamP95Ms,
      },
      overviewP95: {
        text: `overview server p95 < ${GOALS.overviewP95Ms} ms with the cache (closed loop)`,
        met: appOverview.serverP95Ms < GOALS.overviewP95Ms,
      },
      teamP95Reading: {
        text: `team page server p95 < ${GOALS.teamP95Ms} ms with the cache (users reading ${THINK_MS / 1000} s)`,
        met: cached.readingTeam.serverP95Ms < GOALS.teamP95Ms,
      },
      teamRatio: {
        text: `team page server p95 ≤ ${GOALS.teamRatio}× raw SQL without the cache`,
        met: teamRatio <= GOALS.teamRatio,
      },
      overviewLive: {
        text: `overview server p95 < ${GOALS.overviewLiveP95Ms} ms without the cache (closed loop)`,
        met: live.overview.serverP95Ms < GOALS.overviewLiveP95Ms,
      },
      rss: { text: `app RSS < ${GOALS.rssMb} MB`, met: rssMaxMb < GOALS.rssMb },
    };

    const row = (name: string, p: Timed & { rssMaxMb?: number }) => [
      name,
      fmt(p.perSecond),
      fmt(p.serverP50Ms),
      fmt(p.serverP95Ms),
      fmt(p.p95Ms),
      p.rssMaxMb === undefined ? '' : fmt(p.rssMaxMb, 0),
    ];
    const reading = `users reading ${THINK_MS / 1000} s`;
    const rows = [
      ['', 'req/s', 'server p50 ms', 'server p95 ms', 'client p95 ms', 'app RSS max MB'],
      row(`app: GET /teams/${team.slug} (HTML), with the cache`, appTeam),
      row(`app: GET /teams/${team.slug} (HTML), without the cache`, live.team),
      row(`raw: the team page's ${teamQueries.length} statements`, {
        ...rawTeam,
        rssMaxMb: undefined,
      }),
      row('app: GET / overview (HTML), with the cache', appOverview),
      row('app: GET / overview (HTML), without the cache', live.overview),
      row(`raw: the overview's ${overviewQueries.length} statements`, {
        ...rawOverview,
        rssMaxMb: undefined,
      }),
      row(`app: GET /teams/${team.slug}, ${reading}, with the cache`, cached.readingTeam),
      row(`app: GET /teams/${team.slug}, ${reading}, without the cache`, live.readingTeam),
      row(`app: GET /, ${reading}, with the cache`, cached.readingOverview),
      row(`app: GET /, ${reading}, without the cache`, live.readingOverview),
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ');
    const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');
    console.log('');
    console.log(
      `Reports at ${responses} responses (${answers} answers), period=month at=${at}, ${connections} concurrent, ${durationMs / 1000} s each, ${instancesLabel(instances)}`,
    );
    for (const r of rows) console.log(line(r));
    console.log(
      `ratio app without the cache/raw server p95: team page ${fmt(teamRatio, 2)}×, overview ${fmt(overviewRatio, 2)}×` +
        ' (raw: the same statements from a pg pool in this process; server time = query time)',
    );
    console.log(`app RSS: ${fmt(rssIdleMb, 0)} MB idle, ${fmt(rssMaxMb, 0)} MB max under load`);
    for (const g of Object.values(goals)) console.log(`goal "${g.text}": ${verdict(g.met)}`);
    const pct = (v: number | null) => (v === null ? 'n/a' : `${v}%`);
    // The app's CPU per page: what a page costs whatever else runs on the machine.
    const perPage = (p: typeof appTeam) =>
      p.cpu.appPct === null
        ? 'n/a'
        : `${fmt((p.cpu.appPct / 100) * (p.durationMs / p.count), 2)} ms`;
    console.log(
      `CPU (% of one core, ${cpuCount} cores): app / PostgreSQL / bench; app CPU per page`,
    );
    for (const [name, p] of [
      ['app team, cache', appTeam],
      ['app team, no cache', live.team],
      ['raw team', rawTeam],
      ['app overview, cache', appOverview],
      ['app overview, no cache', live.overview],
      ['raw overview', rawOverview],
    ] as const)
      console.log(
        `  ${name.padEnd(23)} ${pct(p.cpu.appPct)} / ${pct(p.cpu.postgresPct)} / ${pct(p.cpu.benchPct)}` +
          (name.startsWith('app') ? `; ${perPage(p)}` : ''),
      );
    console.log('each query alone, serially (median of 5, warm):');
    for (const q of perQuery)
      console.log(`  ${q.query.padEnd(44)} ${fmt(q.medianMs, 1).padStart(8)} ms`);
    for (const e of explains) {
      console.log(`EXPLAIN (ANALYZE, BUFFERS) of ${e.query}:`);
      console.log(
        e.plan
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    }
    console.log('');

    const results = {
      benchmark: 'reports',
      finishedAt: new Date().toISOString(),
      instances,
      settings: {
        durationMs,
        connections,
        team: team.slug,
        teamsInSubtree: sub.length,
        period: 'month',
        at,
      },
      data: { responses, answers, teams: teams.length },
      machine: {
        cpus: cpuCount,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      database: {
        kind: db.kind,
        version: server[0].version,
        sharedBuffers: server[0].sb,
        workMem: server[0].wm,
      },
      app: {
        team: appTeam,
        overview: appOverview,
        reading: { thinkMs: THINK_MS, team: cached.readingTeam, overview: cached.readingOverview },
      },
      withoutCache: {
        team: live.team,
        overview: live.overview,
        reading: { thinkMs: THINK_MS, team: live.readingTeam, overview: live.readingOverview },
      },
      raw: {
        team: { what: teamQueries.map((q) => q.name), ...rawTeam },
        overview: { what: overviewQueries.map((q) => q.name), ...rawOverview },
      },
      ratios: { teamP95: teamRatio, overviewP95: overviewRatio },
      rss: { idleMb: rssIdleMb, maxMb: rssMaxMb },
      goals,
      perQuery,
      explain: explains,
    };
    await saveResults(projectRoot, `reports-${responses}.json`, results, log);
    return 0;
  } finally {
    clearTimeout(watchdog);
    stopReason ??= 'finished';
    log('stopping the app and the database');
    await cleanup.run();
  }
}

runBench('bench:reports', main);
