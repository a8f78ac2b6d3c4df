import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built app, as `npm start` runs it. */
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
  output: () => string;
  /** The exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts the built app in a process of its own, with only this environment (and PATH, HOME). */
export function startAppProcess(env: Record<string, string>): AppProcess {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited };
}

/** Waits for a condition (not for a time): polls until it holds, or fails after a long while. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  app?: AppProcess,
  ms = 120_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (app && app.child.exitCode !== null)
      throw new Error(`the app exited while waiting for ${what}:\n${app.output()}`);
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${app ? `:\n${app.output()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
