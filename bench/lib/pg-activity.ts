import { Client } from 'pg';

/**
 * Samples pg_stat_activity every `intervalMs` on a connection of its own and tallies what the
 * connections of one application_name are doing: idle in the pool, idle in a transaction (the
 * database waits for the app), running, or waiting (and on what). Tells apart "the database is
 * the bottleneck" from "the app holds connections while it works" from "the pool is too small".
 */
export async function startActivitySampler(
  url: string,
  applicationName: string,
  intervalMs = 50,
): Promise<() => Promise<ActivitySummary>> {
  const client = new Client({ connectionString: url, application_name: 'inpulse-bench-sampler' });
  client.on('error', () => undefined); // the sampling loop sees the failure and stops
  await client.connect();
  const tally = new Map<string, number>();
  let samples = 0;
  let connections = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ state: string | null; wait: string | null }>(
        `SELECT state, CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait
           FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend'`,
        [applicationName],
      );
      samples++;
      connections += rows.length;
      for (const row of rows) {
        const key =
          row.state === 'active'
            ? `active${row.wait ? ` (${row.wait})` : ' (on CPU)'}`
            : (row.state ?? '?');
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop.catch(() => undefined);
    await client.end().catch(() => undefined);
    const total = [...tally.values()].reduce((a, b) => a + b, 0) || 1;
    return {
      samples,
      meanConnections: samples > 0 ? connections / samples : 0,
      states: Object.fromEntries(
        [...tally.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([key, count]) => [key, Math.round((count / total) * 1000) / 10]),
      ),
    };
  };
}

export interface ActivitySummary {
  samples: number;
  /** Average number of the application's connections open. */
  meanConnections: number;
  /** Percent of connection-samples in each state (and wait event, for active ones). */
  states: Record<string, number>;
}

export function activityLine(summary: ActivitySummary): string {
  const parts = Object.entries(summary.states).map(([state, pct]) => `${state} ${pct}%`);
  return `${summary.meanConnections.toFixed(1)} connections on average: ${parts.join(', ')}`;
}
