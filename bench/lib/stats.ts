/** Latency bookkeeping and a bounded worker pool for the benchmark loops. */

export interface PhaseResult {
  /** Operations attempted. */
  count: number;
  /** Operations that failed (wrong status, network error, SQL error). */
  failures: number;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarise(
  latencies: Float64Array,
  failures: number,
  durationMs: number,
): PhaseResult {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    failures,
    durationMs,
    perSecond: (sorted.length / durationMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    meanMs: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** When a loop must stop issuing work: at the deadline, or as soon as `stopped` names a reason. */
export interface Limits {
  /** Epoch milliseconds. */
  deadline: number;
  /** E.g. "the app exited": no point sending thousands more requests to a dead server. */
  stopped?: () => string | undefined;
}

export class DeadlineExceeded extends Error {
  constructor(what: string) {
    super(`${what}: the benchmark deadline passed (raise BENCH_TIMEOUT_S if the machine is slow)`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Runs `work` once per item with at most `concurrency` in flight, each item exactly once, and
 * records each call's latency. `work` returns false (or throws) for a failed operation; the loop
 * goes on, so a failure is counted, not retried. Stops issuing work once the deadline
 * has passed (or `limits.stopped` gives a reason) and then throws.
 */
export async function runBounded<T>(
  what: string,
  items: readonly T[],
  concurrency: number,
  limits: Limits,
  work: (item: T, index: number) => Promise<boolean>,
): Promise<{ latencies: Float64Array; failures: number; durationMs: number; firstError?: string }> {
  const latencies = new Float64Array(items.length);
  let next = 0;
  let failures = 0;
  let firstError: string | undefined;
  let late = false;
  const worker = async () => {
    while (next < items.length) {
      if (Date.now() > limits.deadline) {
        late = true;
        return;
      }
      if (limits.stopped?.() !== undefined) return;
      const index = next++;
      const started = performance.now();
      let ok = false;
      try {
        ok = await work(items[index], index);
      } catch (error) {
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      latencies[index] = performance.now() - started;
      if (!ok) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const durationMs = performance.now() - started;
  if (late) throw new DeadlineExceeded(what);
  const stopped = limits.stopped?.();
  if (stopped !== undefined) throw new Error(`${what}: stopped, ${stopped}`);
  return { latencies, failures, durationMs, firstError };
}
