import { ConfigError, loadConfig } from './app-config';

const base = { DEMO: 'false', APP_SECRET: 'x'.repeat(32) };
const server = 'postgres://inpulse:secret@db.internal:5432/inpulse';
const pooler = 'postgres://inpulse:secret@pgbouncer.internal:6432/inpulse';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('DATABASE_DIRECT_URL, DATABASE_POOL_MODE, DATABASE_PREPARED_STATEMENTS', () => {
  it('default to a direct connection with named statements', () => {
    const { database } = loadConfig({ ...base, DATABASE_URL: server });
    expect(database).toMatchObject({
      directUrl: server,
      poolMode: 'session',
      preparedStatements: 'named',
    });
  });

  it('send statements unnamed behind a transaction-mode pooler, unless told otherwise', () => {
    const env = { DATABASE_URL: pooler, DATABASE_DIRECT_URL: server };
    const { database } = loadConfig({ ...base, ...env, DATABASE_POOL_MODE: 'transaction' });
    expect(database).toMatchObject({
      directUrl: server,
      poolMode: 'transaction',
      preparedStatements: 'unnamed',
    });
    const newer = loadConfig({
      ...base,
      ...env,
      DATABASE_POOL_MODE: 'Transaction',
      DATABASE_PREPARED_STATEMENTS: 'named',
    });
    expect(newer.database.preparedStatements).toBe('named');
  });

  it('refuse a transaction pooler without a direct URL, and values they do not know', () => {
    expect(problems({ DATABASE_URL: pooler, DATABASE_POOL_MODE: 'transaction' })).toEqual([
      expect.stringMatching(/^DATABASE_POOL_MODE=transaction needs DATABASE_DIRECT_URL/),
    ]);
    expect(
      problems({
        DATABASE_URL: server,
        DATABASE_POOL_MODE: 'statement',
        DATABASE_PREPARED_STATEMENTS: 'protocol',
        DATABASE_DIRECT_URL: 'mysql://db',
      }),
    ).toEqual([
      expect.stringMatching(/^DATABASE_DIRECT_URL must be a URL starting with postgres:/),
      'DATABASE_POOL_MODE must be session or transaction (got "statement")',
      'DATABASE_PREPARED_STATEMENTS must be named or unnamed (got "protocol")',
    ]);
  });

  it('refuse the pooler itself as the direct URL of a transaction pooler', () => {
    const message =
      /^DATABASE_DIRECT_URL must not be the pooler of DATABASE_URL \(same host and port\)/;
    expect(
      problems({
        DATABASE_URL: pooler,
        DATABASE_DIRECT_URL: pooler,
        DATABASE_POOL_MODE: 'transaction',
      }),
    ).toEqual([expect.stringMatching(message)]);
    // Another database or user on the same pooler is still the pooler.
    const other = 'postgres://admin:other@PGBOUNCER.internal:6432/inpulse_direct';
    expect(
      problems({
        DATABASE_URL: pooler,
        DATABASE_DIRECT_URL: other,
        DATABASE_POOL_MODE: 'transaction',
      }),
    ).toEqual([expect.stringMatching(message)]);
    // In session mode a direct URL equal to DATABASE_URL is what an unset one means.
    expect(problems({ DATABASE_URL: server, DATABASE_DIRECT_URL: server })).toEqual([]);
  });

  it('have nothing to do with the embedded PostgreSQL', () => {
    expect(problems({ DATABASE_DIRECT_URL: server, DATABASE_POOL_MODE: 'transaction' })).toEqual([
      'DATABASE_DIRECT_URL, DATABASE_POOL_MODE set without DATABASE_URL: the embedded PostgreSQL has no pooler in front',
    ]);
  });
});
