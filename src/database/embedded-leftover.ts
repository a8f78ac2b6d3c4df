import { readFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/**
 * What `postmaster.pid` in the embedded data folder says about the PostgreSQL a previous run may
 * have left behind. The app starts PostgreSQL as its own child; when the app dies without its
 * goodbye (kill -9, out of memory, power to a container cut), PostgreSQL keeps running, holds
 * the folder's lock file, and the next start would fail on it.
 *
 * - `none`: no lock file.
 * - `stale`: the process it names is gone; PostgreSQL clears such a file itself.
 * - `foreign`: the process it names is alive but not a PostgreSQL of this folder (the number was
 *   reused, or it cannot be checked): never touched.
 * - `owned`: a PostgreSQL of this folder whose parent still runs: another inpulse (or a tool)
 *   started it and is using it; stopping it would pull the database from under it.
 * - `orphan`: a PostgreSQL of this folder whose parent is gone: left behind by a crash. Ours to
 *   stop.
 */
export type Leftover =
  | { kind: 'none' }
  | { kind: 'stale'; pid: number }
  | { kind: 'foreign'; pid: number }
  | { kind: 'owned'; pid: number; parentPid: number }
  | { kind: 'orphan'; pid: number };

export async function findLeftoverPostgres(dataDir: string): Promise<Leftover> {
  const lock = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (lock === undefined) return { kind: 'none' };
  const [pidLine, dirLine] = lock.split('\n');
  const pid = Number(pidLine?.trim());
  // Garbage, or a number we must not signal (0 and negatives address process groups).
  if (!Number.isSafeInteger(pid) || pid <= 1) return { kind: 'foreign', pid };
  if (!alive(pid)) return { kind: 'stale', pid };
  // Ours only if all three agree: the lock file names this folder, and the process is a
  // `postgres` whose -D is this folder.
  const argv = (await commandLine(pid)) ?? [];
  const isPostgres = basename(argv[0] ?? '') === 'postgres' && argv.indexOf('-D') > 0;
  if (
    !isPostgres ||
    !(await sameDir(dirLine?.trim(), dataDir)) ||
    !(await sameDir(argv[argv.indexOf('-D') + 1], dataDir))
  )
    return { kind: 'foreign', pid };
  const parentPid = await parentOf(pid);
  if (parentPid !== undefined && parentPid > 1 && (await isNode(parentPid)))
    return { kind: 'owned', pid, parentPid };
  return { kind: 'orphan', pid };
}

/**
 * Before the embedded PostgreSQL starts: stops the one a crashed run left on this folder (fast
 * shutdown, as `pg_ctl stop -m fast`: SIGINT, sessions ended, a clean checkpoint; then, if it has
 * not gone after a while, immediate shutdown, SIGQUIT, which recovers on the next start).
 * Refuses to go on when another live process uses that PostgreSQL. Removes no file: PostgreSQL
 * removes its own lock file when it stops, and clears a stale one when it starts.
 */
export async function stopLeftoverPostgres(
  dataDir: string,
  log: (message: string) => void,
  patience = { fastMs: 60_000, immediateMs: 15_000 },
): Promise<Leftover> {
  const leftover = await findLeftoverPostgres(dataDir);
  switch (leftover.kind) {
    case 'none':
    case 'stale':
      return leftover;
    case 'foreign':
      log(
        `${dataDir}/postmaster.pid names process ${leftover.pid}, which is not a PostgreSQL of this folder: ` +
          'leaving it alone (PostgreSQL decides whether the file is stale; if it refuses to start and no PostgreSQL uses this folder, delete the file)',
      );
      return leftover;
    case 'owned':
      throw new Error(
        `the embedded PostgreSQL on ${dataDir} (PID ${leftover.pid}) belongs to a running process ` +
          `(PID ${leftover.parentPid}): is another inpulse running on the same data folder?`,
      );
    case 'orphan':
      break;
  }
  log(
    `the embedded PostgreSQL (PID ${leftover.pid}) a previous run left behind on ${dataDir} is still running: stopping it`,
  );
  if (await signalAndWait(leftover.pid, 'SIGINT', patience.fastMs)) return leftover;
  log(`PostgreSQL (PID ${leftover.pid}) did not stop: immediate shutdown`);
  if (await signalAndWait(leftover.pid, 'SIGQUIT', patience.immediateMs)) return leftover;
  throw new Error(
    `the embedded PostgreSQL left behind on ${dataDir} (PID ${leftover.pid}) will not stop`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under a user we may not signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that has exited stays a zombie until its (new) parent reaps it: gone all the same.
  return !/^[ZX]$/.test(stateOf(pid) ?? '');
}

function stateOf(pid: number): string | undefined {
  try {
    return statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[0];
  } catch {
    return undefined;
  }
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, ms: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return !alive(pid);
  }
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

async function sameDir(candidate: string | undefined, dataDir: string): Promise<boolean> {
  if (!candidate) return false;
  const [a, b] = await Promise.all([
    realpath(resolve(candidate)).catch(() => resolve(candidate)),
    realpath(resolve(dataDir)).catch(() => resolve(dataDir)),
  ]);
  return a === b;
}

/** The process's arguments, from /proc (Linux); undefined when they cannot be read. */
async function commandLine(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (!raw) return undefined;
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const ppid = stat ? Number(statFields(stat)[1]) : NaN;
  return Number.isSafeInteger(ppid) ? ppid : undefined;
}

/** "pid (comm) state ppid …" from the state on: comm may hold spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether the process runs Node (as the app does); a reaper (init, systemd, tini) does not. */
async function isNode(pid: number): Promise<boolean> {
  const argv = await commandLine(pid);
  return !!argv && basename(argv[0] ?? '') === basename(process.execPath);
}
