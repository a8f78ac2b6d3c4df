import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopLeftoverPostgres } from '../../src/database/embedded-leftover';
import { type AppProcess, call, freePort, startAppProcess, until } from '../setup/app-process';
import { TEST_APP_SECRET } from '../setup/test-app';

/**
 * The built app on its embedded PostgreSQL, killed without a goodbye (SIGKILL): PostgreSQL keeps
 * running and holds its data folder's lock file. The next `npm start` finds it, sees that it is
 * a PostgreSQL of this folder whose app is gone, stops it and starts its own. It never stops
 * one that a live app still uses, nor a process that merely has the number in the lock file.
 */
describe('the embedded PostgreSQL after the app was killed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inpulse-crash-'));
  chmodSync(dir, 0o755); // PostgreSQL may run as another user when we are root
  const pgDir = join(dir, 'pg');
  const lockFile = join(pgDir, 'postmaster.pid');
  const apps: AppProcess[] = [];
  let env: Record<string, string>;
  let savedLock = '';

  beforeAll(async () => {
    env = {
      EMBEDDED_PG_DIR: pgDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      DEMO: 'false',
      APP_SECRET: TEST_APP_SECRET,
    };
  });
  afterAll(async () => {
    for (const app of apps) if (app.alive()) app.child.kill('SIGKILL');
    await Promise.all(apps.map((app) => app.exited));
    // Whatever a failed test left running on the folder.
    await stopLeftoverPostgres(pgDir, () => undefined).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ app: AppProcess; base: string }> {
    const port = await freePort();
    const app = startAppProcess({ ...env, PORT: String(port) });
    apps.push(app);
    return { app, base: `http://127.0.0.1:${port}` };
  }
  const listening = (app: AppProcess) =>
    until('listening', () => app.output().includes('inpulse listening'), app);
  const lockPid = () => Number(readFileSync(lockFile, 'utf8').split('\n')[0]);

  it('stops the PostgreSQL a killed app left behind, and serves; never the one a live app uses', async () => {
    const first = await start();
    await listening(first.app);
    const leftBehind = lockPid();
    savedLock = readFileSync(lockFile, 'utf8');
    expect(running(leftBehind)).toBe(true);

    // Started twice on one folder: the second stops, naming the reason; the first serves on.
    const twin = await start();
    expect((await twin.app.exited).code).toBe(1);
    expect(twin.app.output()).toContain('is another inpulse running on the same data folder?');
    expect(running(leftBehind)).toBe(true);
    expect((await call(`${first.base}/readyz`))?.status).toBe(200);

    // kill -9: the app is gone, its PostgreSQL is not (this is what blocked the next start).
    first.app.child.kill('SIGKILL');
    expect((await first.app.exited).signal).toBe('SIGKILL');
    expect(running(leftBehind)).toBe(true);
    expect(lockPid()).toBe(leftBehind);

    const next = await start();
    await listening(next.app);
    expect(next.app.output()).toContain(
      `the embedded PostgreSQL (PID ${leftBehind}) a previous run left behind on ${pgDir} is still running: stopping it`,
    );
    expect(running(leftBehind)).toBe(false);
    expect(lockPid()).not.toBe(leftBehind);
    expect(running(lockPid())).toBe(true);
    expect((await call(`${next.base}/readyz`))?.status).toBe(200);
    const page = await call(`${next.base}/login`);
    expect(page?.status).toBe(200);
    expect(page?.text).toContain('<form');

    next.app.child.kill('SIGTERM');
    expect((await next.app.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 180_000);

  it('leaves a live process that only has the number in the lock file alone; once it is gone, starts', async () => {
    // A process of PostgreSQL's own user (so that PostgreSQL, too, sees it alive), not a postgres.
    const user = process.getuid?.() === 0 ? postgresUser() : {};
    const stranger = spawn('sleep', ['600'], { ...user, stdio: 'ignore' });
    const strangerExit = new Promise((resolve) => stranger.on('exit', resolve));
    writeFileSync(lockFile, savedLock.replace(/^\d+/, String(stranger.pid)));

    const refused = await start();
    expect((await refused.app.exited).code).toBe(1);
    expect(refused.app.output()).toContain(
      `names process ${stranger.pid}, which is not a PostgreSQL of this folder: leaving it alone`,
    );
    expect(refused.app.output()).toContain('lock file "postmaster.pid" already exists');
    expect(running(stranger.pid!)).toBe(true);
    expect(lockPid()).toBe(stranger.pid); // nothing removed

    // Gone: the lock file is stale, and PostgreSQL clears it itself.
    stranger.kill();
    await strangerExit;
    const again = await start();
    await listening(again.app);
    expect((await call(`${again.base}/readyz`))?.status).toBe(200);
    expect(lockPid()).not.toBe(stranger.pid);
    again.app.child.kill('SIGTERM');
    expect((await again.app.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 180_000);
});

/** Running, not merely a zombie waiting for init to reap it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}
