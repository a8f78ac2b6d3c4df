import { randomUUID } from 'node:crypto';
import { ReplicaHealth } from '../../src/database/replica-health';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam } from '../factories';
import { startPrimaryAndStandby, type PrimaryAndStandby } from '../setup/replica';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * The report cache's review, finding 8: the tree part of a closed period's cache key comes from
 * the server the figures are read from (the version statement hashes that server's team tree), so
 * figures computed on a replica's older tree are never kept under the primary's newer tree and
 * served on after the replica has replayed the change.
 */
describe('the report cache on a read replica', () => {
  let pair: PrimaryAndStandby;
  let t: TestApp;
  let health: ReplicaHealth;
  const closed = addBuckets(
    bucketStart(new Date().toISOString().slice(0, 10), 'month'),
    'month',
    -1,
  );

  beforeAll(async () => {
    pair = await startPrimaryAndStandby();
    t = await startTestApp(
      { DATABASE_REPLICA_URL: pair.replicaUrl, DATABASE_REPLICA_MAX_LAG_SECONDS: '120' },
      { database: pair.database },
    );
    health = t.get(ReplicaHealth);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await pair?.stop();
  });

  it('does not keep figures of the replica’s old tree under the primary’s new tree', async () => {
    const parent = await createTeam(t, 'Parent desk');
    const child = await createTeam(t, 'Moved desk');
    const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: child.slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: `${closed.slice(0, 7)}-10`,
      submissions: [10, 10, 10, 9, 9, 8, 7, 6, 5, 3].map((score) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: child.id,
            answers: [{ question_id: nps.id, score, option_key: null, text: null }],
          },
        ],
      })),
    });
    await pair.caughtUp();
    await until('the replica is healthy', async () => (await health.probe()) === 'healthy');
    const parentReport = async () => {
      const res = await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${parent.slug}?period=month&at=${closed}`,
      });
      expect(res.statusCode).toBe(200);
      return res.json().headline as { withheld: boolean; n?: number };
    };
    expect(await parentReport()).toMatchObject({ withheld: true });

    // The team moves under the parent on the primary while the standby does not replay it.
    await pair.pauseReplay();
    await t.dataSource.query(`UPDATE service_team SET parent_id = $1 WHERE id = $2`, [
      parent.id,
      child.id,
    ]);
    expect(await health.probe()).toBe('healthy'); // just behind, well within the bound
    expect(await parentReport()).toMatchObject({ withheld: true }); // the replica's old tree

    await pair.resumeReplay();
    await pair.caughtUp();
    await until('the replica is healthy again', async () => (await health.probe()) === 'healthy');
    // The replica now rolls the moved team up into the parent: so does the report.
    expect(await parentReport()).toMatchObject({ withheld: false, n: 10 });
  });
});
