import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { findProjectRoot } from '../../src/config/app-config';

/**
 * There is no Docker engine in CI, so the deployment files are checked for their structure:
 * the pieces that make `docker compose up` start PostgreSQL first, wait for it, keep its data,
 * and run the app as a non-root user with a health check.
 */
const root = findProjectRoot(process.cwd());

type Service = {
  profiles?: string[];
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; interval?: string; timeout?: string; retries?: number };
  ports?: (string | number | { target?: number; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
};
type Compose = { services?: Record<string, Service>; volumes?: Record<string, unknown> };

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test;
  if (test === undefined) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}

/** Named volume mounts as { source, target }; bind mounts (paths) are left out. */
function namedMounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':');
      return target && !/^[./~]/.test(source) ? [{ source, target }] : [];
    }
    return volume.type === 'volume' && volume.source && volume.target
      ? [{ source: volume.source, target: volume.target }]
      : [];
  });
}

/** Container ports published to the host. */
function containerPorts(service: Service): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    const withoutProtocol = String(port).split('/')[0];
    return Number(withoutProtocol.split(':').at(-1));
  });
}

describe('docker-compose.yml', () => {
  const file = join(root, 'docker-compose.yml');
  const compose = (
    existsSync(file) ? parse(readFileSync(file, 'utf8'), { merge: true }) : {}
  ) as Compose;
  const services = compose.services ?? {};
  const db = services.db ?? {};
  const app = services.app ?? {};

  it('exists and defines the db and app services (the default, without a profile)', () => {
    expect(existsSync(file)).toBe(true);
    const byDefault = Object.keys(services).filter((name) => !services[name].profiles?.length);
    expect(byDefault.sort()).toEqual(['app', 'db']);
  });

  it('runs PostgreSQL with a pg_isready health check', () => {
    expect(db.image).toMatch(/^postgres(:|$)/);
    expect(healthcheckCommand(db)).toMatch(/\bpg_isready\b/);
    expect(healthcheckCommand(db)).toContain('-U inpulse');
  });

  it('keeps the database in a declared named volume', () => {
    const mount = namedMounts(db).find((m) => m.target === '/var/lib/postgresql/data');
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
  });

  it('builds the app from the Dockerfile in this repository', () => {
    const build = typeof app.build === 'string' ? { context: app.build } : (app.build ?? {});
    expect(build.context).toBeDefined();
    const context = resolve(root, build.context!);
    expect(context).toBe(root);
    expect(existsSync(join(context, build.dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(app.image).toBeUndefined();
  });

  it('starts the app only once the database is healthy', () => {
    const dependsOn = app.depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false); // the list form cannot wait for health
    expect((dependsOn as Record<string, { condition?: string }>).db?.condition).toBe(
      'service_healthy',
    );
  });

  it('points the app at the db service and takes its secrets from the environment', () => {
    const env = environment(app);
    expect(env.DATABASE_URL).toBeDefined();
    const url = new URL(env.DATABASE_URL);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('db');
    expect(env.HOST).toBe('0.0.0.0');
    // Required, never a default baked into the file.
    expect(env.INITIAL_ADMIN_EMAIL).toBeDefined();
    expect(env.APP_SECRET).toMatch(/^\$\{APP_SECRET:\?.+\}$/);
  });

  it("runs the app as a role of its own, not the image's superuser", () => {
    const url = new URL(environment(app).DATABASE_URL);
    const superuser = environment(db).POSTGRES_USER;
    expect(url.username).not.toBe(superuser);
    // The init script, mounted where the image runs it on a new volume, makes that role without
    // superuser rights and gives it the database.
    const init = (db.volumes ?? []).find(
      (v): v is string => typeof v === 'string' && v.includes('/docker-entrypoint-initdb.d'),
    );
    expect(init).toBeDefined();
    const folder = resolve(root, (init as string).split(':')[0]);
    const sql = readdirSync(folder)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => readFileSync(join(folder, f), 'utf8'))
      .join('\n');
    expect(sql).toMatch(
      new RegExp(`CREATE ROLE ${url.username} LOGIN PASSWORD '${url.password}' NOSUPERUSER`),
    );
    expect(sql).toMatch(
      new RegExp(`ALTER DATABASE ${url.pathname.slice(1)} OWNER TO ${url.username}`),
    );
  });

  it('publishes port 3000 and checks /readyz', () => {
    expect(containerPorts(app)).toContain(3000);
    expect(healthcheckCommand(app)).toContain('/readyz');
    expect(healthcheckCommand(app)).toContain(':3000');
  });
});

describe('Dockerfile', () => {
  const file = join(root, 'Dockerfile');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const instructions = text
    .replace(/\\\r?\n/g, ' ') // line continuations
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const lastFrom = instructions.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  const runtime = instructions.slice(lastFrom);
  const last = (keyword: string) =>
    runtime.filter((line) => new RegExp(`^${keyword}\\s`, 'i').test(line)).at(-1);

  it('exists and is a multi-stage build', () => {
    expect(existsSync(file)).toBe(true);
    expect(instructions.filter((line) => /^FROM\s/i.test(line)).length).toBeGreaterThanOrEqual(2);
  });

  it('starts the compiled app', () => {
    const cmd = last('CMD');
    expect(cmd).toBeDefined();
    expect(cmd).toContain('dist/src/main.js');
  });

  it('does not run as root', () => {
    const user = last('USER');
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('installs production dependencies only in the runtime stage', () => {
    expect(runtime.some((line) => /^RUN\s.*npm ci\b.*--omit=dev/i.test(line))).toBe(true);
  });

  it('carries no embedded PostgreSQL binaries in the runtime stage', () => {
    const install = runtime.find((line) => /^RUN\s.*npm ci\b/i.test(line));
    expect(install).toMatch(/--omit=optional\b/);
    expect(runtime.some((line) => /\.data\b/.test(line))).toBe(false);
  });
});
