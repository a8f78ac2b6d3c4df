import { Metrics } from '../../src/common/metrics/metrics';
import { ReadDatabase } from '../../src/database/read-database';
import { METRIC, ReplicaHealth, type ProbeConnections } from '../../src/database/replica-health';
import { createTeam } from '../factories';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../setup/replica';
import { startTcpProxy, type TcpProxy } from '../setup/tcp-proxy';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * The read replica's review findings (docs/replicas.md), each played against a real hot standby
 * (test/setup/replica.ts): unknown lag, another cluster or timeline, a full pool, one server per
 * request, a renamed slug, a silent replica, a recovery conflict.
 */
describe('read replica: what the review found', () => {
  let pair: PrimaryAndStandby;
  let t: TestApp;
  let health: ReplicaHealth;
  let slug: string;
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    pair = await startPrimaryAndStandby();
    t = await startTestApp({ DATABASE_REPLICA_URL: pair.replicaUrl }, { database: pair.database });
    health = t.get(ReplicaHealth);
    slug = (await createTeam(t, 'Pinned desk')).slug;
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await pair?.stop();
  });
  // What a test put in place of the probe's view (the state flipping under a request), undone after it.
  const undo: (() => void)[] = [];
  const replacePool = (pool: (real: () => ReturnType<ReplicaHealth['replicaPool']>) => unknown) => {
    const real = health.replicaPool.bind(health);
    health.replicaPool = () => pool(real) as ReturnType<ReplicaHealth['replicaPool']>;
    undo.push(() => delete (health as { replicaPool?: unknown }).replicaPool);
  };
  afterEach(() => undo.splice(0).forEach((f) => f()));

  const metric = (name: string, labels: Record<string, string> = {}) =>
    t.get(Metrics).value(name, labels) ?? 0;
  const report = () =>
    t.api({ method: 'GET', url: `/api/v1/reports/teams/${slug}?period=quarter&at=${today}` });
  const healthy = async () => {
    await pair.resumeReplay();
    await pair.caughtUp();
    await until('the replica is healthy', async () => (await health.probe()) === 'healthy');
  };

  it('does not trust a lag it has not measured: at start, and after a down', async () => {
    await healthy();
    await pair.pauseReplay();
    await createTeam(t, 'Written while replay is paused');
    // A new instance: its first probe notes a position the standby has not replayed.
    const second = await startTestApp(
      { DATABASE_REPLICA_URL: pair.replicaUrl },
      { database: pair.database },
    );
    try {
      expect(second.get(ReplicaHealth).state).toBe('lag');
      expect(await second.get(ReplicaHealth).probe()).toBe('lag');
    } finally {
      await second.close();
    }
    // This instance: one probe fails (down), the next one finds the standby behind.
    const real = health.probes!;
    health.probes = {
      ...real,
      replica: { query: () => Promise.reject(new Error('gone')), close: async () => undefined },
    };
    expect(await health.probe()).toBe('down');
    health.probes = real;
    await createTeam(t, 'Written after the down');
    expect(await health.probe()).toBe('lag');
    await healthy();
  });

  it('leaves aside a replica of another cluster or timeline, under its own reason', async () => {
    await healthy();
    const real = health.probes!;
    const fake = (row: object): ProbeConnections['primary'] => ({
      query: async <T>() => [row] as T[],
      close: async () => undefined,
    });
    const primary = { lsn: '0/1000', system: '7000000000000000001', timeline: 1 };
    const replica = {
      standby: true,
      replayed: '0/2000',
      system: '7000000000000000002',
      timeline: 1,
    };
    try {
      health.probes = { primary: fake(primary), replica: fake(replica) };
      expect(await health.probe()).toBe('down');
      const before = metric(METRIC.fallbacks, { reason: 'mismatch' });
      expect((await report()).statusCode).toBe(200);
      expect(metric(METRIC.fallbacks, { reason: 'mismatch' })).toBeGreaterThan(before);
      health.probes = {
        primary: fake({ ...primary, timeline: 2 }),
        replica: fake({ ...replica, system: primary.system }),
      };
      expect(await health.probe()).toBe('down');
      expect(health.fallbackReason()).toBe('mismatch');
    } finally {
      health.probes = real;
    }
    await healthy();
  });

  it('probes on its own connections: a full primary pool does not mark the replica down', async () => {
    await healthy();
    const pool = health.primaryPool();
    const size = (pool as unknown as { options: { max: number } }).options.max;
    const held = Array.from({ length: size }, () => pool.query('SELECT pg_sleep(6)'));
    let freed = false;
    for (const h of held) void h.then(() => (freed = true));
    await until('the pool is full', async () => pool.totalCount >= size && pool.idleCount === 0);
    expect(await health.probe()).toBe('healthy');
    // The probe answered while every client of the pool was still taken.
    expect(freed).toBe(false);
    await Promise.all(held);
  });

  it('reads a whole request from one server, even when the state changes after its first read', async () => {
    await healthy();
    // The probe turns against the replica right after the request's first read.
    let calls = 0;
    replacePool((real) => (calls++ === 0 ? real() : undefined));
    const replica = metric(METRIC.reads, { target: 'replica' });
    const primary = metric(METRIC.reads, { target: 'primary' });
    expect((await report()).statusCode).toBe(200);
    expect(metric(METRIC.reads, { target: 'replica' }) - replica).toBeGreaterThan(1);
    expect(metric(METRIC.reads, { target: 'primary' })).toBe(primary);
  });

  it('keeps a job run (pinned, as the digest does) on one server: each read asks the server itself', async () => {
    await healthy();
    let calls = 0;
    replacePool((real) => (calls++ === 0 ? real() : undefined));
    const read = t.get(ReadDatabase);
    const standby = 'SELECT pg_is_in_recovery() AS standby';
    const servers = await read.pinned(async () => [
      (await read.prepared<{ standby: boolean }>('standby', standby, []))[0].standby,
      (await read.query<{ standby: boolean }>(standby, []))[0].standby,
      (await read.prepared<{ standby: boolean }>('standby', standby, []))[0].standby,
    ]);
    expect(servers).toEqual([true, true, true]);
    expect(read.pinnedTo()).toBeUndefined();
  });

  it('answers a slug renamed on the primary that the replica has not replayed yet', async () => {
    await healthy();
    const renamed = `${slug}-renamed`;
    await pair.pauseReplay();
    await t.dataSource.query(`UPDATE service_team SET slug = $1 WHERE slug = $2`, [renamed, slug]);
    try {
      const page = await t.request({ method: 'GET', url: `/services/${renamed}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Pinned desk');
    } finally {
      await t.dataSource.query(`UPDATE service_team SET slug = $1 WHERE slug = $2`, [
        slug,
        renamed,
      ]);
    }
    await healthy();
  });

  it("takes a report's team tree from the server its figures come from; a slug it lacks, from the primary", async () => {
    await healthy();
    await pair.pauseReplay();
    await t.dataSource.query(`UPDATE service_team SET name = 'Renamed desk' WHERE slug = $1`, [
      slug,
    ]);
    const moved = `${slug}-moved`;
    try {
      // The replica has not seen the new name: the report (tree and figures) is the replica's.
      const before = await report();
      expect(before.statusCode).toBe(200);
      expect(before.json().team.name).toBe('Pinned desk');
      await t.dataSource.query(`UPDATE service_team SET slug = $1 WHERE slug = $2`, [moved, slug]);
      const res = await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${moved}?period=quarter&at=${today}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().team.name).toBe('Renamed desk');
    } finally {
      await t.dataSource.query(
        `UPDATE service_team SET slug = $1, name = 'Pinned desk' WHERE slug IN ($1, $2)`,
        [slug, moved],
      );
    }
    await healthy();
  });

  it('counts a read run again after a recovery conflict as `conflict`, not `down`', async () => {
    await healthy();
    const conflict = Object.assign(new Error('canceling statement due to conflict with recovery'), {
      code: '40001',
    });
    const refusing = { query: () => Promise.reject(conflict) };
    replacePool(() => refusing);
    const down = metric(METRIC.fallbacks, { reason: 'down' });
    const conflicts = metric(METRIC.fallbacks, { reason: 'conflict' });
    const rows = await t.get(ReadDatabase).prepared<{ one: number }>('one', 'SELECT 1 AS one', []);
    expect(rows).toEqual([{ one: 1 }]);
    expect(metric(METRIC.fallbacks, { reason: 'conflict' })).toBe(conflicts + 1);
    expect(metric(METRIC.fallbacks, { reason: 'down' })).toBe(down);
  });

  describe('a replica that stops answering (packets dropped, nothing closed)', () => {
    let proxy: TcpProxy;
    let third: TestApp;
    beforeAll(async () => {
      const target = new URL(pair.replicaUrl);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
      third = await startTestApp(
        {
          DATABASE_REPLICA_URL: proxy.via(pair.replicaUrl),
          DATABASE_REPLICA_STATEMENT_TIMEOUT_SECONDS: '1',
        },
        { database: pair.database },
      );
    }, 60_000);
    afterAll(async () => {
      await proxy?.restore();
      await third?.close();
      await proxy?.close();
    });

    it('gives up on it and answers from the primary', async () => {
      await healthy();
      const thirdHealth = third.get(ReplicaHealth);
      await until('healthy', async () => (await thirdHealth.probe()) === 'healthy');
      proxy.stall();
      const res = await third.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${slug}?period=quarter&at=${today}`,
      });
      expect(res.statusCode).toBe(200);
      expect(thirdHealth.state).toBe('down');
      expect(await thirdHealth.probe()).toBe('down');
    }, 60_000);
  });
});
