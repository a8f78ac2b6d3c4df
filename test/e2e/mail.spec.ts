import { InvitationsService } from '../../src/modules/invitations/invitations.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, openSurvey } from '../factories';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

describe('invitation mail through a real SMTP server', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'inpulse <surveys@example.com>' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends each person an HTML and a text mail in their language with a working personal link', async () => {
    const { survey } = await createSurvey(t);
    const [en] = await createEmployees(t, 1, { locale: 'en' });
    const [es] = await createEmployees(t, 1, { locale: 'es' });
    const [fa] = await createEmployees(t, 1, { locale: 'fa' });
    await t.get(SurveysService).send(survey.id, { employeeIds: [en.id, es.id, fa.id] });
    const ids: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    await t.get(InvitationsService).deliver(ids.map((r) => r.id));
    // Delivering again sends nothing more.
    await t.get(InvitationsService).deliver(ids.map((r) => r.id));

    expect(smtp.mails).toHaveLength(3);
    const byAddress = (email: string) =>
      smtp.mails.find((m) => m.to && JSON.stringify(m.to).includes(email))!;
    const mailEn = byAddress(en.email);
    const mailEs = byAddress(es.email);
    const mailFa = byAddress(fa.email);
    expect(mailEn.from?.text).toContain('surveys@example.com');
    expect(mailEn.subject).toMatch(/How did .+ do\?/);
    expect(mailEs.subject).not.toEqual(mailEn.subject);
    expect(mailEn.text).toContain('anonymous');
    expect(mailEn.html).toContain('<a href="http://localhost:3000/s/');
    expect(mailFa.html).toContain('dir="rtl"');
    expect(mailEs.html).toContain('lang="es"');

    // The link works, and only its hash is stored.
    const token = mailEs.text!.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
    const { page } = await openSurvey(t, token);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="es"');
    const stored = await t.dataSource.query(
      `SELECT 1 FROM invitation WHERE encode(token_hash, 'escape') LIKE $1`,
      [`%${token}%`],
    );
    expect(stored).toHaveLength(0);
    const sent = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1 AND sent_at IS NOT NULL',
      [survey.id],
    );
    expect(sent[0].n).toBe(3);
    expect(await t.dataSource.query('SELECT 1 FROM outbox_message')).toHaveLength(0);
  });

  it('leaves unsent invitations to the retry when the SMTP server is down', async () => {
    const { survey } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    await t.get(SurveysService).send(survey.id, { employeeIds: [person.id] });
    const [{ id }] = await t.dataSource.query('SELECT id FROM invitation WHERE survey_id = $1', [
      survey.id,
    ]);
    await smtp.close();
    await expect(t.get(InvitationsService).deliver([id])).rejects.toThrow();
    const [row] = await t.dataSource.query('SELECT sent_at FROM invitation WHERE id = $1', [id]);
    expect(row.sent_at).toBeNull();
  });
});
