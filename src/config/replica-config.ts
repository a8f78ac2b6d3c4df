/** DATABASE_REPLICA_* and METRICS_TOKEN (docs/replicas.md), read by loadConfig. */

export interface ReplicaConfig {
  /** The hot standby that report, export and directory reads go to while it keeps up. */
  url: string;
  /** A replica further behind the primary than this is left aside (reads go to the primary). */
  maxLagSeconds: number;
  /**
   * A statement on the replica is cancelled after this long (statement_timeout, and the client
   * gives up a second later), so that a silent replica cannot hang a report: it falls back.
   */
  statementTimeoutSeconds: number;
}

export interface ReplicaSettings {
  /** DATABASE_REPLICA_URL; undefined: every statement runs on the primary. */
  databaseReplica: ReplicaConfig | undefined;
  /** METRICS_TOKEN: the bearer token of GET /metrics; undefined: /metrics answers 404. */
  metricsToken: string | undefined;
}

export function replicaSettings(
  read: (name: string) => string | undefined,
  url: (name: string, protocols: string[]) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): ReplicaSettings {
  const replicaUrl = url('DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']);
  const maxLagSeconds = int('DATABASE_REPLICA_MAX_LAG_SECONDS', 10, 1, 3600);
  const statementTimeoutSeconds = int('DATABASE_REPLICA_STATEMENT_TIMEOUT_SECONDS', 30, 1, 3600);
  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push('METRICS_TOKEN must be at least 16 characters long');
  return {
    databaseReplica:
      replicaUrl === undefined
        ? undefined
        : { url: replicaUrl, maxLagSeconds, statementTimeoutSeconds },
    metricsToken:
      metricsToken !== undefined && metricsToken.length >= 16 ? metricsToken : undefined,
  };
}
