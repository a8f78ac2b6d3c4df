import { ConfigError, loadConfig } from './app-config';

const base = { DEMO: 'false', APP_SECRET: 'x'.repeat(32) };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('DATABASE_REPLICA_* and METRICS_TOKEN', () => {
  it('has no replica and no /metrics unless set', () => {
    const config = loadConfig(base);
    expect(config.databaseReplica).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
  });

  it('reads the replica with a lag bound of 10 s by default', () => {
    const url = 'postgres://inpulse:secret@replica.internal:5432/inpulse';
    expect(loadConfig({ ...base, DATABASE_REPLICA_URL: url }).databaseReplica).toEqual({
      url,
      maxLagSeconds: 10,
      statementTimeoutSeconds: 30,
    });
    expect(
      loadConfig({
        ...base,
        DATABASE_REPLICA_URL: url,
        DATABASE_REPLICA_STATEMENT_TIMEOUT_SECONDS: '5',
      }).databaseReplica?.statementTimeoutSeconds,
    ).toBe(5);
    expect(
      loadConfig({ ...base, DATABASE_REPLICA_URL: url, DATABASE_REPLICA_MAX_LAG_SECONDS: '30' })
        .databaseReplica?.maxLagSeconds,
    ).toBe(30);
  });

  it('names each bad value, without the password', () => {
    expect(
      problems({
        DATABASE_REPLICA_URL: 'mysql://u:hunter2@replica/db',
        DATABASE_REPLICA_MAX_LAG_SECONDS: '0',
        METRICS_TOKEN: 'short',
      }),
    ).toEqual([
      'DATABASE_REPLICA_URL must be a URL starting with postgres:// or postgresql:// (got "mysql://u:***@replica/db")',
      'DATABASE_REPLICA_MAX_LAG_SECONDS must be a whole number from 1 to 3600 (got "0")',
      'METRICS_TOKEN must be at least 16 characters long',
    ]);
  });
});
