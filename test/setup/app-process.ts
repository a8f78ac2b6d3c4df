import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';
import { until } from './until';

export { freePort, until };

/** The built app (dist/, as `npm start` runs it) as a child process, for the process tests. */
export const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** A test seam (test/setup/seams/<name>.cjs), loaded into the app with `node --require`. */
export function seam(name: string): string[] {
  return ['--require', join(process.cwd(), 'test', 'setup', 'seams', `${name}.cjs`)];
}

/**
 * Starts the built app with `env` (and only PATH and HOME from the test's own environment);
 * `nodeArgs` go before the script, e.g. `seam(…)`.
 */
export function startAppProcess(env: Record<string, string>, nodeArgs: string[] = []): AppProcess {
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'log',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** An HTTP request that answers `undefined` instead of throwing when nothing answers. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer | undefined> {
  try {
    const res = await fetch(url, { redirect: 'manual', ...init });
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch {
    return undefined;
  }
}
