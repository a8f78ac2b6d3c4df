import { ConfigError, loadConfig, mixBatchSizeFromEnv } from '../../src/config/app-config';

const production = {
  DATABASE_URL: 'postgres://u:p@db:5432/inpulse',
  ADMIN_API_KEY: 'k'.repeat(24),
  APP_SECRET: 's'.repeat(32),
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('configuration', () => {
  it('has working defaults for the embedded demo', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demo).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.reportingThreshold).toBe(5);
    expect(config.mixBatchSize).toBe(10);
    expect(config.embeddedPostgres.dataDir).toMatch(/\.data[/\\]postgres$/);
    expect(config.database).toEqual({
      waitSeconds: 300,
      retryMaxSeconds: 10,
      connectTimeoutSeconds: 5,
      directUrl: undefined,
      poolMode: 'session',
      preparedStatements: 'named',
    });
  });

  it('opens the service directory to the network unless SERVICES_ACCESS says link', () => {
    expect(loadConfig({}).servicesAccess).toBe('network');
    expect(loadConfig({ SERVICES_ACCESS: 'link' }).servicesAccess).toBe('link');
    expect(loadConfig({ SERVICES_ACCESS: 'LINK' }).servicesAccess).toBe('link');
    expect(problems({ SERVICES_ACCESS: 'everyone' })).toEqual([
      'SERVICES_ACCESS must be one of network, link (got "everyone")',
    ]);
  });

  it('reads how to live with a database that is away', () => {
    const config = loadConfig({
      ...production,
      DATABASE_WAIT_SECONDS: '0',
      DATABASE_RETRY_MAX_SECONDS: '2',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '3',
    });
    expect(config.database).toEqual({
      waitSeconds: 0,
      retryMaxSeconds: 2,
      connectTimeoutSeconds: 3,
      // Without a pooler, the direct URL is DATABASE_URL itself.
      directUrl: production.DATABASE_URL,
      poolMode: 'session',
      preparedStatements: 'named',
    });
  });

  it('turns demo off and asks for secrets when DATABASE_URL is set', () => {
    expect(problems({ DATABASE_URL: production.DATABASE_URL })).toEqual([
      expect.stringContaining('APP_SECRET is required'),
    ]);
    expect(loadConfig(production).demo).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 1 to 65535 (got "eighty")'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 1 to 65535'],
    [
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://',
    ],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL must be a URL starting with smtp:// or smtps://'],
    [{ BASE_URL: 'localhost:3000' }, 'BASE_URL must be a URL starting with http:// or https://'],
    [{ REPORTING_THRESHOLD: '2' }, 'REPORTING_THRESHOLD must be a whole number from 3 to 1000'],
    [{ MIX_BATCH_SIZE: '4' }, 'MIX_BATCH_SIZE must not be below REPORTING_THRESHOLD (5)'],
    [{ DEMO: 'maybe' }, 'DEMO must be true or false (got "maybe")'],
    [{ JOB_WORKERS: '2' }, 'JOB_WORKERS must be true or false'],
    [{ APP_SECRET: 'short' }, 'APP_SECRET must be at least 32 characters long'],
    [
      { INITIAL_ADMIN_PASSWORD: 'short' },
      'INITIAL_ADMIN_PASSWORD must be at least 12 characters long',
    ],
    [
      { INITIAL_ADMIN_EMAIL: 'a@example.com' },
      'INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD go together',
    ],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY must be true, false or a comma-separated list'],
    [{ SESSION_IDLE_MINUTES: '0' }, 'SESSION_IDLE_MINUTES must be a whole number from 1 to 1440'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of error, warn, log, debug, verbose'],
    [{ INVITATION_TTL_DAYS: '0' }, 'INVITATION_TTL_DAYS must be a whole number from 1 to 365'],
    [{ ACTION_REMINDER_DAYS: '61' }, 'ACTION_REMINDER_DAYS must be a whole number from 0 to 60'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM must be an address'],
    [
      { DATABASE_WAIT_SECONDS: '-1' },
      'DATABASE_WAIT_SECONDS must be a whole number from 0 to 86400',
    ],
    [
      { DATABASE_RETRY_MAX_SECONDS: '0' },
      'DATABASE_RETRY_MAX_SECONDS must be a whole number from 1 to 600',
    ],
    [
      { DATABASE_CONNECT_TIMEOUT_SECONDS: 'soon' },
      'DATABASE_CONNECT_TIMEOUT_SECONDS must be a whole number from 1 to 600',
    ],
  ])('rejects %o naming the variable and what it expects', (env, message) => {
    expect(problems(env as Record<string, string>).join('\n')).toContain(message);
  });

  it('keeps the growing tables for safe default periods (docs/retention.md)', () => {
    expect(loadConfig({}).retention).toEqual({
      mailDays: 90,
      auditDays: 400,
      auditHold: false,
      webhookDays: 30,
      jobsDays: 7,
      batchSize: 5000,
      hourUtc: 3,
      rawAnswerDays: null,
    });
    expect(loadConfig({ RETENTION_AUDIT_DAYS: '730' }).retention.auditDays).toBe(730);
    expect(problems({ RETENTION_AUDIT_DAYS: '7' })).toEqual([
      'RETENTION_AUDIT_DAYS must be a whole number from 30 to 3650 (got "7")',
    ]);
    expect(loadConfig({ RETENTION_AUDIT_HOLD: 'true' }).retention.auditHold).toBe(true);
    // A receipt must outlive the senders' own retries, or a late retry is applied again.
    expect(problems({ RETENTION_WEBHOOK_DAYS: '2' })).toEqual([
      'RETENTION_WEBHOOK_DAYS must be a whole number from 7 to 3650 (got "2")',
    ]);
    expect(problems({ RETENTION_PURGE_HOUR: '24' })).toEqual([
      'RETENTION_PURGE_HOUR must be a whole number from 0 to 23 (got "24")',
    ]);
  });

  it('keeps raw answers without a limit unless RETENTION_RAW_ANSWERS_DAYS says how long', () => {
    // Unset (or blank): no limit, the default.
    expect(loadConfig({}).retention.rawAnswerDays).toBeNull();
    expect(loadConfig({ RETENTION_RAW_ANSWERS_DAYS: '  ' }).retention.rawAnswerDays).toBeNull();
    expect(loadConfig({ RETENTION_RAW_ANSWERS_DAYS: '400' }).retention.rawAnswerDays).toBe(400);
    expect(loadConfig({ RETENTION_RAW_ANSWERS_DAYS: ' 3650 ' }).retention.rawAnswerDays).toBe(3650);
    // Shorter than a survey's life plus a year-over-year comparison, 0, negative, not a whole
    // number, over ten years: refused, naming the variable (the start stops with exit 78).
    for (const raw of ['399', '0', '-1', '-400', '400.5', '1e3', 'forever', '3651'])
      expect(problems({ RETENTION_RAW_ANSWERS_DAYS: raw })).toEqual([
        `RETENTION_RAW_ANSWERS_DAYS must be a whole number from 400 to 3650 (got "${raw}")`,
      ]);
  });

  it('reports every problem at once and never prints a password', () => {
    const found = problems({
      PORT: 'x',
      DATABASE_URL: 'mysql://user:hunter2@db/x',
      REPORTING_THRESHOLD: '1',
    });
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('gives migrations m as the app reads it, and refuses what the app refuses', () => {
    expect(mixBatchSizeFromEnv({})).toBe(loadConfig({}).mixBatchSize);
    expect(mixBatchSizeFromEnv({ MIX_BATCH_SIZE: ' 25 ' })).toBe(25);
    expect(
      mixBatchSizeFromEnv({
        MIX_BATCH_SIZE: '7',
        REPORTING_THRESHOLD: '7',
        COMMENT_THRESHOLD: '7',
      }),
    ).toBe(7);
    expect(() => mixBatchSizeFromEnv({ MIX_BATCH_SIZE: '4' })).toThrow(
      /MIX_BATCH_SIZE must not be below REPORTING_THRESHOLD \(5\); got 4/,
    );
    expect(() => mixBatchSizeFromEnv({ MIX_BATCH_SIZE: 'ten' })).toThrow(ConfigError);
  });
});
