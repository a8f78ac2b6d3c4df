import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeftoverPostgres, stopLeftoverPostgres } from '../../src/database/embedded-leftover';
import { until } from '../setup/until';

/**
 * Which process a data folder's lock file may make the app stop, with stand-ins for PostgreSQL:
 * Node processes whose command line reads `postgres -D <folder>`. Only a PostgreSQL of this very
 * folder whose parent is gone is stopped; everything else is left running, and no file is removed.
 * (The real thing, a PostgreSQL left behind by a killed app, is test/process/embedded-crash.spec.ts.)
 */
describe('a PostgreSQL left behind on the embedded data folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'inpulse-leftover-'));
  const ours = join(root, 'pg');
  const other = join(root, 'other');
  mkdirSync(ours);
  mkdirSync(other);
  const started: number[] = [];
  afterAll(() => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  const lockFile = join(ours, 'postmaster.pid');
  const lock = (pid: number, dir = ours) =>
    writeFileSync(
      lockFile,
      `${pid}\n${dir}\n1700000000\n54329\n/tmp\n127.0.0.1\n  1234 5678\nready\n`,
    );
  const logs: string[] = [];
  const log = (message: string) => logs.push(message);

  /** A stand-in for a postmaster of `dir`: a child of this (live) test process. */
  function fakePostgres(dir: string): ChildProcess {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '-D', dir], {
      argv0: 'postgres',
      stdio: 'ignore',
    });
    started.push(child.pid!);
    return child;
  }

  /** The same, left behind: its parent (a shell) has exited, as a killed app would have. */
  function orphanPostgres(dir: string): number {
    const pid = Number(
      execFileSync(
        'bash',
        [
          '-c',
          '(exec -a postgres "$0" -e "setInterval(() => {}, 1000)" -- -D "$1" </dev/null >/dev/null 2>&1) & echo $!',
          process.execPath,
          dir,
        ],
        { encoding: 'utf8' },
      ).trim(),
    );
    started.push(pid);
    return pid;
  }

  it('finds nothing without a lock file, and leaves a stale one to PostgreSQL', async () => {
    expect(await findLeftoverPostgres(ours)).toEqual({ kind: 'none' });
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    lock(gone.pid!);
    expect(await stopLeftoverPostgres(ours, log)).toEqual({ kind: 'stale', pid: gone.pid });
    expect(existsSync(lockFile)).toBe(true);
  });

  it('never touches a live process that is not a PostgreSQL of this folder', async () => {
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    started.push(sleeper.pid!);
    const elsewhere = fakePostgres(other);
    const orphanElsewhere = orphanPostgres(other);
    await until(
      'both to be postgres',
      () => cmdlineReady(elsewhere.pid!) && cmdlineReady(orphanElsewhere),
    );
    const cases: [number, string][] = [
      [sleeper.pid!, ours], // the number reused by something else
      [elsewhere.pid!, ours], // a PostgreSQL, of another folder
      [orphanElsewhere, ours], // the same, and left behind
      [orphanElsewhere, other], // the lock file itself names another folder
      [1, ours], // init
    ];
    for (const [pid, dir] of cases) {
      lock(pid, dir);
      expect(await stopLeftoverPostgres(ours, log)).toEqual({ kind: 'foreign', pid });
      expect(alive(pid)).toBe(true);
      expect(existsSync(lockFile)).toBe(true);
    }
    expect(logs.at(-1)).toContain('not a PostgreSQL of this folder: leaving it alone');
  });

  it('refuses to stop one that a live process still runs (another inpulse on the same folder)', async () => {
    const running = fakePostgres(ours);
    await until('it to be postgres', () => cmdlineReady(running.pid!));
    lock(running.pid!);
    expect(await findLeftoverPostgres(ours)).toEqual({
      kind: 'owned',
      pid: running.pid,
      parentPid: process.pid,
    });
    await expect(stopLeftoverPostgres(ours, log)).rejects.toThrow(
      'is another inpulse running on the same data folder?',
    );
    expect(alive(running.pid!)).toBe(true);
  });

  it('stops one of this folder whose parent is gone', async () => {
    const orphan = orphanPostgres(ours);
    await until('the orphan to be postgres', () => cmdlineReady(orphan));
    lock(orphan);
    expect(await stopLeftoverPostgres(ours, log)).toEqual({ kind: 'orphan', pid: orphan });
    expect(alive(orphan)).toBe(false);
    expect(logs.at(-1)).toContain(`(PID ${orphan}) a previous run left behind`);
  });
});

/** Running, not merely a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

/** A spawned process shows its own command line once it has exec'd. */
function cmdlineReady(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres\0');
  } catch {
    return false;
  }
}
