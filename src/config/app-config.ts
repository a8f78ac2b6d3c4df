import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { replicaSettings, type ReplicaSettings } from './replica-config';
import { type DatabaseConfig, poolerConfig } from './database-config';
import { oidcConfig, type OidcConfig } from './oidc-config';
import { retentionConfig, type RetentionConfig } from './retention-config';
import { reportCacheConfig, type ReportCacheConfig } from './report-cache-config';

export type { OidcConfig, RetentionConfig };

/** The one typed configuration of inpulse, read from the environment at boot. */
export interface AppConfig extends ReplicaSettings {
  port: number;
  host: string;
  baseUrl: string;
  /** `undefined` means: start the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  embeddedPostgres: { dataDir: string; port: number };
  database: DatabaseConfig;
  demo: boolean;
  /** Signs CSRF tokens and other server-side MACs. */
  appSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Ticket webhooks and ticket surveys. */
  tickets: {
    /** Webhook bodies over this many bytes get 413 before any work. */
    webhookMaxBodyBytes: number;
    /** How long a rotated-out signing secret stays valid, unless the rotation says otherwise. */
    secretOverlapHours: number;
    /** Tries of a `ticket.survey` job after its first, with back-off, before it is a dead letter. */
    surveyRetryLimit: number;
    surveyRetryDelaySeconds: number;
    /**
     * A team's decided tickets are invited together once m different people wait, or when the
     * oldest has waited this long (then the batch may hold fewer than m).
     */
    inviteMaxWaitHours: number;
    /** The time zone of "busiest hours" (weekday × hour of ticket openings). */
    timeZone: string;
  };
  /** The mail pipeline (see src/modules/mail/mail.service.ts). */
  mail: {
    /** Tries per mail before a temporary failure makes it a dead letter. */
    maxAttempts: number;
    /** Pause before the first retry; it doubles at each attempt, up to an hour. */
    retryBaseSeconds: number;
    /** How long a claimed mail belongs to its sender; after that another one may take it. */
    leaseSeconds: number;
    /** SMTP connections of the pool, and mails in flight per sender. */
    connections: number;
    /** Mails per `mail.send` job. */
    batchSize: number;
  };
  /**
   * Who may read the service directory (/services): `network`, anyone who reaches the app (it is
   * exposed inside the company's network or behind its authenticating proxy); `link`, people
   * signed in to inpulse or holding a reader pass mailed to their work address (docs/directory.md).
   */
  servicesAccess: ServicesAccess;
  /** How long a directory reader pass lasts in a browser (SERVICES_ACCESS=link), in days. */
  servicesPassDays: number;
  /** How long an employee's sign-in (directory, reviews, "my surveys") lasts, in days. */
  employeeSessionDays: number;
  /** How long a mailed employee sign-in link can be used, in minutes. */
  employeeSignInLinkMinutes: number;
  /**
   * After an employee's address changes, how many days employee sign-in (link and provider) and
   * "mail me my link again" are refused for them (a takeover by a changed address waits this long,
   * and the previous address is told at once).
   */
  employeeAddressHoldDays: number;
  /** HRIS_SYNC_ALLOW_PRIVATE: let a sync URL reach loopback, private and link-local addresses. */
  hrisSyncAllowPrivate: boolean;
  /**
   * HRIS file sync (docs/directory.md): the only folder a sync may read a file from (absolute;
   * undefined: file paths are refused, only https URLs), the largest file it reads, and how long
   * it waits for a URL.
   */
  hrisSyncDir: string | undefined;
  hrisSyncMaxBytes: number;
  hrisSyncTimeoutSeconds: number;
  reportingThreshold: number;
  /** How many comments a period needs before any is shown (never below the reporting threshold). */
  commentThreshold: number;
  mixBatchSize: number;
  invitationTtlDays: number;
  /** Days before an action's due date its owner is reminded (0: only once it is overdue). */
  actionReminderDays: number;
  jobWorkers: boolean;
  /**
   * How long a stopping instance (SIGTERM) lets in-flight requests, jobs and mails finish before
   * it exits anyway; what it had claimed and not started is given back at once.
   */
  shutdownTimeoutSeconds: number;
  /** IANA zone of employees whose own is not recorded, and the default zone of new campaigns. */
  organisationTimeZone: string;
  /** Which proxies may set X-Forwarded-For: false, true, or a list of addresses/CIDRs. */
  trustProxy: boolean | string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** The first administrator, created on a database with no account. */
  initialAdminEmail: string | undefined;
  initialAdminPassword: string | undefined;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** JSON lines (pino), or readable lines for a person at a terminal (LOG_FORMAT). */
  logFormat: LogFormat;
  projectRoot: string;
  /** Sign-in for staff through an OpenID Connect provider; undefined: passwords only. */
  oidc: OidcConfig | undefined;
  reportCache: ReportCacheConfig;
  /** Demo only: start a local OpenID provider with the demo's people and sign in through it. */
  demoOidc: boolean;
  /** RETENTION_*: how long the growing tables keep rows (docs/retention.md). */
  retention: RetentionConfig;
}

export type LogFormat = 'json' | 'pretty';

export const SERVICES_ACCESS_MODES = ['network', 'link'] as const;
export type ServicesAccess = (typeof SERVICES_ACCESS_MODES)[number];

/**
 * The configuration as read from the environment. In demo mode the two secrets may be missing:
 * they are then generated once and kept in the database (see instance-secrets.ts).
 */
export interface EnvConfig extends Omit<AppConfig, 'appSecret'> {
  appSecret: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * LOG_FORMAT when given; otherwise readable lines when the output is a terminal (a person runs
 * `npm start`) and JSON lines when it is not (a container, a log collector, the tests).
 */
export function chooseLogFormat(given: string | undefined, terminal: boolean): LogFormat {
  if (given !== undefined && (LOG_FORMATS as readonly string[]).includes(given))
    return given as LogFormat;
  return terminal ? 'pretty' : 'json';
}

/**
 * Reads and validates every variable, collecting all problems so that one failed start names
 * them all. Each message names the variable and what is expected.
 */
export function loadConfig(
  env: Env = process.env,
  output: { terminal: boolean } = { terminal: false },
): EnvConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const int = intReader(env, problems);

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(
        `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redactUrl(raw)}")`,
      );
      return undefined;
    }
  };

  const secret = (name: string, minLength: number): string | undefined => {
    const raw = read(name);
    if (raw !== undefined && raw.length < minLength) {
      problems.push(`${name} must be at least ${minLength} characters long`);
      return undefined;
    }
    return raw;
  };

  const timeZone = (name: string, fallback: string): string => {
    const raw = read(name) ?? fallback;
    try {
      new Intl.DateTimeFormat('en', { timeZone: raw });
      return raw;
    } catch {
      problems.push(`${name} must be an IANA time zone such as Europe/Madrid (got "${raw}")`);
      return fallback;
    }
  };

  const projectRoot = findProjectRoot();
  const port = int('PORT', 3000, 1, 65535);
  const host = read('HOST') ?? '127.0.0.1';
  const baseUrl = (url('BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
    /\/+$/,
    '',
  );
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const demo = bool('DEMO', databaseUrl === undefined && read('DATABASE_URL') === undefined);
  const appSecret = secret('APP_SECRET', 32);
  const { reportingThreshold, commentThreshold, mixBatchSize } = thresholds(int, problems);
  if (!demo) {
    if (appSecret === undefined && read('APP_SECRET') === undefined) {
      problems.push('APP_SECRET is required when DEMO is off (a random string of 32+ characters)');
    }
  }
  if (
    (read('INITIAL_ADMIN_EMAIL') === undefined) !==
    (read('INITIAL_ADMIN_PASSWORD') === undefined)
  ) {
    problems.push(
      'INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD go together: set both or neither',
    );
  }
  const logLevel = (read('LOG_LEVEL') ?? 'log') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const givenLogFormat = read('LOG_FORMAT')?.toLowerCase();
  if (givenLogFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(givenLogFormat))
    problems.push(`LOG_FORMAT must be json or pretty (got "${givenLogFormat}")`);
  const logFormat = chooseLogFormat(givenLogFormat, output.terminal);
  const mailFrom = read('MAIL_FROM') ?? 'inpulse <no-reply@inpulse.local>';
  if (!/^[^\r\n]*<?[^@\s<>]+@[^@\s<>]+>?$/.test(mailFrom)) {
    problems.push(
      `MAIL_FROM must be an address like "inpulse <no-reply@example.com>" (got "${mailFrom}")`,
    );
  }

  const servicesAccess = (read('SERVICES_ACCESS')?.toLowerCase() ?? 'network') as ServicesAccess;
  if (!SERVICES_ACCESS_MODES.includes(servicesAccess)) {
    problems.push(
      `SERVICES_ACCESS must be one of ${SERVICES_ACCESS_MODES.join(', ')} (got "${servicesAccess}")`,
    );
  }

  const organisationTimeZone = read('ORGANISATION_TIME_ZONE') ?? 'UTC';
  if (!isIanaZone(organisationTimeZone)) {
    problems.push(
      `ORGANISATION_TIME_ZONE must be an IANA time zone such as Europe/Madrid (got "${organisationTimeZone}")`,
    );
  }

  const oidc = oidcConfig(read, bool, url, baseUrl, problems);
  const demoOidc = bool('DEMO_OIDC', false);
  if (demoOidc && !demo) problems.push('DEMO_OIDC=true needs the demo (DEMO=true)');
  if (demoOidc && oidc)
    problems.push('DEMO_OIDC=true sets the OIDC_* values itself: unset OIDC_ISSUER');

  const config: EnvConfig = {
    port,
    host,
    baseUrl,
    databaseUrl,
    ...replicaSettings(read, url, int, problems),
    embeddedPostgres: {
      dataDir: resolve(projectRoot, read('EMBEDDED_PG_DIR') ?? join('.data', 'postgres')),
      port: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    },
    database: {
      waitSeconds: int('DATABASE_WAIT_SECONDS', 300, 0, 24 * 3600),
      retryMaxSeconds: int('DATABASE_RETRY_MAX_SECONDS', 10, 1, 600),
      connectTimeoutSeconds: int('DATABASE_CONNECT_TIMEOUT_SECONDS', 5, 1, 600),
      ...poolerConfig(read, url, databaseUrl, problems),
    },
    demo,
    appSecret,
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    tickets: {
      webhookMaxBodyBytes: int('WEBHOOK_MAX_BODY_KB', 256, 1, 10 * 1024) * 1024,
      secretOverlapHours: int('WEBHOOK_SECRET_OVERLAP_HOURS', 24, 0, 24 * 30),
      surveyRetryLimit: int('TICKET_SURVEY_RETRY_LIMIT', 5, 0, 20),
      surveyRetryDelaySeconds: int('TICKET_SURVEY_RETRY_DELAY_SECONDS', 30, 1, 3600),
      inviteMaxWaitHours: int('TICKET_INVITE_MAX_WAIT_HOURS', 24, 0, 24 * 7),
      timeZone: timeZone('TICKET_TIME_ZONE', 'UTC'),
    },
    mail: {
      maxAttempts: int('MAIL_MAX_ATTEMPTS', 8, 1, 50),
      retryBaseSeconds: int('MAIL_RETRY_SECONDS', 30, 1, 3600),
      leaseSeconds: int('MAIL_LEASE_SECONDS', 300, 2, 3600),
      connections: int('MAIL_CONNECTIONS', 5, 1, 50),
      batchSize: int('MAIL_BATCH_SIZE', 200, 1, 1000),
    },
    servicesAccess,
    servicesPassDays: int('SERVICES_PASS_DAYS', 14, 1, 365),
    employeeSessionDays: int('EMPLOYEE_SESSION_DAYS', 14, 1, 90),
    employeeSignInLinkMinutes: int('EMPLOYEE_SIGN_IN_LINK_MINUTES', 30, 5, 24 * 60),
    employeeAddressHoldDays: int('EMPLOYEE_ADDRESS_HOLD_DAYS', 7, 0, 90),
    hrisSyncAllowPrivate: bool('HRIS_SYNC_ALLOW_PRIVATE', false),
    hrisSyncDir: hrisSyncDir(read('HRIS_SYNC_DIR'), problems),
    hrisSyncMaxBytes: int('HRIS_SYNC_MAX_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    hrisSyncTimeoutSeconds: int('HRIS_SYNC_TIMEOUT_SECONDS', 30, 1, 600),
    reportingThreshold,
    commentThreshold,
    mixBatchSize,
    invitationTtlDays: int('INVITATION_TTL_DAYS', 14, 1, 365),
    actionReminderDays: int('ACTION_REMINDER_DAYS', 3, 0, 60),
    jobWorkers: bool('JOB_WORKERS', true),
    shutdownTimeoutSeconds: int('SHUTDOWN_TIMEOUT_SECONDS', 25, 1, 600),
    organisationTimeZone,
    trustProxy: trustProxy(read('TRUST_PROXY'), problems),
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    initialAdminEmail: read('INITIAL_ADMIN_EMAIL')?.toLowerCase(),
    initialAdminPassword: secret('INITIAL_ADMIN_PASSWORD', 12),
    logLevel,
    logFormat,
    projectRoot,
    oidc,
    demoOidc,
    retention: retentionConfig(int, bool),
    reportCache: reportCacheConfig(bool, int),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** HRIS_SYNC_DIR: an absolute folder, kept without its trailing separator. */
function hrisSyncDir(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const dir = raw.trim();
  if (!isAbsolute(dir)) {
    problems.push(`HRIS_SYNC_DIR must be an absolute folder path (got "${dir}")`);
    return undefined;
  }
  return resolve(dir);
}

type IntReader = (name: string, fallback: number, min: number, max: number) => number;

/** Reads whole numbers from `env`, noting each bad one in `problems` (and using the default). */
function intReader(env: Env, problems: string[]): IntReader {
  return (name, fallback, min, max) => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
}

/** k, the comment threshold and m, with the rules that tie them (shared with mixBatchSizeFromEnv). */
function thresholds(int: IntReader, problems: string[]) {
  const reportingThreshold = int('REPORTING_THRESHOLD', 5, 3, 1000);
  const commentThreshold = int('COMMENT_THRESHOLD', 5, 3, 1000);
  if (commentThreshold < reportingThreshold) {
    problems.push(
      `COMMENT_THRESHOLD must not be below REPORTING_THRESHOLD (${reportingThreshold}); got ${commentThreshold}`,
    );
  }
  const mixBatchSize = int('MIX_BATCH_SIZE', 10, 1, 100000);
  if (mixBatchSize < reportingThreshold) {
    problems.push(
      `MIX_BATCH_SIZE must not be below REPORTING_THRESHOLD (${reportingThreshold}); got ${mixBatchSize}`,
    );
  }
  return { reportingThreshold, commentThreshold, mixBatchSize };
}

/**
 * m (MIX_BATCH_SIZE) exactly as loadConfig reads it — default 10, never below k — for code that
 * runs without the app's configuration: the AnonymousRelease migration, which `npm run
 * migration:run` also applies. A value the app would refuse throws, naming it.
 */
export function mixBatchSizeFromEnv(env: Env = process.env): number {
  const problems: string[] = [];
  const { mixBatchSize } = thresholds(intReader(env, problems), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return mixBatchSize;
}

export function isIanaZone(value: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function trustProxy(raw: string | undefined, problems: string[]): boolean | string[] {
  if (raw === undefined || ['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  const list = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (list.every((part) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part))) return list;
  problems.push(
    `TRUST_PROXY must be true, false or a comma-separated list of proxy addresses/CIDRs (got "${raw}")`,
  );
  return false;
}

/** The folder holding inpulse's package.json, whether running from src/ or dist/. */
export function findProjectRoot(
  start = typeof __dirname === 'string' ? __dirname : process.cwd(),
): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'inpulse') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('inpulse: cannot find the project folder (package.json)');
    dir = parent;
  }
}

/** Hides the password of a connection URL in messages. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

export const APP_CONFIG = Symbol('APP_CONFIG');
