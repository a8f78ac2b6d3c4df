import { BalancedPool, type Dispatcher, type Pool } from 'undici';
import { type AppProcess, startApp } from './app-process';
import { freePort } from './net';

/**
 * Several instances of the app against one database, as the reference deployment runs them
 * (docs/operations.md, "Jobs and scale-out"): with one instance, that instance as the benchmark always ran it; with
 * N > 1, N − 1 web-only instances (JOB_WORKERS=false) and one that also runs the job workers.
 * The load generator spreads its connections over them round-robin (undici's BalancedPool: each
 * request to the next instance, so each gets an equal share), standing in for a load balancer.
 */
export interface Instances {
  count: number;
  apps: AppProcess[];
  pids: number[];
  /** Rejects as soon as any instance exits. */
  exited: Promise<never>;
  /** A dispatcher that sends each request to the next instance in turn. */
  http(options: Pool.Options): Dispatcher;
  stop(): Promise<void>;
}

export const MAX_INSTANCES = 8;

/**
 * `--instances N` (or `--instances=N`) from the arguments, else BENCH_INSTANCES, else 1; the
 * arguments without it are returned for the benchmark's own parsing.
 */
export function instancesArg(argv: string[]): { count: number; rest: string[] } {
  let raw = process.env.BENCH_INSTANCES?.trim() || undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^--instances(?:=(.*))?$/.exec(argv[i]);
    if (!match) rest.push(argv[i]);
    else raw = match[1] ?? argv[++i];
  }
  if (raw === undefined) return { count: 1, rest };
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1 || count > MAX_INSTANCES)
    throw new Error(`--instances must be a whole number from 1 to ${MAX_INSTANCES} (got "${raw}")`);
  return { count, rest };
}

/**
 * Starts `count` instances (see above). The first starts alone (it migrates the database);
 * the others then start together. `env` applies to every instance; `workerEnv` to the one with
 * the workers when there are several (with one instance, `env` says whether it runs them).
 */
export async function startInstances(options: {
  count: number;
  projectRoot: string;
  databaseUrl: string;
  appSecret: string;
  readyTimeoutMs: number;
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
}): Promise<Instances> {
  const { count, env = {}, workerEnv = {} } = options;
  const apps: AppProcess[] = [];
  const start = async (role: Record<string, string>) => {
    const app = await startApp({
      projectRoot: options.projectRoot,
      databaseUrl: options.databaseUrl,
      port: await freePort(),
      appSecret: options.appSecret,
      readyTimeoutMs: options.readyTimeoutMs,
      env: { ...env, ...role },
    });
    apps.push(app);
    return app;
  };
  const stop = async () => {
    await Promise.all(apps.map((app) => app.stop()));
  };
  try {
    if (count === 1) await start({});
    else {
      await start({ JOB_WORKERS: 'true', ...workerEnv });
      await Promise.all(Array.from({ length: count - 1 }, () => start({ JOB_WORKERS: 'false' })));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const exited = Promise.race(apps.map((app) => app.exited));
  exited.catch(() => undefined);
  return {
    count,
    apps,
    pids: apps.map((app) => app.pid),
    exited,
    http: (poolOptions) =>
      new BalancedPool(
        apps.map((app) => app.baseUrl),
        poolOptions,
      ),
    stop,
  };
}

/** Connections per instance when `total` are spread over `count` (at least one each). */
export function connectionsEach(total: number, count: number): number {
  return Math.max(1, Math.ceil(total / count));
}

/** How a result line names the deployment it measured. */
export function instancesLabel(count: number): string {
  return count === 1 ? '1 instance' : `${count} instances (${count - 1} web-only + 1 with workers)`;
}
