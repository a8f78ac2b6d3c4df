import type { CreateQuestionnaireDto } from '../surveys/dto/create-questionnaire.dto';

/**
 * The questionnaires HR can start a campaign from, in English, Spanish, Japanese and Persian.
 * Choosing one creates a questionnaire of the campaign's own (questionnaires never change once
 * used), so editing a template later changes no past wave.
 */
export const TEMPLATE_KEYS = ['pulse', 'enps', 'engagement'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export interface CampaignTemplate {
  label: string;
  description: string;
  /** What the campaign rates by default. */
  subject: 'teams' | 'own_team';
  /** What respondents see as the survey's title, per language, unless the campaign has its own. */
  titles: Record<string, string>;
  questionnaire: CreateQuestionnaireDto;
}

const PULSE: CreateQuestionnaireDto = {
  name: 'Internal service pulse',
  defaultLocale: 'en',
  questions: [
    {
      type: 'nps',
      required: true,
      text: {
        en: 'How likely are you to recommend this team to a colleague?',
        es: '¿Qué probabilidad hay de que recomiendes este equipo a un compañero?',
        ja: 'このチームを同僚に勧める可能性はどのくらいありますか？',
        fa: 'چقدر احتمال دارد این تیم را به یک همکار پیشنهاد کنید؟',
      },
    },
    {
      type: 'rating',
      text: {
        en: 'My request was fully resolved.',
        es: 'Mi solicitud se resolvió por completo.',
        ja: '依頼は完全に解決されました。',
        fa: 'درخواست من به‌طور کامل حل شد.',
      },
    },
    {
      type: 'rating',
      text: {
        en: 'I was kept informed while I waited.',
        es: 'Me mantuvieron informado mientras esperaba.',
        ja: '待っている間、状況を知らせてもらえました。',
        fa: 'در مدت انتظار از وضعیت باخبر بودم.',
      },
    },
    {
      type: 'ces',
      text: {
        en: 'How easy was it to get the help you needed?',
        es: '¿Qué tan fácil fue obtener la ayuda que necesitabas?',
        ja: '必要なサポートを受けるのはどのくらい簡単でしたか？',
        fa: 'دریافت کمکی که نیاز داشتید چقدر آسان بود؟',
      },
    },
    {
      type: 'single',
      text: {
        en: 'How did you contact the team?',
        es: '¿Cómo contactaste con el equipo?',
        ja: 'どの方法でチームに連絡しましたか？',
        fa: 'چگونه با تیم تماس گرفتید؟',
      },
      options: [
        {
          key: 'portal',
          label: {
            en: 'Self-service portal',
            es: 'Portal de autoservicio',
            ja: 'セルフサービスポータル',
            fa: 'پورتال سلف‌سرویس',
          },
        },
        {
          key: 'email',
          label: { en: 'E-mail', es: 'Correo electrónico', ja: 'メール', fa: 'ایمیل' },
        },
        { key: 'chat', label: { en: 'Chat', es: 'Chat', ja: 'チャット', fa: 'گفتگو' } },
        { key: 'phone', label: { en: 'Phone', es: 'Teléfono', ja: '電話', fa: 'تلفن' } },
      ],
    },
    {
      type: 'text',
      maxLength: 2000,
      text: {
        en: 'Why? What could the team do better?',
        es: '¿Por qué? ¿Qué podría hacer mejor el equipo?',
        ja: 'その理由は？チームが改善できる点は何ですか？',
        fa: 'چرا؟ تیم چه کاری را می‌تواند بهتر انجام دهد؟',
      },
    },
  ],
};

const WHY = {
  en: 'What is one thing that would make the biggest difference?',
  es: '¿Qué es lo que marcaría la mayor diferencia?',
  ja: '最も大きな違いを生むことを一つ挙げるとしたら何ですか？',
  fa: 'یک چیزی که بیشترین تفاوت را ایجاد می‌کند چیست؟',
};

const ENPS_QUESTION = {
  type: 'enps' as const,
  required: true,
  text: {
    en: 'How likely are you to recommend this organisation as a place to work?',
    es: '¿Qué probabilidad hay de que recomiendes esta organización como lugar de trabajo?',
    ja: 'この組織を働く場所として勧める可能性はどのくらいありますか？',
    fa: 'چقدر احتمال دارد این سازمان را به‌عنوان محل کار پیشنهاد کنید؟',
  },
};

const ENPS: CreateQuestionnaireDto = {
  name: 'eNPS',
  defaultLocale: 'en',
  questions: [ENPS_QUESTION, { type: 'text', maxLength: 2000, text: WHY }],
};

const rating = (en: string, es: string, ja: string, fa: string) => ({
  type: 'rating' as const,
  text: { en, es, ja, fa },
});

const ENGAGEMENT: CreateQuestionnaireDto = {
  name: 'Engagement',
  defaultLocale: 'en',
  questions: [
    ENPS_QUESTION,
    rating(
      'I have the tools and resources I need to do my job well.',
      'Tengo las herramientas y los recursos que necesito para hacer bien mi trabajo.',
      '仕事をうまく進めるために必要な道具や資源がそろっています。',
      'ابزار و منابعی که برای انجام خوب کارم نیاز دارم را دارم.',
    ),
    rating(
      'My team lead supports my growth.',
      'Mi responsable apoya mi desarrollo.',
      'チームリーダーは私の成長を支えてくれます。',
      'سرپرست تیمم از رشد من حمایت می‌کند.',
    ),
    rating(
      'My workload is manageable.',
      'Mi carga de trabajo es asumible.',
      '業務量は無理のない範囲です。',
      'حجم کارم قابل مدیریت است.',
    ),
    rating(
      'I feel my work matters.',
      'Siento que mi trabajo importa.',
      '自分の仕事には意味があると感じます。',
      'احساس می‌کنم کارم اهمیت دارد.',
    ),
    rating(
      'I can speak up without fear of negative consequences.',
      'Puedo dar mi opinión sin miedo a consecuencias negativas.',
      '不利益を恐れずに意見を言うことができます。',
      'می‌توانم بدون ترس از پیامدهای منفی نظرم را بگویم.',
    ),
    rating(
      'I see myself still working here in a year.',
      'Me veo trabajando aquí dentro de un año.',
      '1年後もここで働いていると思います。',
      'خودم را یک سال دیگر هم در اینجا می‌بینم.',
    ),
    { type: 'text', maxLength: 2000, text: WHY },
  ],
};

export const CAMPAIGN_TEMPLATES: Record<TemplateKey, CampaignTemplate> = {
  pulse: {
    label: 'Internal-service pulse',
    description: 'iNPS, resolution, communication, effort and channel, for each service team rated',
    subject: 'teams',
    titles: {
      en: 'How are our services doing?',
      es: '¿Qué tal funcionan nuestros servicios?',
      ja: '社内サービスについてのアンケート',
      fa: 'خدمات ما چگونه است؟',
    },
    questionnaire: PULSE,
  },
  enps: {
    label: 'eNPS',
    description: 'Would you recommend us as a place to work, and one thing to change',
    subject: 'own_team',
    titles: {
      en: 'Would you recommend us as a place to work?',
      es: '¿Nos recomendarías como lugar de trabajo?',
      ja: '働く場所として勧めたいですか？',
      fa: 'آیا اینجا را به‌عنوان محل کار پیشنهاد می‌کنید؟',
    },
    questionnaire: ENPS,
  },
  engagement: {
    label: 'Engagement',
    description: 'eNPS and six engagement statements about one’s own team, and one thing to change',
    subject: 'own_team',
    titles: {
      en: 'How is work going?',
      es: '¿Cómo va el trabajo?',
      ja: '仕事の調子はいかがですか？',
      fa: 'کار چطور پیش می‌رود؟',
    },
    questionnaire: ENGAGEMENT,
  },
};
