import { readFileSync } from 'node:fs';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';

export interface AppProcess {
  baseUrl: string;
  pid: number;
  /** Last lines the app printed (stdout and stderr), for error messages. */
  output(): string;
  /** Rejects as soon as the process exits, whenever that is. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

/** Variables the app reads that must not leak in from the caller's environment. */
const APP_VARIABLES = [
  'BASE_URL',
  'HOST',
  'SMTP_URL',
  'MAIL_FROM',
  'REPORTING_THRESHOLD',
  'MIX_BATCH_SIZE',
  'INVITATION_TTL_DAYS',
  'MAIL_MAX_ATTEMPTS',
  'MAIL_RETRY_SECONDS',
  'MAIL_LEASE_SECONDS',
  'MAIL_CONNECTIONS',
  'MAIL_BATCH_SIZE',
  'EMBEDDED_PG_DIR',
  'EMBEDDED_PG_PORT',
];

/** The node flags of `npm start` (package.json), so the benchmarks run the app as it is run. */
export function startFlags(projectRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

/**
 * Starts `node dist/src/main.js` as a child process against `databaseUrl` (the app migrates it
 * on start) and waits until GET /readyz answers 200.
 */
export async function startApp(options: {
  projectRoot: string;
  databaseUrl: string;
  port: number;
  appSecret: string;
  readyTimeoutMs: number;
  /** More variables for the app (e.g. JOB_WORKERS=true and SMTP_URL for the mail bench). */
  env?: Record<string, string>;
}): Promise<AppProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of APP_VARIABLES) delete env[name];
  Object.assign(env, {
    DATABASE_URL: options.databaseUrl,
    DEMO: 'false',
    APP_SECRET: options.appSecret,
    HOST: '127.0.0.1',
    PORT: String(options.port),
    JOB_WORKERS: 'false',
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  // BENCH_APP_NODE_ARGS: extra node flags for the app only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = [
    ...startFlags(options.projectRoot),
    ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  ];
  const main = join(options.projectRoot, 'dist', 'src', 'main.js');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: options.projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => recent.join('\n');

  let running = true;
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) => {
      running = false;
      reject(new Error(`the app could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      running = false;
      reject(
        new Error(`the app exited (code ${code}, signal ${signal}). Its last output:\n${output()}`),
      );
    });
  });
  exited.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const app: AppProcess = {
    baseUrl,
    pid: child.pid ?? -1,
    output,
    exited,
    stop: () => stopChild(child, () => running),
  };
  try {
    await Promise.race([waitReady(baseUrl, options.readyTimeoutMs, () => running), exited]);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

async function waitReady(
  baseUrl: string,
  timeoutMs: number,
  running: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (running() && Date.now() < deadline) {
    try {
      const res = await request(`${baseUrl}/readyz`, { headersTimeout: 2000, bodyTimeout: 2000 });
      const body = await res.body.text();
      if (res.statusCode === 200) return;
      last = `${res.statusCode} ${body}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (running()) throw new Error(`the app was not ready within ${timeoutMs} ms (last: ${last})`);
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s. */
async function stopChild(child: ChildProcess, running: () => boolean): Promise<void> {
  if (!running() || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), 15_000);
  });
  const late = await Promise.race([gone.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late && running()) {
    child.kill('SIGKILL');
    await gone;
  }
}
