import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { HrisSyncService } from '../../src/modules/hris-sync/hris-sync.service';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The safety stop counts what the sync deactivated lately, not one run alone (the finding:
 * dropping 9% per hourly run deactivated half the company without a stop). Deactivations since
 * the last run HR confirmed, within SAFETY_WINDOW_DAYS, add up against the share.
 */
describe('HRIS sync safety stop over several runs', () => {
  let t: TestApp;
  let dir: string;
  let sync: HrisSyncService;
  const people = Array.from({ length: 20 }, (_, i) => `w${i}@window.example`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inpulse-hris-window-'));
    t = await startTestApp({ HRIS_SYNC_DIR: dir });
    sync = t.get(HrisSyncService);
    await t
      .get(DirectoryService)
      .importCsv(['email,name', ...people.map((p, i) => `${p},Person ${i}`)].join('\n'));
    await sync.saveSettings({
      source: 'people.csv',
      format: 'csv',
      cron: '0 5 * * *',
      maxDeactivatePercent: '10',
      mapping: { email: 'email', name: 'name' },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The file keeps the first `count` people. */
  const file = (count: number) =>
    writeFile(
      join(dir, 'people.csv'),
      ['email,name', ...people.slice(0, count).map((p, i) => `${p},Person ${i}`)].join('\n'),
    );

  it('stops the run that takes the deactivations since the last confirmation past the share', async () => {
    // 20 active; each run drops one person (5%, under the 10% of one run).
    await file(19);
    expect((await sync.runNow()).status).toBe('applied');
    await file(18);
    expect((await sync.runNow()).status).toBe('applied'); // 2 of 20: 10%, not more
    await file(17);
    const third = await sync.runNow();
    expect(third.status).toBe('stopped'); // 3 of 20 within the window: 15%
    expect(third.plan!.counts.deactivated).toBe(1);
    expect(third.plan!.deactivatedBefore).toBe(2);
    // A dry run says the same.
    expect((await sync.dryRun()).plan!.wouldStop).toBe(true);
    // HR confirms: the window starts again from there.
    expect((await sync.confirm(third.id)).status).toBe('confirmed');
    await file(16);
    expect((await sync.runNow()).status).toBe('applied');
  });
});
