import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { type CpuUsage, startCpuMeter } from './cpu';
import { connectionsEach, instancesLabel, startInstances } from './instances';
import { type Outcome, runFor, type Timed } from './load-loop';
import { rssSampler } from './memory';

export type Get = (path: string) => Promise<{ status: number; body: string; serverMs?: number }>;
export type Phase = Timed & { rssMaxMb: number; cpu: CpuUsage };
export type RunPhase = (
  name: string,
  work: () => Promise<Outcome>,
  thinkMs?: number,
) => Promise<Phase>;

/** The pages of one app run (bench:reports measures it with and without the report cache). */
export interface AppRun<R> {
  team: Phase;
  overview: Phase;
  readingTeam: Phase;
  readingOverview: Phase;
  rssIdleMb: number;
  rssMaxMb: number;
  during: R;
}

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');

/**
 * Starts the app with `env`, checks it (`check`), warms it up, measures the team page and the
 * overview (closed loop), runs `during` (the raw statements, beside this app), then both pages
 * with users who read what they get, and stops the app.
 */
export async function measureApp<R>(options: {
  label: string;
  /** App instances (bench/lib/instances.ts): N − 1 web-only and one with the workers. */
  instances: number;
  projectRoot: string;
  databaseUrl: string;
  postgresPid: number | undefined;
  env: Record<string, string>;
  connections: number;
  durationMs: number;
  thinkMs: number;
  stopped: () => string | undefined;
  onExit: () => void;
  log: (line: string) => void;
  paths: { team: string; overview: string };
  headers: { api: Record<string, string>; page: Record<string, string> };
  check: (get: Get) => Promise<void>;
  during: (phase: RunPhase) => Promise<R>;
}): Promise<AppRun<R>> {
  const { label, connections, durationMs, stopped, log, paths } = options;
  log(
    `starting the app ${label} (${JSON.stringify(options.env)}): ${instancesLabel(options.instances)}`,
  );
  const app = await startInstances({
    count: options.instances,
    projectRoot: options.projectRoot,
    databaseUrl: options.databaseUrl,
    appSecret: randomBytes(48).toString('base64url'),
    readyTimeoutMs: 90_000,
    env: options.env,
  });
  let stopping = false;
  app.exited.catch(() => {
    if (!stopping) options.onExit();
  });
  const rss = rssSampler(app.pids[0]); // the first instance's (they serve alike)
  const http = app.http({
    connections: connectionsEach(connections, options.instances),
    pipelining: 1,
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
  try {
    const rssIdleMb = rss.now();
    log(`app ready (pid ${app.pids.join(', ')}, RSS ${fmt(rssIdleMb)} MB)`);
    const get: Get = async (path) => {
      const headers = path.startsWith('/api/') ? options.headers.api : options.headers.page;
      const res = await http.request({ method: 'GET', path, headers });
      const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1];
      return {
        status: res.statusCode,
        body: await res.body.text(),
        serverMs: timing === undefined ? undefined : Number(timing),
      };
    };
    await options.check(get);
    const status200 = (path: string) => async (): Promise<Outcome> => {
      const res = await get(path);
      return { ok: res.status === 200, serverMs: res.serverMs };
    };
    log('warm-up: 3 s of each endpoint');
    await runFor(3000, connections, stopped, status200(paths.team));
    await runFor(3000, connections, stopped, status200(paths.overview));

    const cpuCount = cpus().length;
    const phase: RunPhase = async (name, work, thinkMs = 0) => {
      log(
        `measuring ${name}: ${durationMs / 1000} s, ${connections} users` +
          (thinkMs > 0 ? `, each reading ${thinkMs / 1000} s between pages` : ', closed loop'),
      );
      rss.resetMax();
      const cpu = startCpuMeter(cpuCount, { app: app.pids, postgres: options.postgresPid });
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
    const team = await phase(`app team page ${label}`, status200(paths.team));
    const overview = await phase(`app overview ${label}`, status200(paths.overview));
    const during = await options.during(phase);
    // The same 10 users as people use a report: a page, a second to read it, the next page.
    const think = options.thinkMs;
    const readingTeam = await phase(`app team page ${label}`, status200(paths.team), think);
    const readingOverview = await phase(`app overview ${label}`, status200(paths.overview), think);
    const rssMaxMb = Math.max(
      team.rssMaxMb,
      overview.rssMaxMb,
      readingTeam.rssMaxMb,
      readingOverview.rssMaxMb,
    );
    return { team, overview, readingTeam, readingOverview, rssIdleMb, rssMaxMb, during };
  } finally {
    stopping = true;
    await http.close();
    rss.stop();
    await app.stop();
  }
}
