import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { findProjectRoot } from '../../src/config/app-config';

/**
 * The "scale" profile of docker-compose.yml is the reference deployment of docs/deployment.md on
 * one machine. There is no Docker engine here or in CI, so these checks keep it honest from its
 * text: the services the page names, which instance runs jobs, where each connection goes, that
 * every variable set on the app is one the app reads, and that the config files it mounts agree
 * with it (PgBouncer, HAProxy, the replication scripts).
 */
const root = findProjectRoot(process.cwd());
const read = (path: string) => readFileSync(join(root, path), 'utf8');

type Service = {
  profiles?: string[];
  image?: string;
  build?: string | { context?: string };
  entrypoint?: string | string[];
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: string[] | Record<string, unknown>;
  volumes?: string[];
  stop_grace_period?: string;
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
};

/**
 * Variables that other branches of issue 17 add to the app's configuration (replicas, the
 * pooler, metrics). Delete each from here once src/config reads it: the last test says when.
 */
const AWAITED: string[] = [];

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const inScale = (name: string) => services[name].profiles?.includes('scale') ?? false;
const scale = Object.keys(services).filter(inScale).sort();

const env = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, v == null ? '' : `${v}`]),
  );
const dependencies = (name: string): string[] => {
  const deps = services[name].depends_on ?? [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
};
/** The services `docker compose up <targets>` starts: the targets and all they depend on. */
function closure(targets: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    dependencies(name).forEach(visit);
  };
  targets.forEach(visit);
  return [...seen].sort();
}
/** The host file mounted at `target` in a service (bind mounts only). */
function mounted(name: string, target: string): string {
  const volume = (services[name].volumes ?? []).find((v) => v.split(':')[1] === target);
  if (!volume) throw new Error(`${name} mounts nothing at ${target}`);
  return resolve(root, volume.split(':')[0]);
}
const hasWorkers = (name: string) =>
  !['false', '0', 'no', 'off'].includes((env(name).JOB_WORKERS ?? 'true').toLowerCase());

/** App instances: the scale services built from this repository's Dockerfile. */
const instances = scale.filter((name) => services[name].build === '.');
const webs = instances.filter((name) => !hasWorkers(name));

describe('docker-compose.yml, profile "scale"', () => {
  it('has exactly the services docs/deployment.md names in its table', () => {
    const doc = read('docs/deployment.md');
    const table = doc.split('## The compose profile')[1]?.split('\n## ')[0] ?? '';
    const named = [...table.matchAll(/^\| `([a-z0-9-]+)` +\|/gm)].map((m) => m[1]).sort();
    expect(scale).toEqual(['lb', 'pgbouncer', 'primary', 'replica', 'web1', 'web2', 'worker']);
    expect(named).toEqual(scale);
  });

  it('starts with the command the page gives, without the default profile', () => {
    const command = 'docker compose --profile scale up -d lb worker';
    expect(read('docs/deployment.md')).toContain(command);
    expect(read('docker-compose.yml')).toContain(command);
    expect(closure(['lb', 'worker'])).toEqual(scale);
    // and each scale service depends only on scale services (compose refuses the others)
    for (const name of scale) expect(dependencies(name).filter((d) => !inScale(d))).toEqual([]);
  });

  it('runs two web-only instances and exactly one with the job workers', () => {
    expect(instances).toEqual(['web1', 'web2', 'worker']);
    expect(webs).toEqual(['web1', 'web2']);
    expect(env('web1').JOB_WORKERS).toBe('false');
    expect(env('web2').JOB_WORKERS).toBe('false');
    expect(instances.filter(hasWorkers)).toEqual(['worker']);
  });

  it('points every instance at the pooler, the replica and, for migrations, the primary', () => {
    for (const name of instances) {
      const e = env(name);
      expect([name, new URL(e.DATABASE_URL).hostname]).toEqual([name, 'pgbouncer']);
      expect([name, e.DATABASE_POOL_MODE]).toEqual([name, 'transaction']);
      expect([name, new URL(e.DATABASE_REPLICA_URL).hostname]).toEqual([name, 'replica']);
      expect([name, new URL(e.DATABASE_DIRECT_URL).hostname]).toEqual([name, 'primary']);
      // one secret for all: the worker's mixer opens what the web instances sealed
      expect([name, e.APP_SECRET]).toEqual([name, '${APP_SECRET:?set APP_SECRET}']);
      expect([name, e.HOST]).toEqual([name, '0.0.0.0']);
    }
  });

  it('sets on the app only variables the app reads (src/config)', () => {
    const unknown = instances.flatMap((name) =>
      Object.keys(env(name))
        .filter((key) => !configNames().has(key) && !AWAITED.includes(key))
        .map((key) => `${name}: ${key}`),
    );
    expect(unknown).toEqual([]);
  });

  it('lets only the balancer reach the web instances, and trusts only its address', () => {
    const networksOf = (name: string): string[] => {
      const n = services[name].networks;
      return Array.isArray(n) ? n : Object.keys(n ?? { default: null });
    };
    // Who can open a connection to a web instance: whoever shares a network with it.
    const reach = (web: string) =>
      scale.filter(
        (name) => name !== web && networksOf(name).some((n) => networksOf(web).includes(n)),
      );
    const lbNetworks = services.lb.networks as Record<string, { ipv4_address?: string }>;
    const [edge] = Object.keys(lbNetworks);
    const lbAddress = lbNetworks[edge]?.ipv4_address;
    expect(lbAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    for (const web of webs) {
      expect([web, reach(web).filter((name) => networksOf(name).includes(edge))]).toEqual([
        web,
        ['lb', ...webs.filter((w) => w !== web)],
      ]);
      // No other service is on edge; the others reach web only if they share another network,
      // and forging X-Forwarded-For then does nothing: only lb's address is trusted.
      expect([web, env(web).TRUST_PROXY]).toEqual([web, lbAddress]);
    }
    const onEdge = scale.filter((name) => networksOf(name).includes(edge)).sort();
    expect(onEdge).toEqual(['lb', ...webs].sort());
    // The worker serves no traffic through lb: it trusts no proxy.
    expect(env('worker').TRUST_PROXY).toBeUndefined();
  });

  it('lets instances finish their work on SIGTERM before compose kills them', () => {
    for (const name of instances) {
      const grace = /^(\d+)s$/.exec(services[name].stop_grace_period ?? '');
      expect(grace).not.toBeNull();
      const timeout = Number(env(name).SHUTDOWN_TIMEOUT_SECONDS ?? 25);
      expect(Number(grace![1])).toBeGreaterThan(timeout);
    }
  });

  it('has PgBouncer in transaction mode, in front of the primary, knowing the app role', () => {
    const ini = readFileSync(mounted('pgbouncer', '/etc/pgbouncer/pgbouncer.ini'), 'utf8');
    const setting = (key: string) => new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(ini)?.[1];
    const url = new URL(env('web1').DATABASE_URL);
    expect(setting('pool_mode')).toBe('transaction');
    expect(setting('listen_port')).toBe(url.port);
    const database = url.pathname.slice(1);
    expect(setting(database)).toMatch(new RegExp(`^host=primary port=5432 dbname=${database}$`));
    const users = readFileSync(mounted('pgbouncer', '/etc/pgbouncer/userlist.txt'), 'utf8');
    expect(users).toContain(`"${url.username}" "${url.password}"`);
    expect(read('docker/pgbouncer/Dockerfile')).toMatch(/apt-get install .*pgbouncer/);
  });

  it('balances the web-only instances on /readyz, with no sticky sessions and no access log', () => {
    const cfg = readFileSync(mounted('lb', '/usr/local/etc/haproxy/haproxy.cfg'), 'utf8');
    const lines = cfg.split('\n').map((line) => line.trim());
    const servers = lines.filter((l) => l.startsWith('server ')).map((l) => l.split(/\s+/)[2]);
    expect(servers).toEqual(webs.map((name) => `${name}:3000`));
    expect(lines).toContain('http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost');
    expect(lines).toContain('http-check expect status 200');
    // a GET met by a closing instance is tried again elsewhere; a POST never is
    expect(lines).toContain('retry-on conn-failure empty-response');
    expect(lines).toContain('http-request disable-l7-retry if !METH_GET');
    expect(cfg).not.toMatch(/^\s*(stick|cookie|appsession)\b/m);
    const frontend = cfg.split(/^frontend /m)[1].split(/^backend /m)[0];
    expect(frontend).toMatch(/^\s*no log$/m);
    expect(frontend).toMatch(/^\s*http-request del-header X-Forwarded-For$/m);
    expect(services.lb.image).toMatch(/^haproxy:\d+\.\d+/);
  });

  it('makes the replica a copy of the primary through its replication role and slot', () => {
    const primary = env('primary');
    const replica = env('replica');
    for (const key of ['REPLICATION_USER', 'REPLICATION_PASSWORD', 'REPLICATION_SLOT'])
      expect([key, replica[key]]).toEqual([key, primary[key]]);
    expect(replica.PRIMARY_HOST).toBe('primary');
    // feedback would let replica queries (and an absent replica, through its slot) hold back the
    // mixer's VACUUM on the primary (docs/anonymity.md, "The release")
    expect((services.replica.command ?? []).join(' ')).toContain('hot_standby_feedback=off');
    expect(services.replica.image).toBe(services.primary.image);

    const initdb = '/docker-entrypoint-initdb.d';
    expect(readFileSync(mounted('primary', `${initdb}/01-app-role.sql`), 'utf8')).toMatch(
      /CREATE ROLE inpulse_app LOGIN .* NOSUPERUSER/,
    );
    const init = readFileSync(mounted('primary', `${initdb}/02-replication.sh`), 'utf8');
    expect(init).toMatch(/CREATE ROLE :"user" WITH REPLICATION LOGIN/);
    expect(init).toContain('pg_create_physical_replication_slot');
    expect(init).toMatch(/host replication \$REPLICATION_USER all scram-sha-256/);

    const script = '/usr/local/bin/replica-entrypoint.sh';
    expect(services.replica.entrypoint).toEqual(['sh', script]);
    const entry = readFileSync(mounted('replica', script), 'utf8');
    expect(entry).toMatch(/pg_basebackup [^\n]*--write-recovery-conf/);
    expect(entry).toContain('--slot="$REPLICATION_SLOT"');
    expect(entry).toMatch(/^exec docker-entrypoint\.sh "\$@"$/m);
  });

  it('waits for variables only while src/config does not read them yet', () => {
    expect(AWAITED.filter((name) => configNames().has(name))).toEqual([]);
  });
});

/** Every upper-case quoted name in the typed configuration's source (what it may read). */
function configNames(): Set<string> {
  const dir = join(root, 'src/config');
  const text = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
  return new Set([...text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]));
}
