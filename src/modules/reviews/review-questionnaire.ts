import type { CreateQuestionnaireDto } from '../surveys/dto/create-questionnaire.dto';

/**
 * The built-in review questionnaire ("{team}" is filled with the team's name), used by teams
 * for which HR chose none. Made once, on first use, under BUILTIN_REVIEW_KEY: a change of these
 * texts must come with a new key, so that earlier months' answers keep meaning what they asked.
 */
export const BUILTIN_REVIEW_KEY = 'builtin-v1';

export const BUILTIN_REVIEW_QUESTIONNAIRE: CreateQuestionnaireDto = {
  name: 'Anonymous review',
  defaultLocale: 'en',
  questions: [
    {
      type: 'nps',
      required: true,
      text: {
        en: 'How likely are you to recommend {team} to a colleague?',
        es: '¿Qué probabilidad hay de que recomiendes a {team} a un compañero?',
        ja: '{team} を同僚に勧める可能性はどのくらいですか？',
        fa: 'چقدر احتمال دارد {team} را به یک همکار توصیه کنید؟',
      },
    },
    {
      type: 'text',
      maxLength: 1000,
      text: {
        en: 'What works well?',
        es: '¿Qué funciona bien?',
        ja: 'うまくいっていることは何ですか？',
        fa: 'چه چیزی خوب کار می‌کند؟',
      },
    },
    {
      type: 'text',
      maxLength: 1000,
      text: {
        en: 'What should change?',
        es: '¿Qué debería cambiar?',
        ja: '変えるべきことは何ですか？',
        fa: 'چه چیزی باید تغییر کند؟',
      },
    },
  ],
};
