import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built app (dist/, as `npm start` runs it) as a child process, for the process tests. */
export const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export function startAppProcess(env: Record<string, string>): AppProcess {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
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

/**
 * Waits for a condition, not for a time: polls until `check` holds, or fails after a long while
 * (or at once if the app has exited), with the app's output in the message.
 */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  app?: AppProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (app && !app.alive()) {
      await app.exited;
      await new Promise((r) => setTimeout(r, 100)); // its last words
      throw new Error(`the app exited while waiting for ${what}:\n${app.output()}`);
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${app ? `:\n${app.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
