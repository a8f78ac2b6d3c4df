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
import { type CpuUsage, startCpuMeter } from './lib/cpu';
import { connectionsEach, instancesArg, instancesLabel, startInstances } from './lib/instances';
import { rssSampler } from './lib/memory';
import { rawHeadlineCount, type TreeRow } from './lib/headline';
import { cleanupStack, openPersistentDatabase, parseArgs } from './lib/persistent-db';
import { percentile } from './lib/stats';
import { DRIVER_SQL } from '../src/modules/reports/drivers.sql';
import { REPORT_SQL } from '../src/modules/reports/reports.sql';
import { SERVICE_STANDARDS_SQL } from '../src/modules/tickets/service-standards.sql';
import { runBench, saveResults } from './lib/results';

const TREND_BUCKETS = 12; // ReportsService.TREND_BUCKETS
const SPARK_BUCKETS = 8; // ReportsService.SPARK_BUCKETS
const GOALS = { teamP95Ms: 50, teamRatio: 2, overviewP95Ms: 150, rssMb: 250 };
/** The reading time of the second measurement of the pages (10 users who read what they get). */
const THINK_MS = 1000;

const started = Date.now();
function log(line: string): void {
  console.log(`[reports +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

// The repositories' own SQL, so the baseline runs exactly the statements the app runs.
const SQL: Record<string, string> = { ...REPORT_SQL, ...SERVICE_STANDARDS_SQL, ...DRIVER_SQL };

interface Team {
  id: string;
  slug: string;
  parent_id: string | null;
}

function subtree(all: Team[], rootId: string): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++)
    for (const t of all) if (t.parent_id === ids[i]) ids.push(t.id);
  return ids;
}

function pairs(groups: Record<string, string[]>): string {
  return JSON.stringify(
    Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id }))),
  );
}

/** A request's outcome; serverMs is what the app's Server-Timing header says it took. */
interface Outcome {
  ok: boolean;
  serverMs?: number;
}

interface Timed {
  /** Server time: the app's own Server-Timing for app phases, the query time for raw SQL. */
  serverP50Ms: number;
  serverP95Ms: number;
  count: number;
  failures: number;
  firstError?: string;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Runs `work` with `concurrency` workers for `durationMs` (then waits for those in flight). */
async function runFor(
  durationMs: number,
  concurrency: number,
  stopped: () => string | undefined,
  work: () => Promise<Outcome>,
  /**
   * Each worker waits about this long after each answer (a person reading the page: uniformly
   * from half to one and a half times it, and starting at a random point of the first one, so
   * that ten people do not click in step); 0: at once.
   */
  thinkMs = 0,
): Promise<Timed> {
  const latencies: number[] = [];
  const serverTimes: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + durationMs;
  const think = (share: number) => new Promise((done) => setTimeout(done, thinkMs * share));
  const worker = async () => {
    if (thinkMs > 0) await think(Math.random());
    while (performance.now() < end && stopped() === undefined) {
      const s = performance.now();
      let ok = false;
      let serverMs: number | undefined;
      try {
        ({ ok, serverMs } = await work());
      } catch (error) {
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const elapsed = performance.now() - s;
      latencies.push(elapsed);
      serverTimes.push(serverMs ?? elapsed);
      if (!ok) failures++;
      if (thinkMs > 0) await think(0.5 + Math.random());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const reason = stopped();
  if (reason !== undefined) throw new Error(`stopped: ${reason}`);
  const sorted = Float64Array.from(latencies).sort();
  const server = Float64Array.from(serverTimes).sort();
  return {
    serverP50Ms: percentile(server, 50),
    serverP95Ms: percentile(server, 95),
    count: sorted.length,
    failures,
    firstError,
    durationMs: elapsed,
    perSecond: (sorted.length / elapsed) * 1000,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
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

    log(`starting the app (node dist/src/main.js): ${instancesLabel(instances)}`);
    const app = await startInstances({
      count: instances,
      projectRoot,
      databaseUrl: db.url,
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
    });
    cleanup.push('stop the app', () => app.stop());
    app.exited.catch(() => {
      stopReason ??= 'the app exited';
    });
    const rss = rssSampler(app.pids[0]); // the first instance's (they serve alike)
    cleanup.push('stop the RSS sampler', async () => rss.stop());
    const rssIdleMb = rss.now();
    log(`app ready (pid ${app.pids.join(', ')}, RSS ${fmt(rssIdleMb)} MB)`);

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

    const http = app.http({
      connections: connectionsEach(connections, instances),
      pipelining: 1,
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    cleanup.push('close the HTTP pool', () => http.close());
    const apiHeaders = { authorization: `Bearer ${apiToken}`, accept: 'application/json' };
    const pageHeaders = { cookie: `inpulse_session=${sessionId}`, accept: 'text/html' };
    const apiTeamPath = `/api/v1/reports/teams/${team.slug}?period=month&at=${at}`;
    // What is measured: the HTML pages a lead or HR reads (the API serves the same numbers).
    const teamPath = `/teams/${team.slug}?period=month&at=${at}`;
    const overviewPath = `/?period=month&at=${at}`;
    const get = async (
      path: string,
    ): Promise<{ status: number; body: string; serverMs?: number }> => {
      const headers = path.startsWith('/api/') ? apiHeaders : pageHeaders;
      const res = await http.request({ method: 'GET', path, headers });
      const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1];
      return {
        status: res.statusCode,
        body: await res.body.text(),
        serverMs: timing === undefined ? undefined : Number(timing),
      };
    };

    // Parameters as ReportsService computes them.
    const start = bucketStart(at, 'month');
    const end = addBuckets(start, 'month', 1);
    const trendFrom = addBuckets(start, 'month', 1 - TREND_BUCKETS);
    const sparkFrom = addBuckets(start, 'month', 1 - SPARK_BUCKETS);
    const sub = subtree(teams, team.id);
    // The whole tree and the organisation (the visibility rule needs them), as the service asks.
    const ORGANISATION = '__organisation'; // anonymity.ts
    const teamGroups = pairs(Object.fromEntries(sub.map((id) => [id, subtree(teams, id)])));
    type Query = {
      name: string;
      key: keyof typeof REPORT_SQL | keyof typeof SERVICE_STANDARDS_SQL | keyof typeof DRIVER_SQL;
      params: unknown[];
    };
    // Every statement the team page runs (ReportsService.teamReport), and the overview's.
    const teamQueries: Query[] = [
      {
        name: 'team: npsByTreeAndBucket (whole tree + org, 12 months)',
        key: 'npsByTreeAndBucket',
        params: [ORGANISATION, 'month', trendFrom, end],
      },
      {
        name: 'team: questionCountsByTree (whole tree + org)',
        key: 'questionCountsByTree',
        params: [ORGANISATION, 'month', start, end],
      },
      { name: 'team: questionsInPeriod', key: 'questionsInPeriod', params: ['month', start, end] },
      {
        name: 'team: npsDistribution',
        key: 'npsDistribution',
        params: [sub, 'month', start, end],
      },
      {
        name: 'team: optionCountsByGroup',
        key: 'optionCountsByGroup',
        params: [pairs({ [team.id]: sub }), 'month', start, end],
      },
      { name: 'team: responseRate', key: 'responseRate', params: [sub, start, end] },
      { name: 'team: commentSample', key: 'commentSample', params: [sub, start, end, 30] },
      {
        name: 'team: npsBySegmentAndGroup (3 segments)',
        key: 'npsBySegmentAndGroup',
        params: [teamGroups, 'month', start, end],
      },
      // The part after tickets (its tree counts are the statements above, shared).
      {
        name: 'team: ticketCommentSample',
        key: 'ticketCommentSample',
        params: [sub, start, end, 30],
      },
      {
        name: 'team: ticketNpsByBandAndGroup',
        key: 'ticketNpsByBandAndGroup',
        params: [teamGroups, 'month', start, end],
      },
      { name: 'team: serviceStandards', key: 'serviceStandards', params: [sub, start, end] },
      {
        name: 'team: volumeByWeekdayHour',
        key: 'volumeByWeekdayHour',
        params: [sub, start, end, 'UTC'],
      },
      // What drives the score (DriverReportService): it shares the report's tree counts (the
      // statements above, through the page's memo) and adds its driver sums. The comment card's
      // themes are kept per team and period until a release changes the period's comment count
      // (CommentReportService), so a page view reads no comment text.
      { name: 'team: driversOfTeams', key: 'driversOfTeams', params: [sub, 'month', start, end] },
    ];
    const overviewQueries: Query[] = [
      {
        name: 'overview: npsByTreeAndBucket (whole tree + org, 8 months)',
        key: 'npsByTreeAndBucket',
        params: [ORGANISATION, 'month', sparkFrom, end],
      },
      {
        name: 'overview: questionCountsByTree (whole tree + org)',
        key: 'questionCountsByTree',
        params: [ORGANISATION, 'month', start, end],
      },
      {
        name: 'overview: questionsInPeriod',
        key: 'questionsInPeriod',
        params: ['month', start, end],
      },
    ];
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

    // Sanity: the app's headline n (API) is the raw count of the month, and both pages answer.
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
    const status200 = (path: string) => async (): Promise<Outcome> => {
      const res = await get(path);
      return { ok: res.status === 200, serverMs: res.serverMs };
    };
    log('warm-up: 3 s of each endpoint');
    await runFor(3000, connections, stopped, status200(teamPath));
    await runFor(3000, connections, stopped, status200(overviewPath));

    const cpuCount = cpus().length;
    const postgresPid = await db.postmasterPid();
    const phase = async (name: string, work: () => Promise<Outcome>, thinkMs = 0) => {
      log(
        `measuring ${name}: ${durationMs / 1000} s, ${connections} users` +
          (thinkMs > 0 ? `, each reading ${thinkMs / 1000} s between pages` : ', closed loop'),
      );
      rss.resetMax();
      const cpu = startCpuMeter(cpuCount, { app: app.pids, postgres: postgresPid });
      const timed = await Promise.race([
        runFor(durationMs, connections, stopped, work, thinkMs),
        app.exited,
      ]);
      const usage: CpuUsage = cpu();
      if (timed.failures > 0)
        throw new Error(
          `${name}: ${timed.failures} failed requests (first: ${timed.firstError ?? 'non-200'})`,
        );
      log(
        `${name}: ${fmt(timed.perSecond)}/s, server p50 ${fmt(timed.serverP50Ms)} ms, p95 ${fmt(timed.serverP95Ms)} ms`,
      );
      return { ...timed, rssMaxMb: rss.max(), cpu: usage };
    };
    const appTeam = await phase('app team page', status200(teamPath));
    const rawTeam = await phase('raw SQL team aggregates', teamRaw);
    const appOverview = await phase('app overview', status200(overviewPath));
    const rawOverview = await phase('raw SQL overview aggregate', overviewRaw);
    // The same 10 users as people use a report: a page, a second to read it, the next page.
    const thinkingTeam = await phase('app team page', status200(teamPath), THINK_MS);
    const thinkingOverview = await phase('app overview', status200(overviewPath), THINK_MS);
    const rssMaxMb = Math.max(
      appTeam.rssMaxMb,
      appOverview.rssMaxMb,
      rawTeam.rssMaxMb,
      rawOverview.rssMaxMb,
      thinkingTeam.rssMaxMb,
      thinkingOverview.rssMaxMb,
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

    const teamRatio = appTeam.serverP95Ms / rawTeam.serverP95Ms;
    const overviewRatio = appOverview.serverP95Ms / rawOverview.serverP95Ms;
    const goals = {
      teamP95: {
        text: `team page server p95 < ${GOALS.teamP95Ms} ms (closed loop)`,
        met: appTeam.serverP95Ms < GOALS.teamP95Ms,
      },
      teamP95Reading: {
        text: `team page server p95 < ${GOALS.teamP95Ms} ms (users reading ${THINK_MS / 1000} s)`,
        met: thinkingTeam.serverP95Ms < GOALS.teamP95Ms,
      },
      teamRatio: {
        text: `team page server p95 ≤ ${GOALS.teamRatio}× raw SQL`,
        met: teamRatio <= GOALS.teamRatio,
      },
      overviewP95: {
        text: `overview server p95 < ${GOALS.overviewP95Ms} ms (closed loop)`,
        met: appOverview.serverP95Ms < GOALS.overviewP95Ms,
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
    const rows = [
      ['', 'req/s', 'server p50 ms', 'server p95 ms', 'client p95 ms', 'app RSS max MB'],
      row(`app: GET /teams/${team.slug} (HTML)`, appTeam),
      row(`raw: the team page's ${teamQueries.length} statements`, {
        ...rawTeam,
        rssMaxMb: undefined,
      }),
      row('app: GET / overview (HTML)', appOverview),
      row(`raw: the overview's ${overviewQueries.length} statements`, {
        ...rawOverview,
        rssMaxMb: undefined,
      }),
      row(`app: GET /teams/${team.slug}, users reading ${THINK_MS / 1000} s`, thinkingTeam),
      row(`app: GET /, users reading ${THINK_MS / 1000} s`, thinkingOverview),
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
      `ratio app/raw server p95: team page ${fmt(teamRatio, 2)}×, overview ${fmt(overviewRatio, 2)}×` +
        ' (raw: the same statements from a pg pool in this process; server time = query time)',
    );
    console.log(`app RSS: ${fmt(rssIdleMb, 0)} MB idle, ${fmt(rssMaxMb, 0)} MB max under load`);
    for (const g of Object.values(goals)) console.log(`goal "${g.text}": ${verdict(g.met)}`);
    const pct = (v: number | null) => (v === null ? 'n/a' : `${v}%`);
    console.log(`CPU (% of one core, ${cpuCount} cores): app / PostgreSQL / bench`);
    for (const [name, p] of [
      ['app team', appTeam],
      ['raw team', rawTeam],
      ['app overview', appOverview],
      ['raw overview', rawOverview],
    ] as const)
      console.log(
        `  ${name.padEnd(13)} ${pct(p.cpu.appPct)} / ${pct(p.cpu.postgresPct)} / ${pct(p.cpu.benchPct)}`,
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
        reading: { thinkMs: THINK_MS, team: thinkingTeam, overview: thinkingOverview },
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
