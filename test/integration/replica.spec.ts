import { Writable } from 'node:stream';
import { Client } from 'pg';
import { Metrics } from '../../src/common/metrics/metrics';
import { METRIC, ReplicaHealth } from '../../src/database/replica-health';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  submitSurvey,
} from '../factories';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../setup/replica';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * Reports from a real streaming replica (docs/replicas.md): a primary of this file's own and a
 * hot standby made from it with a low-level base backup (test/setup/replica.ts says why not
 * pg_basebackup), the app on both (DATABASE_URL + DATABASE_REPLICA_URL). Replay is paused on the
 * standby to tell which server answered: a report showing the state before a write came from it.
 */
describe('reports from a read replica', () => {
  const MAX_LAG = 5;
  const METRICS_TOKEN = 'metrics-token-for-the-replica-test';
  let pair: PrimaryAndStandby;
  let t: TestApp;
  let health: ReplicaHealth;
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  let slug: string;
  let today: string;

  beforeAll(async () => {
    pair = await startPrimaryAndStandby();
    t = await startTestApp(
      {
        DATABASE_REPLICA_URL: pair.replicaUrl,
        DATABASE_REPLICA_MAX_LAG_SECONDS: String(MAX_LAG),
        METRICS_TOKEN,
        LOG_LEVEL: 'log',
      },
      { database: pair.database, logStream },
    );
    health = t.get(ReplicaHealth);
    today = new Date().toISOString().slice(0, 10);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await pair?.stop();
  });

  const metric = (name: string, labels: Record<string, string> = {}) =>
    t.get(Metrics).value(name, labels) ?? NaN;
  const headline = async () => {
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${slug}?period=quarter&at=${today}`,
    });
    expect(res.statusCode).toBe(200);
    return res.json().headline as { withheld: boolean; n?: number };
  };
  const replicaReads = () => metric(METRIC.reads, { target: 'replica' });
  const warnings = () => logs.filter((l) => l.includes('read replica left aside'));

  it('serves reports from the replica, which shows the state before a write it has not replayed', async () => {
    // Ten people answer on the primary; their answers wait for the mixer.
    slug = (await createTeam(t)).slug;
    const { survey, questions } = await createSurvey(t, { teamSlug: slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    const people = await createEmployees(t, 10);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    for (const [i, token] of tokens.entries()) {
      const res = await submitSurvey(t, token, { [`q_${nps.id}`]: String(i % 2 === 0 ? 10 : 9) });
      expect(res.statusCode).toBe(200);
    }
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [survey.id],
    );
    await pair.caughtUp();
    expect(await health.probe()).toBe('healthy');
    expect(await headline()).toMatchObject({ withheld: true });

    // The standby stops replaying; the mixer releases the ten answers on the primary.
    await pair.pauseReplay();
    expect(await t.get(ResponsesService).mix()).toBe(10);
    const written = await createTeam(t, 'Written after the pause');
    expect(await health.probe()).toBe('healthy'); // just behind, well within the bound
    const before = replicaReads();
    expect(await headline()).toMatchObject({ withheld: true });
    expect(replicaReads()).toBeGreaterThan(before);
    // What is not a report read stays on the primary (TypeORM's default mode there): the team
    // just written is found.
    const team = await t.api({ method: 'GET', url: `/api/v1/teams/${written.slug}` });
    expect(team.statusCode).toBe(200);
    // The service directory too: the team written on the primary is not there yet.
    const directory = await t.request({ method: 'GET', url: '/services' });
    expect(directory.statusCode).toBe(200);
    expect(directory.body).not.toContain('Written after the pause');

    // The replica's own pool is connected to the standby, under its own application_name.
    const standby = new Client({ connectionString: pair.standbyAdmin() });
    await standby.connect();
    const { rows } = await standby.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'inpulse-replica'`,
    );
    await standby.end();
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('falls back to the primary once the replica lags past the bound: one log line, a metric', async () => {
    await until('the replica lags past the bound', async () => (await health.probe()) === 'lag');
    expect(metric(METRIC.lag)).toBeGreaterThan(MAX_LAG);
    expect(metric(METRIC.healthy)).toBe(0);
    const fallbacks = metric(METRIC.fallbacks, { reason: 'lag' });
    const before = replicaReads();
    expect(await headline()).toMatchObject({ withheld: false, n: 10 });
    expect(replicaReads()).toBe(before);
    expect((await t.request({ method: 'GET', url: '/services' })).body).toContain(
      'Written after the pause',
    );
    expect(metric(METRIC.fallbacks, { reason: 'lag' })).toBeGreaterThan(fallbacks);
    await health.probe();
    expect(await headline()).toMatchObject({ withheld: false, n: 10 });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/behind \(bound 5 s\)/);

    const scrape = await t.request({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toMatch(/^inpulse_replica_fallback_total\{reason="lag"\} [1-9]\d*$/m);
    expect(scrape.body).toMatch(/^inpulse_replica_healthy 0$/m);
    expect(scrape.body).toMatch(/^inpulse_replica_reads_total\{target="replica"\} [1-9]\d*$/m);
    expect((await t.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.api({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('goes back to the replica once it has replayed, and the report is right there too', async () => {
    await pair.resumeReplay();
    await pair.caughtUp();
    await until('the replica is healthy again', async () => (await health.probe()) === 'healthy');
    expect(logs.filter((l) => l.includes('read replica in use')).length).toBeGreaterThanOrEqual(2);
    const before = replicaReads();
    expect(await headline()).toMatchObject({ withheld: false, n: 10 });
    expect(replicaReads()).toBeGreaterThan(before);
    expect(metric(METRIC.healthy)).toBe(1);
  });

  it('serves from the primary without a 5xx when the replica stops, starts without it, takes it back', async () => {
    await pair.stopStandby();
    // No probe yet: the first read finds the replica gone and is answered by the primary.
    expect(await headline()).toMatchObject({ withheld: false, n: 10 });
    expect(health.state).toBe('down');
    expect(await health.probe()).toBe('down');
    expect(await headline()).toMatchObject({ withheld: false, n: 10 });
    const pages = await Promise.all(
      ['/services', `/services/${slug}`].map((url) => t.request({ method: 'GET', url })),
    );
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200]);
    expect(metric(METRIC.fallbacks, { reason: 'down' })).toBeGreaterThan(0);
    expect(warnings()).toHaveLength(2);

    // A new instance starts while the replica is away, and reads from the primary.
    const second = await startTestApp(
      { DATABASE_REPLICA_URL: pair.replicaUrl },
      { database: pair.database },
    );
    try {
      expect(second.get(ReplicaHealth).state).toBe('down');
      const res = await second.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${slug}?period=quarter&at=${today}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().headline).toMatchObject({ withheld: false, n: 10 });
      // Without METRICS_TOKEN there is no /metrics at all.
      expect((await second.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);

      // The standby comes back: the instance opens the replica's pool and reads from it.
      await pair.startStandby();
      await pair.caughtUp();
      const secondHealth = second.get(ReplicaHealth);
      await until('the replica is back', async () => (await secondHealth.probe()) === 'healthy');
      const reads = second.get(Metrics).value(METRIC.reads, { target: 'replica' }) ?? 0;
      const again = await second.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${slug}?period=quarter&at=${today}`,
      });
      expect(again.json().headline).toMatchObject({ withheld: false, n: 10 });
      expect(second.get(Metrics).value(METRIC.reads, { target: 'replica' })).toBeGreaterThan(reads);
    } finally {
      await second.close();
    }
  });
});
