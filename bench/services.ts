/**
 * `npm run bench:services [-- --database-url URL] [--duration S] [--connections N]`: how fast
 * the service directory answers (/services, the chart; /services/:slug, a team's page) on a
 * database filled by `bench:seed`, next to the raw SQL of the statements those pages run, from
 * a pg pool here, in the same run. See bench/README.md.
 *
 * The seed leaves profiles empty: the bench gives every team whose purpose is empty a purpose in
 * four languages, a week of hours, an exception and three channels, and three published actions
 * (marked `bench:`), so the pages draw what they draw in use; it removes the actions afterwards.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool as PgPool } from 'pg';
import { Pool } from 'undici';
import { findProjectRoot } from '../src/config/app-config';
import { REPORT_SQL } from '../src/modules/reports/reports.sql';
import { SERVICES_SQL } from '../src/modules/services/services.sql';
import { SERVICE_STANDARDS_SQL } from '../src/modules/tickets/service-standards.sql';
import { type AppProcess, startApp } from './lib/app-process';
import { rssSampler } from './lib/memory';
import { freePort } from './lib/net';
import { cleanupStack, openPersistentDatabase, parseArgs } from './lib/persistent-db';
import { runBench, saveResults } from './lib/results';
import { percentile } from './lib/stats';

const GOALS = { p95Ms: 50 };

const started = Date.now();
function log(line: string): void {
  console.log(`[services +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

interface Timed {
  count: number;
  failures: number;
  perSecond: number;
  serverP50Ms: number;
  serverP95Ms: number;
  p95Ms: number;
}

/** `concurrency` workers, closed loop, for `durationMs`; server time from Server-Timing. */
async function runFor(
  durationMs: number,
  concurrency: number,
  stopped: () => string | undefined,
  work: () => Promise<{ ok: boolean; serverMs?: number }>,
): Promise<Timed> {
  const latencies: number[] = [];
  const server: number[] = [];
  let failures = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && stopped() === undefined) {
        const s = performance.now();
        const { ok, serverMs } = await work().catch(() => ({ ok: false, serverMs: undefined }));
        const elapsed = performance.now() - s;
        latencies.push(elapsed);
        server.push(serverMs ?? elapsed);
        if (!ok) failures++;
      }
    }),
  );
  const reason = stopped();
  if (reason !== undefined) throw new Error(`stopped: ${reason}`);
  const elapsed = performance.now() - t0;
  const sorted = Float64Array.from(latencies).sort();
  const serverSorted = Float64Array.from(server).sort();
  return {
    count: sorted.length,
    failures,
    perSecond: (sorted.length / elapsed) * 1000,
    serverP50Ms: percentile(serverSorted, 50),
    serverP95Ms: percentile(serverSorted, 95),
    p95Ms: percentile(sorted, 95),
  };
}

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');

const PURPOSE = {
  en: { handles: 'Laptops, phones, accounts and passwords', excludes: 'Payslips and holidays' },
  es: { handles: 'Portátiles, teléfonos, cuentas y contraseñas', excludes: 'Nóminas y vacaciones' },
  ja: { handles: 'ノートPC、スマートフォン、アカウント、パスワード', excludes: '給与明細と休暇' },
  fa: { handles: 'لپ‌تاپ، تلفن، حساب کاربری و گذرواژه', excludes: 'فیش حقوقی و مرخصی' },
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
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
  const watchdog = setTimeout(() => {
    stopReason = 'the 10-minute bench deadline passed';
  }, 10 * 60_000);
  watchdog.unref();
  try {
    const url = typeof args['database-url'] === 'string' ? args['database-url'] : undefined;
    const db = await openPersistentDatabase(projectRoot, url, log);
    cleanup.push('stop PostgreSQL', () => db.close());
    const pg = new PgPool({ connectionString: db.url, max: 20, application_name: 'inpulse-bench' });
    pg.on('error', (error) => {
      if (stopReason === undefined) log(`bench connection: ${error.message}`);
    });
    cleanup.push('close the bench connections', () => pg.end());

    const {
      rows: [counts],
    } = await pg.query<{ responses: number; tickets: number }>(
      `SELECT (SELECT count(*)::int FROM response) AS responses,
              (SELECT count(*)::int FROM ticket_event) AS tickets`,
    );
    const { rows: teams } = await pg.query<{ id: string; slug: string; parent_id: string | null }>(
      'SELECT id, slug, parent_id FROM service_team ORDER BY slug',
    );
    if (teams.length === 0) {
      console.error('bench:services: no teams; run `npm run bench:seed` first');
      return 2;
    }
    // Profiles where the seed left none; published actions marked as the bench's.
    const filled = await pg.query(
      `UPDATE service_team SET purpose = $1, time_zone = 'Europe/Madrid',
              opening_hours = $2, hours_exceptions = $3, contact_channels = $4,
              first_response_target_minutes = coalesce(first_response_target_minutes, 60),
              resolution_target_minutes = coalesce(resolution_target_minutes, 480)
        WHERE purpose = '{}'::jsonb`,
      [
        JSON.stringify(PURPOSE),
        JSON.stringify([1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' }))),
        JSON.stringify([{ date: '2030-12-25', label: 'Christmas', closed: true }]),
        JSON.stringify([
          { kind: 'email', value: 'help@example.com' },
          { kind: 'phone', value: '+34 91 555 0100' },
          { kind: 'portal', value: 'https://help.example.com' },
        ]),
      ],
    );
    await pg.query(
      `INSERT INTO team_action (team_id, heard, planned, locale, status, done_on, published)
       SELECT t.id, 'bench: long waits', 'bench: more people at lunchtime', 'en', 'done', DATE '2026-01-15', true
         FROM service_team t CROSS JOIN generate_series(1, 3)`,
    );
    cleanup.push('remove the bench actions', async () => {
      await pg.query(`DELETE FROM team_action WHERE heard = 'bench: long waits'`);
    });
    // The team with the largest subtree: its page reads the most ticket rows.
    const subtree = (rootId: string) => {
      const ids = [rootId];
      for (let i = 0; i < ids.length; i++)
        for (const t of teams) if (t.parent_id === ids[i]) ids.push(t.id);
      return ids;
    };
    const team = [...teams].sort((a, b) => subtree(b.id).length - subtree(a.id).length)[0];
    log(
      `${counts.responses} responses, ${counts.tickets} tickets, ${teams.length} teams ` +
        `(${filled.rowCount ?? 0} profiles filled now); team page of "${team.slug}" (${subtree(team.id).length} teams)`,
    );

    const port = await freePort();
    const app: AppProcess = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port,
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
      env: { SERVICES_ACCESS: 'network' },
    });
    cleanup.push('stop the app', () => app.stop());
    app.exited.catch(() => {
      stopReason ??= 'the app exited';
    });
    const rss = rssSampler(app.pid);
    cleanup.push('stop the RSS sampler', async () => rss.stop());

    const http = new Pool(app.baseUrl, { connections, pipelining: 1 });
    cleanup.push('close the HTTP pool', () => http.close());
    const get = async (path: string) => {
      const res = await http.request({
        method: 'GET',
        path,
        headers: { accept: 'text/html', 'accept-language': 'es' },
      });
      const body = await res.body.text();
      const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1];
      return {
        status: res.statusCode,
        body,
        serverMs: timing === undefined ? undefined : Number(timing),
      };
    };
    const chartPath = '/services';
    const teamPath = `/services/${team.slug}`;
    for (const path of [chartPath, teamPath, `${chartPath}?q=port%C3%A1til`]) {
      const res = await get(path);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    }

    // The raw baseline: the statements the pages run, as named prepared statements.
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const q = Math.floor(now.getUTCMonth() / 3) * 3;
    const quarter = [
      new Date(Date.UTC(now.getUTCFullYear(), q - 3, 1)),
      new Date(Date.UTC(now.getUTCFullYear(), q, 1)),
    ].map((d) => d.toISOString().slice(0, 10));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const chartRaw = async () => {
      await pg.query({ name: 'services_directoryTeams', text: SERVICES_SQL.directoryTeams });
      return { ok: true };
    };
    const teamRaw = async () => {
      await Promise.all([
        pg.query({ name: 'services_directoryTeams', text: SERVICES_SQL.directoryTeams }),
        pg.query({
          name: 'report_npsByTreeAndBucket',
          text: REPORT_SQL.npsByTreeAndBucket,
          values: ['__organisation', 'quarter', ...quarter],
        }),
        pg.query({
          name: 'report_serviceStandards',
          text: SERVICE_STANDARDS_SQL.serviceStandards,
          values: [subtree(team.id), day(lastMonth), day(monthStart)],
        }),
      ]);
      return { ok: true };
    };
    const page = (path: string) => async () => {
      const res = await get(path);
      return { ok: res.status === 200, serverMs: res.serverMs };
    };

    log('warm-up: 3 s of each page');
    await runFor(3000, connections, stopped, page(chartPath));
    await runFor(3000, connections, stopped, page(teamPath));
    const phase = async (name: string, work: () => Promise<{ ok: boolean; serverMs?: number }>) => {
      log(`measuring ${name}: ${durationMs / 1000} s, ${connections} users, closed loop`);
      rss.resetMax();
      const timed = await runFor(durationMs, connections, stopped, work);
      if (timed.failures > 0) throw new Error(`${name}: ${timed.failures} failed requests`);
      log(`${name}: ${fmt(timed.perSecond)}/s, server p95 ${fmt(timed.serverP95Ms)} ms`);
      return { ...timed, rssMaxMb: rss.max() };
    };
    const appChart = await phase('app GET /services', page(chartPath));
    const rawChart = await phase('raw directory statement', chartRaw);
    const appTeam = await phase(`app GET ${teamPath}`, page(teamPath));
    const rawTeam = await phase("raw team page's main statements", teamRaw);

    const ratios = {
      chart: appChart.serverP95Ms / rawChart.serverP95Ms,
      team: appTeam.serverP95Ms / rawTeam.serverP95Ms,
    };
    const goals = {
      chart: {
        text: `/services server p95 < ${GOALS.p95Ms} ms`,
        met: appChart.serverP95Ms < GOALS.p95Ms,
      },
      team: {
        text: `/services/:slug server p95 < ${GOALS.p95Ms} ms`,
        met: appTeam.serverP95Ms < GOALS.p95Ms,
      },
    };
    const row = (name: string, p: Timed) =>
      `${name.padEnd(48)} ${fmt(p.perSecond).padStart(8)} ${fmt(p.serverP50Ms).padStart(8)} ${fmt(p.serverP95Ms).padStart(8)} ${fmt(p.p95Ms).padStart(8)}`;
    console.log('');
    console.log(
      `Service directory at ${counts.responses} responses, ${counts.tickets} tickets, ${teams.length} teams; ${connections} concurrent, ${durationMs / 1000} s each`,
    );
    console.log(
      `${''.padEnd(48)} ${'req/s'.padStart(8)} ${'srv p50'.padStart(8)} ${'srv p95'.padStart(8)} ${'cli p95'.padStart(8)}`,
    );
    console.log(row('app: GET /services (HTML)', appChart));
    console.log(row('raw: the directory statement', rawChart));
    console.log(row(`app: GET ${teamPath} (HTML)`, appTeam));
    console.log(row('raw: teams + quarter rollups + standards', rawTeam));
    console.log(
      `ratio app/raw server p95: chart ${fmt(ratios.chart, 2)}×, team page ${fmt(ratios.team, 2)}× ` +
        '(raw: the same statements from a pg pool in this process; the team tree and actions reads are not in it)',
    );
    console.log(`app RSS max ${fmt(Math.max(appChart.rssMaxMb, appTeam.rssMaxMb), 0)} MB`);
    for (const g of Object.values(goals))
      console.log(`goal "${g.text}": ${g.met ? 'MET' : 'NOT MET'}`);
    console.log('');
    await saveResults(
      projectRoot,
      `services-${counts.responses}.json`,
      {
        benchmark: 'services',
        finishedAt: new Date().toISOString(),
        settings: { durationMs, connections, team: team.slug, quarter, lastMonth: day(lastMonth) },
        data: { responses: counts.responses, tickets: counts.tickets, teams: teams.length },
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        app: { chart: appChart, team: appTeam },
        raw: { chart: rawChart, team: rawTeam },
        ratios,
        goals,
      },
      log,
    );
    return 0;
  } finally {
    clearTimeout(watchdog);
    stopReason ??= 'finished';
    log('stopping the app and the database');
    await cleanup.run();
  }
}

runBench('bench:services', main);
