import {
  createEmployees,
  createSurvey,
  inviteAndCollectTokens,
  openSurvey,
  submitSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

const EXPECTED = {
  en: {
    dir: 'ltr',
    privacy: 'Your answers are anonymous',
    submit: 'Send my answers',
    thanks: 'Thank you',
    required: 'Please answer this question.',
    question: 'How likely are you to recommend',
    used: 'Already answered',
  },
  es: {
    dir: 'ltr',
    privacy: 'Tus respuestas son anónimas',
    submit: 'Enviar',
    thanks: 'Gracias',
    required: 'responde',
    question: '¿Recomendarías al equipo?',
    used: '',
  },
  ja: {
    dir: 'ltr',
    privacy: '匿名',
    submit: '送信',
    thanks: 'ありがとう',
    required: '回答',
    question: '勧めますか？',
    used: '',
  },
  fa: {
    dir: 'rtl',
    privacy: 'ناشناس',
    submit: 'ارسال',
    thanks: 'سپاس',
    required: 'پاسخ',
    question: 'آیا توصیه می‌کنید؟',
    used: '',
  },
} as const;

describe('the answer flow in each language', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(Object.keys(EXPECTED) as (keyof typeof EXPECTED)[])(
    'works end to end in %s',
    async (locale) => {
      const expected = EXPECTED[locale];
      const { survey, questions } = await createSurvey(t);
      const [person] = await createEmployees(t, 1, { locale });
      const [token] = await inviteAndCollectTokens(t, survey.id, [person]);

      const session = await openSurvey(t, token);
      const { page } = session;
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<html lang="${locale}" dir="${expected.dir}">`);
      expect(page.body).toContain(expected.question);
      expect(page.body.toLowerCase()).toContain(expected.privacy.toLowerCase());
      expect(page.body).toContain(expected.submit);

      const invalid = await submitSurvey(t, token, {}, session);
      expect(invalid.statusCode).toBe(422);
      expect(invalid.body).toContain(`dir="${expected.dir}"`);
      expect(invalid.body).toContain(expected.required);

      const done = await submitSurvey(t, token, { [`q_${questions[0].id}`]: '10' }, session);
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain(`<html lang="${locale}" dir="${expected.dir}">`);
      expect(done.body).toContain(expected.thanks);

      const used = await t.request({
        method: 'GET',
        url: `/s/${token}`,
        headers: { 'accept-language': 'en' },
      });
      expect(used.statusCode).toBe(410);
      // The person's own language wins over the browser's.
      expect(used.body).toContain(`<html lang="${locale}"`);
      // Spent at once (the answer waits sealed for the release): told so, not "expired".
      if (expected.used) expect(used.body).toContain(expected.used);
    },
  );

  it('falls back to Accept-Language when the person has no supported locale, then to English', async () => {
    const { survey } = await createSurvey(t);
    const [person] = await createEmployees(t, 1, { locale: 'de' });
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    const es = await t.request({
      method: 'GET',
      url: `/s/${token}`,
      headers: { 'accept-language': 'de-DE,de;q=0.9,es;q=0.8' },
    });
    expect(es.body).toContain('<html lang="es"');
    const en = await t.request({
      method: 'GET',
      url: `/s/${token}`,
      headers: { 'accept-language': 'de' },
    });
    expect(en.body).toContain('<html lang="en"');
    const unknown = await t.request({
      method: 'GET',
      url: '/s/nope',
      headers: { 'accept-language': 'fa' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('<html lang="fa" dir="rtl">');
  });
});
