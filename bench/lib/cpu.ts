import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting from /proc (Linux only; elsewhere every figure is null): how busy the app
 * process, the PostgreSQL server and the benchmark client were during a phase, in percent of
 * one core (so 200% is two cores flat out).
 */

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every mainstream Linux build

interface ProcStat {
  ppid: number;
  /** utime + stime. */
  own: number;
  /** stime alone: time in the kernel (system calls: socket writes and reads, wake-ups). */
  system: number;
  /** cutime + cstime: children that exited and were waited for. */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      system: Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

interface Tree {
  /** Ticks used so far by the process and its whole tree (living descendants + reaped children). */
  ticks: number;
  /** Of `ticks`, those the root process itself spent in the kernel. */
  rootSystem: number;
  /** Nanoseconds each living process of the tree has spent runnable but waiting for a CPU. */
  waits: Map<number, number>;
}

/** Nanoseconds a thread has spent on a run queue, waiting for a CPU (schedstat field 2). */
function runQueueWait(pid: number, tid = pid): number | undefined {
  try {
    const value = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function readTree(root: number): Tree | undefined {
  const rootStat = readStat(root);
  if (!rootStat) return undefined;
  const byParent = new Map<number, { pid: number; stat: ProcStat }[]>();
  for (const pid of pids()) {
    const stat = readStat(pid);
    if (!stat) continue;
    const list = byParent.get(stat.ppid) ?? [];
    list.push({ pid, stat });
    byParent.set(stat.ppid, list);
  }
  let ticks = rootStat.own + rootStat.reaped;
  const waits = new Map<number, number>([[root, runQueueWait(root) ?? 0]]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.pop() as number) ?? []) {
      ticks += child.stat.own + child.stat.reaped;
      waits.set(child.pid, runQueueWait(child.pid) ?? 0);
      queue.push(child.pid);
    }
  }
  return { ticks, rootSystem: rootStat.system, waits };
}

/** Several process trees as one (the instances of the app): ticks and waits added up. */
function readTrees(roots: number[]): Tree | undefined {
  const trees = roots.map(readTree);
  if (trees.length === 0 || trees.some((t) => t === undefined)) return undefined;
  const all = trees as Tree[];
  return {
    ticks: all.reduce((sum, t) => sum + t.ticks, 0),
    rootSystem: all.reduce((sum, t) => sum + t.rootSystem, 0),
    waits: new Map(all.flatMap((t) => [...t.waits])),
  };
}

/** Run-queue wait accumulated between two samples by the processes alive at the second. */
function waitedNs(start: Tree, end: Tree): number {
  let total = 0;
  for (const [pid, wait] of end.waits) total += Math.max(0, wait - (start.waits.get(pid) ?? 0));
  return total;
}

/** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export interface CpuUsage {
  /** Percent of one core (of all the app's instances together, when there are several). */
  appPct: number | null;
  postgresPct: number | null;
  benchPct: number;
  /** Whole machine, percent of one core (all processes, including these). */
  machinePct: number | null;
  /**
   * Share of the phase the app's main thread (its event loop) was ready to run but waiting for a
   * CPU, in percent of wall time. High when the cores are oversubscribed.
   */
  appMainThreadWaitPct: number | null;
  /** Of appPct, the part spent in the kernel (system calls). */
  appSystemPct: number | null;
  /** PostgreSQL processes ready to run but waiting for a CPU, in percent of one core. */
  postgresWaitPct: number | null;
  /** The rest of the machine's busy time: other programs that competed for the cores. */
  otherPct: number | null;
  /** Cores of the machine: the ceiling of machinePct is cores × 100. */
  cores: number;
}

/**
 * Starts a measurement; call the returned function at the end of the phase. `app` may be the
 * pids of several instances: their figures are added up (the main-thread wait too, so with N
 * instances it may reach N × 100%).
 */
export function startCpuMeter(
  cores: number,
  pids: { app?: number | number[]; postgres?: number },
): () => CpuUsage {
  const wallStart = performance.now();
  const benchStart = process.cpuUsage();
  const appPids = pids.app === undefined ? [] : [pids.app].flat();
  const appStart = readTrees(appPids);
  const pgStart = pids.postgres === undefined ? undefined : readTree(pids.postgres);
  const machineStart = machineTicks();
  return () => {
    const seconds = (performance.now() - wallStart) / 1000;
    const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
    const bench = process.cpuUsage(benchStart);
    const appEnd = readTrees(appPids);
    const pgEnd = pids.postgres === undefined ? undefined : readTree(pids.postgres);
    const machineEnd = machineTicks();
    let machinePct: number | null = null;
    if (machineStart && machineEnd && machineEnd.total > machineStart.total) {
      machinePct = Math.round(
        ((machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)) *
          cores *
          100,
      );
    }
    const appPct = appStart && appEnd ? pct(appEnd.ticks - appStart.ticks) : null;
    const postgresPct = pgStart && pgEnd ? pct(pgEnd.ticks - pgStart.ticks) : null;
    const nsPct = (ns: number) => Math.round((ns / 1e9 / seconds) * 100);
    const mainWaits = appPids.map((pid) => {
      const start = appStart?.waits.get(pid);
      const end = appEnd?.waits.get(pid);
      return start === undefined || end === undefined ? undefined : end - start;
    });
    const appMainThreadWaitPct =
      appPids.length > 0 && mainWaits.every((w) => w !== undefined)
        ? nsPct(mainWaits.reduce((sum: number, w) => sum + (w as number), 0))
        : null;
    const postgresWaitPct = pgStart && pgEnd ? nsPct(waitedNs(pgStart, pgEnd)) : null;
    const appSystemPct = appStart && appEnd ? pct(appEnd.rootSystem - appStart.rootSystem) : null;
    const benchPct = Math.round(((bench.user + bench.system) / 1e6 / seconds) * 100);
    const otherPct =
      machinePct === null || appPct === null || postgresPct === null
        ? null
        : Math.max(0, machinePct - appPct - postgresPct - benchPct);
    return {
      appPct,
      postgresPct,
      benchPct,
      otherPct,
      machinePct,
      cores,
      appMainThreadWaitPct,
      appSystemPct,
      postgresWaitPct,
    };
  };
}
