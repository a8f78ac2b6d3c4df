import { WavesService } from '../../src/modules/campaigns/waves.service';
import { createCampaign, createEmployees, createTeam } from '../factories';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * Two app instances (two Nest apps, each with its own pg-boss workers) against one database run
 * the same schedule, several times over, at once: every recipient gets exactly one invitation
 * mail, counted at the SMTP server started here.
 */
describe('two instances run the same schedule', () => {
  let a: TestApp;
  let b: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    const env = { JOB_WORKERS: 'true', SMTP_URL: smtp.url, REPORTING_THRESHOLD: '3' };
    a = await startTestApp(env);
    b = await startTestApp(env, { database: a.db });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.close();
  });

  it('one wave, one invitation and one mail per person', async () => {
    const desk = await createTeam(a, 'Desk');
    const people = await createEmployees(a, 60, { department: 'Twice' });
    const campaign = await createCampaign(a, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Twice'] },
      cadence: { kind: 'once', start: '2027-01-04T10:00', timeZone: 'UTC' },
    });
    // Its opening moved to a minute ago (the clock cannot be), so that mail is due now.
    const opening = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await a.dataSource.query('UPDATE campaign SET start_local = $2 WHERE id = $1', [
      campaign.id,
      opening.toISOString().slice(0, 16),
    ]);
    const at = new Date();
    const schedulers = [a.get(WavesService), b.get(WavesService)];
    // Both instances fire the scheduler, again and again, at the same time.
    await Promise.all([...schedulers, ...schedulers, ...schedulers].map((s) => s.tick(at)));
    const [wave] = await a.dataSource.query('SELECT id FROM wave WHERE campaign_id = $1', [
      campaign.id,
    ]);
    // Both instances' workers also take the wave.open jobs; the wave opens once.
    await Promise.all([a.get(WavesService).open(wave.id), b.get(WavesService).open(wave.id)]);

    const settled = async () => {
      const [row] = await a.dataSource.query(
        `SELECT (SELECT count(*) FROM invitation i JOIN wave w ON w.survey_id = i.survey_id
                  WHERE w.id = $1 AND i.sent_at IS NULL)::int AS unsent,
                (SELECT count(*) FROM wave WHERE id = $1 AND status = 'open')::int AS open,
                (SELECT count(*) FROM pgboss.job WHERE state IN ('created', 'retry', 'active')
                   AND name IN ('wave.open', 'mail.send'))::int AS busy`,
        [wave.id],
      );
      return row.open === 1 && row.unsent === 0 && row.busy === 0;
    };
    await until('the wave’s mail to go', settled, undefined, 60_000, 200);
    const [{ n }] = await a.dataSource.query(
      'SELECT count(*)::int AS n FROM wave WHERE campaign_id = $1',
      [campaign.id],
    );
    expect(n).toBe(1);
    const recipients = smtp.mails.map((m) => (m.to as { text: string }).text.toLowerCase());
    const ours = recipients.filter((r) => r.includes('@example.com') && r.startsWith('person'));
    expect(ours.sort()).toEqual(people.map((p) => p.email).sort());
  });
});
