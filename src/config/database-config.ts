/** The DATABASE_* variables of the configuration but DATABASE_URL itself, read by loadConfig. */

/** How a connection pooler between the app and PostgreSQL hands out server connections. */
export const DATABASE_POOL_MODES = ['session', 'transaction'] as const;
export type DatabasePoolMode = (typeof DATABASE_POOL_MODES)[number];

/**
 * `named`: the hot statements run as named prepared statements (parsed and planned once per
 * connection); `unnamed`: they are sent like every other statement, which a transaction-mode
 * pooler before PgBouncer 1.21 needs (docs/pooler.md).
 */
export const PREPARED_STATEMENT_MODES = ['named', 'unnamed'] as const;
export type PreparedStatementMode = (typeof PREPARED_STATEMENT_MODES)[number];

/** How the app lives with its database (README, "When the database is away"; docs/pooler.md). */
export interface DatabaseConfig {
  /** At start, how long to wait for the database before giving up (0: one try). */
  waitSeconds: number;
  /** The longest pause between two tries at start; pauses double from half a second up to it. */
  retryMaxSeconds: number;
  /** A connection not made by then fails (and the request gets 503) instead of hanging. */
  connectTimeoutSeconds: number;
  /**
   * The server itself, bypassing any pooler: migrations and the start-up lock (a session-level
   * advisory lock held while one instance migrates and seeds) use it. DATABASE_URL when unset.
   */
  directUrl: string | undefined;
  /** `transaction` when DATABASE_URL goes through a transaction-mode pooler (PgBouncer). */
  poolMode: DatabasePoolMode;
  preparedStatements: PreparedStatementMode;
}

/**
 * DATABASE_DIRECT_URL, DATABASE_POOL_MODE and DATABASE_PREPARED_STATEMENTS, with their rules:
 * they need DATABASE_URL (the embedded server has no pooler), and a transaction-mode pooler needs
 * a direct URL, where a session-level lock stays on the session that took it.
 */
export function poolerConfig(
  read: (name: string) => string | undefined,
  url: (name: string, protocols: string[]) => string | undefined,
  databaseUrl: string | undefined,
  problems: string[],
): Pick<DatabaseConfig, 'directUrl' | 'poolMode' | 'preparedStatements'> {
  const directUrl = url('DATABASE_DIRECT_URL', ['postgres:', 'postgresql:']);
  const poolMode = (read('DATABASE_POOL_MODE')?.toLowerCase() ?? 'session') as DatabasePoolMode;
  if (!DATABASE_POOL_MODES.includes(poolMode))
    problems.push(`DATABASE_POOL_MODE must be session or transaction (got "${poolMode}")`);
  const given = read('DATABASE_PREPARED_STATEMENTS')?.toLowerCase();
  if (given !== undefined && !(PREPARED_STATEMENT_MODES as readonly string[]).includes(given))
    problems.push(`DATABASE_PREPARED_STATEMENTS must be named or unnamed (got "${given}")`);
  const preparedStatements = (PREPARED_STATEMENT_MODES as readonly string[]).includes(given ?? '')
    ? (given as PreparedStatementMode)
    : poolMode === 'transaction'
      ? 'unnamed'
      : 'named';
  if (read('DATABASE_URL') === undefined) {
    const stray = ['DATABASE_DIRECT_URL', 'DATABASE_POOL_MODE'].filter(
      (n) => read(n) !== undefined,
    );
    if (stray.length > 0)
      problems.push(
        `${stray.join(', ')} set without DATABASE_URL: the embedded PostgreSQL has no pooler in front`,
      );
  } else if (poolMode === 'transaction' && read('DATABASE_DIRECT_URL') === undefined)
    problems.push(
      'DATABASE_POOL_MODE=transaction needs DATABASE_DIRECT_URL: the server itself (or a session-mode pool), for migrations and the start-up lock',
    );
  else if (
    poolMode === 'transaction' &&
    directUrl !== undefined &&
    databaseUrl !== undefined &&
    sameServer(directUrl, databaseUrl)
  )
    problems.push(
      'DATABASE_DIRECT_URL must not be the pooler of DATABASE_URL (same host and port) with DATABASE_POOL_MODE=transaction: the start-up lock would go through the pooler; give the server itself',
    );
  return { directUrl: directUrl ?? databaseUrl, poolMode, preparedStatements };
}

/** Whether two postgres URLs name the same host and port (5432 when none is given). */
function sameServer(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  return (
    x.hostname.toLowerCase() === y.hostname.toLowerCase() &&
    (x.port || '5432') === (y.port || '5432')
  );
}
