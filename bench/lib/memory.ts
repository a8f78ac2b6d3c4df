import { readFileSync } from 'node:fs';

/** Max and last VmRSS of a process in MB, sampled every 100 ms (Linux). */
export function rssSampler(pid: number) {
  const read = (): number | undefined => {
    try {
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) / 1024 : undefined;
    } catch {
      return undefined;
    }
  };
  let max = read() ?? 0;
  let last = max;
  const timer = setInterval(() => {
    const v = read();
    if (v !== undefined) {
      last = v;
      if (v > max) max = v;
    }
  }, 100);
  timer.unref();
  return {
    now: () => read() ?? last,
    max: () => max,
    resetMax: () => {
      max = read() ?? 0;
    },
    stop: () => clearInterval(timer),
  };
}
