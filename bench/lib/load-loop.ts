import { percentile } from './stats';

/** A request's outcome; serverMs is what the app's Server-Timing header says it took. */
export interface Outcome {
  ok: boolean;
  serverMs?: number;
}

export interface Timed {
  /** Server time: the app's own Server-Timing for app phases, the query time for raw SQL. */
  serverP50Ms: number;
  serverP95Ms: number;
  count: number;
  failures: number;
  firstError?: string;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Runs `work` with `concurrency` workers for `durationMs` (then waits for those in flight). */
export async function runFor(
  durationMs: number,
  concurrency: number,
  stopped: () => string | undefined,
  work: () => Promise<Outcome>,
  /**
   * Each worker waits about this long after each answer (a person reading the page: uniformly
   * from half to one and a half times it, and starting at a random point of the first one, so
   * that ten people do not click in step); 0: at once.
   */
  thinkMs = 0,
): Promise<Timed> {
  const latencies: number[] = [];
  const serverTimes: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + durationMs;
  const think = (share: number) => new Promise((done) => setTimeout(done, thinkMs * share));
  const worker = async () => {
    if (thinkMs > 0) await think(Math.random());
    while (performance.now() < end && stopped() === undefined) {
      const s = performance.now();
      let ok = false;
      let serverMs: number | undefined;
      try {
        ({ ok, serverMs } = await work());
      } catch (error) {
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const elapsed = performance.now() - s;
      latencies.push(elapsed);
      serverTimes.push(serverMs ?? elapsed);
      if (!ok) failures++;
      if (thinkMs > 0) await think(0.5 + Math.random());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const reason = stopped();
  if (reason !== undefined) throw new Error(`stopped: ${reason}`);
  const sorted = Float64Array.from(latencies).sort();
  const server = Float64Array.from(serverTimes).sort();
  return {
    serverP50Ms: percentile(server, 50),
    serverP95Ms: percentile(server, 95),
    count: sorted.length,
    failures,
    firstError,
    durationMs: elapsed,
    perSecond: (sorted.length / elapsed) * 1000,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
