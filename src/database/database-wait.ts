import { Client } from 'pg';
import { connectionErrorLabel } from './db-errors';

export interface WaitOptions {
  /** Give up after this long in all (0: one try). */
  waitSeconds: number;
  /** The longest pause between two tries; pauses start at half a second and double. */
  retryMaxSeconds: number;
  /** Told before each pause why the last try failed (a short label, see db-errors.ts). */
  onRetry?: (retry: { attempt: number; reason: string; pauseMs: number; error: unknown }) => void;
}

const FIRST_PAUSE_MS = 500;

/**
 * Runs `attempt` until it succeeds. When it fails because the database cannot be reached
 * (refused, reset, timed out, starting up, too many connections: db-errors.ts), pauses — half a
 * second, then twice as long each time, up to `retryMaxSeconds` — and tries again, for at most
 * `waitSeconds` in all. Any other error (a wrong password, a missing database, a failed
 * migration) ends the wait at once: waiting would not mend it.
 */
export async function untilDatabaseAnswers<T>(
  attempt: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  const maxPauseMs = options.retryMaxSeconds * 1000;
  let pauseMs = FIRST_PAUSE_MS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const reason = connectionErrorLabel(error);
      if (reason === undefined) throw error;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `the database did not answer within ${options.waitSeconds} s (DATABASE_WAIT_SECONDS); last: ${reason}`,
          { cause: error },
        );
      const pause = Math.min(pauseMs, maxPauseMs, left);
      options.onRetry?.({ attempt: n, reason, pauseMs: pause, error });
      await new Promise((resolve) => setTimeout(resolve, pause));
      pauseMs = Math.min(pauseMs * 2, maxPauseMs);
    }
  }
}

/**
 * One connection and one `SELECT 1`: resolves when the database answers, fails with the
 * connection's error otherwise (within `timeoutMs`, however the network misbehaves).
 */
export async function probeDatabase(url: string, timeoutMs: number): Promise<void> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'inpulse',
  });
  client.on('error', () => undefined); // the failure reaches connect() or query() as well
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    // Not awaited: on a connection that stalls, saying goodbye would wait for ever.
    client.end().catch(() => undefined);
  }
}
