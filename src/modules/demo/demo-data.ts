/** Fixed demo content: teams, people and a standard internal-service questionnaire in 4 languages. */
import { CAMPAIGN_TEMPLATES } from '../campaigns/campaign-templates';
import type { CreateTeamDto } from '../teams/dto/create-team.dto';

export const DEMO_TEAMS: (CreateTeamDto & { mood: number })[] = [
  { slug: 'it', name: 'IT', npsTarget: 30, csatTarget: 80, mood: 0.15 },
  {
    slug: 'it-service-desk',
    name: 'IT Service Desk',
    parentSlug: 'it',
    npsTarget: 35,
    csatTarget: 85,
    firstResponseTargetMinutes: 60,
    resolutionTargetMinutes: 1440,
    mood: 0.25,
  },
  {
    slug: 'it-field-services',
    name: 'IT Field Services',
    parentSlug: 'it',
    npsTarget: 30,
    csatTarget: 80,
    firstResponseTargetMinutes: 240,
    resolutionTargetMinutes: 2880,
    mood: 0.05,
  },
  {
    slug: 'it-identity-access',
    name: 'Identity & Access',
    parentSlug: 'it',
    npsTarget: 25,
    csatTarget: 80,
    firstResponseTargetMinutes: 120,
    resolutionTargetMinutes: 480,
    mood: -0.1,
  },
  {
    slug: 'hr',
    name: 'People & HR',
    npsTarget: 30,
    csatTarget: 80,
    firstResponseTargetMinutes: 480,
    mood: 0.2,
  },
  {
    slug: 'facilities',
    name: 'Facilities',
    npsTarget: 20,
    csatTarget: 75,
    firstResponseTargetMinutes: 240,
    mood: -0.05,
  },
  {
    slug: 'finance',
    name: 'Finance Operations',
    npsTarget: 20,
    csatTarget: 75,
    firstResponseTargetMinutes: 480,
    mood: 0.0,
  },
  {
    slug: 'legal',
    name: 'Legal',
    npsTarget: 25,
    csatTarget: 80,
    firstResponseTargetMinutes: 1440,
    mood: 0.1,
  },
];

export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Customer Support',
  'Operations',
  'Finance',
  'People',
  'Legal',
];
export const LOCATIONS = [
  'London',
  'New York',
  'Madrid',
  'Mexico City',
  'Tokyo',
  'Osaka',
  'Tehran',
  'Remote',
];

export const NAMES: Record<string, { first: string[]; last: string[] }> = {
  en: {
    first: [
      'Olivia',
      'Liam',
      'Amelia',
      'Noah',
      'Isla',
      'Jack',
      'Grace',
      'Harry',
      'Chloe',
      'Oscar',
      'Emily',
      'Leo',
    ],
    last: [
      'Smith',
      'Jones',
      'Taylor',
      'Brown',
      'Wilson',
      'Evans',
      'Walker',
      'Wright',
      'Hughes',
      'Green',
    ],
  },
  es: {
    first: [
      'Lucía',
      'Hugo',
      'Sofía',
      'Mateo',
      'Martina',
      'Pablo',
      'Valeria',
      'Diego',
      'Carmen',
      'Javier',
    ],
    last: [
      'García',
      'Martínez',
      'López',
      'Sánchez',
      'Pérez',
      'Gómez',
      'Ruiz',
      'Díaz',
      'Moreno',
      'Romero',
    ],
  },
  ja: {
    first: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi', 'Yuto', 'Mei', 'Riku', 'Sakura'],
    last: [
      'Sato',
      'Suzuki',
      'Takahashi',
      'Tanaka',
      'Watanabe',
      'Ito',
      'Yamamoto',
      'Nakamura',
      'Kobayashi',
      'Kato',
    ],
  },
  fa: {
    first: [
      'Sara',
      'Ali',
      'Maryam',
      'Reza',
      'Zahra',
      'Amir',
      'Fatemeh',
      'Hossein',
      'Niloufar',
      'Dariush',
    ],
    last: [
      'Ahmadi',
      'Hosseini',
      'Karimi',
      'Rahimi',
      'Moradi',
      'Jafari',
      'Rezaei',
      'Kazemi',
      'Sadeghi',
      'Tehrani',
    ],
  },
};

/** The time zone of each location (Remote people keep the organisation's). */
export const LOCATION_TIME_ZONES: Record<string, string | null> = {
  London: 'Europe/London',
  'New York': 'America/New_York',
  Madrid: 'Europe/Madrid',
  'Mexico City': 'America/Mexico_City',
  Tokyo: 'Asia/Tokyo',
  Osaka: 'Asia/Tokyo',
  Tehran: 'Asia/Tehran',
  Remote: null,
};

/** Where people of each locale mostly work. */
export const HOME_LOCATIONS: Record<string, string[]> = {
  en: ['London', 'New York', 'Remote'],
  es: ['Madrid', 'Mexico City', 'Remote'],
  ja: ['Tokyo', 'Osaka'],
  fa: ['Tehran', 'London', 'Remote'],
};

/** The internal-service pulse template, which the demo's history answers. */
export const DEMO_QUESTIONNAIRE = CAMPAIGN_TEMPLATES.pulse.questionnaire;

/** Comments by sentiment and locale, for believable history. */
export const COMMENTS: Record<'good' | 'mixed' | 'bad', Record<string, string[]>> = {
  good: {
    en: [
      'Quick and friendly, fixed on the first call.',
      'Clear instructions and they followed up the next day.',
      'Best support experience I have had here.',
    ],
    es: [
      'Rápidos y amables, lo resolvieron a la primera.',
      'Instrucciones claras y seguimiento al día siguiente.',
    ],
    ja: ['迅速で丁寧な対応でした。', '翌日にフォローアップがあり安心しました。'],
    fa: ['سریع و مؤدبانه، در همان تماس اول حل شد.', 'راهنمایی روشن بود و روز بعد پیگیری کردند.'],
  },
  mixed: {
    en: [
      'Solved in the end, but I had to chase twice.',
      'Good people, slow process.',
      'The portal form is confusing.',
    ],
    es: ['Al final se resolvió, pero tuve que insistir dos veces.', 'Buena gente, proceso lento.'],
    ja: ['最終的には解決しましたが、2回催促が必要でした。', '担当者は親切ですが手続きが遅いです。'],
    fa: ['در نهایت حل شد، اما دو بار پیگیری کردم.', 'افراد خوب، روند کند.'],
  },
  bad: {
    en: [
      'Nobody told me what was happening for a week.',
      'Ticket closed without fixing the problem.',
      'Passed between three teams before anyone owned it.',
    ],
    es: ['Nadie me dijo nada durante una semana.', 'Cerraron el ticket sin resolver el problema.'],
    ja: ['1週間何の連絡もありませんでした。', '問題が解決しないままチケットが閉じられました。'],
    fa: ['یک هفته هیچ‌کس به من خبر نداد.', 'تیکت بدون حل مشکل بسته شد.'],
  },
};
