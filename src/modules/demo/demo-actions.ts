import type { ActionChangesService } from '../actions/action-changes.service';
import { DAY, isoDate } from './demo-random';

interface DemoAction {
  team: string;
  heard: string;
  planned: string;
  locale: 'en' | 'es' | 'ja' | 'fa';
  translations?: Record<string, { heard: string; planned: string }>;
  origin: 'question' | 'comments' | 'follow_up' | 'other';
  status: 'planned' | 'in_progress' | 'done' | 'dropped';
  /** Days from today: done (negative) or due. */
  doneDaysAgo?: number;
  dueInDays?: number;
  published: boolean;
}

/**
 * A few actions per demo team: some done months ago (so the trend chart shows its markers), some
 * published ("you said, we did" on the directory, the thank-you page and invitations), one in
 * progress, one internal, one translated into every language and one in one language only (so
 * the fallback shows). Written in leads' words: no comment is quoted.
 */
export const DEMO_ACTIONS: DemoAction[] = [
  {
    team: 'it',
    heard: 'People do not know which IT team to ask for what.',
    planned: 'One page listing what each IT team handles, linked from every ticket form.',
    locale: 'en',
    origin: 'question',
    status: 'done',
    doneDaysAgo: 45,
    published: true,
  },
  {
    team: 'it',
    heard: 'New laptops arrive without the software people need.',
    planned: 'A standard software bundle per department, installed before delivery.',
    locale: 'en',
    origin: 'comments',
    status: 'planned',
    dueInDays: 45,
    published: false,
  },
  {
    team: 'it-service-desk',
    heard: 'Many of you said it takes too long to get a first answer from the service desk.',
    planned: 'A first reply within 4 working hours for every ticket, with a named person.',
    locale: 'en',
    translations: {
      es: {
        heard: 'Muchos dijisteis que la primera respuesta del service desk tarda demasiado.',
        planned:
          'Una primera respuesta en menos de 4 horas laborables, con una persona de contacto.',
      },
      ja: {
        heard: 'サービスデスクからの最初の回答に時間がかかりすぎるという声が多くありました。',
        planned: 'すべてのチケットに4営業時間以内に担当者名つきで最初の返信をします。',
      },
      fa: {
        heard: 'بسیاری از شما گفتید که اولین پاسخ میز خدمات خیلی دیر می‌رسد.',
        planned: 'اولین پاسخ به هر درخواست ظرف ۴ ساعت کاری، با نام یک مسئول.',
      },
    },
    origin: 'question',
    status: 'done',
    doneDaysAgo: 80,
    published: true,
  },
  {
    team: 'it-service-desk',
    heard: 'Password resets were a recurring theme in the comments of the last quarter.',
    planned: 'Self-service password reset from the sign-in page, no ticket needed.',
    locale: 'en',
    origin: 'comments',
    status: 'in_progress',
    dueInDays: 2,
    published: true,
  },
  {
    team: 'it-service-desk',
    heard: 'Night-shift colleagues find it hard to reach us.',
    planned: 'Try a chat rota covering 22:00–06:00 for one month, then decide.',
    locale: 'en',
    origin: 'other',
    status: 'planned',
    dueInDays: 30,
    published: false,
  },
  {
    team: 'it-field-services',
    heard: 'Laptop replacements took more than a week for several people.',
    planned: 'A stock of ready-to-go laptops in each office, swapped the same day.',
    locale: 'en',
    translations: {
      es: {
        heard: 'La sustitución de portátiles tardó más de una semana para varias personas.',
        planned: 'Un stock de portátiles listos en cada oficina, cambiados el mismo día.',
      },
    },
    origin: 'question',
    status: 'done',
    doneDaysAgo: 55,
    published: true,
  },
  {
    team: 'it-identity-access',
    heard: 'Access requests for new joiners were often late on their first day.',
    planned: 'Access ready before the first day, from the HR start date.',
    locale: 'en',
    origin: 'follow_up',
    status: 'done',
    doneDaysAgo: 35,
    published: true,
  },
  {
    team: 'hr',
    heard: 'Las nóminas con errores tardan mucho en corregirse.',
    planned: 'Corrección de nóminas en 3 días laborables y aviso por correo al resolverla.',
    locale: 'es',
    translations: {
      en: {
        heard: 'Payslips with mistakes take a long time to be corrected.',
        planned: 'Payslip corrections within 3 working days, with a mail once it is fixed.',
      },
    },
    origin: 'comments',
    status: 'done',
    doneDaysAgo: 50,
    published: true,
  },
  {
    team: 'hr',
    heard: 'The parental leave process is hard to follow.',
    planned: 'One page with the steps and who to ask, in every language of the company.',
    locale: 'en',
    origin: 'question',
    status: 'in_progress',
    dueInDays: -5,
    published: false,
  },
  {
    team: 'facilities',
    heard: '会議室の予約が取りにくいという声がありました。',
    planned: '予約システムで15分以内に使われない予約を自動で解放します。',
    locale: 'ja',
    origin: 'comments',
    status: 'done',
    doneDaysAgo: 40,
    published: true,
  },
  {
    team: 'facilities',
    heard: 'The office is too cold in the mornings.',
    planned: 'Heating starts an hour earlier on weekdays from November to March.',
    locale: 'en',
    origin: 'question',
    status: 'planned',
    dueInDays: 14,
    published: true,
  },
  {
    team: 'finance',
    heard: 'Expense reimbursements arrive late and nobody says why.',
    planned: 'Reimbursement within 10 days, and a status you can check yourself.',
    locale: 'en',
    origin: 'question',
    status: 'done',
    doneDaysAgo: 65,
    published: true,
  },
  {
    team: 'finance',
    heard: 'A paper form is still needed for advances.',
    planned: 'Move advances to the expense tool.',
    locale: 'en',
    origin: 'other',
    status: 'dropped',
    dueInDays: -20,
    published: false,
  },
  {
    team: 'legal',
    heard: 'درخواست‌های بررسی قرارداد بدون اطلاع از وضعیت می‌مانند.',
    planned: 'هر درخواست بررسی قرارداد ظرف دو روز کاری یک تاریخ تقریبی پاسخ می‌گیرد.',
    locale: 'fa',
    origin: 'comments',
    status: 'in_progress',
    dueInDays: 21,
    published: true,
  },
];

/** Seeds DEMO_ACTIONS through the actions feature's own rules (and audit). */
export async function seedDemoActions(
  actions: ActionChangesService,
  teamIds: Record<string, string>,
  now: number,
): Promise<number> {
  let seeded = 0;
  for (const a of DEMO_ACTIONS) {
    const teamId = teamIds[a.team];
    if (!teamId) continue;
    await actions.create(
      { id: teamId, slug: a.team },
      {
        heard: a.heard,
        planned: a.planned,
        locale: a.locale,
        translations: a.translations ?? {},
        origin: a.origin,
        status: a.status,
        published: a.published,
        ...(a.doneDaysAgo !== undefined ? { doneOn: isoDate(now - a.doneDaysAgo * DAY) } : {}),
        ...(a.dueInDays !== undefined ? { dueOn: isoDate(now + a.dueInDays * DAY) } : {}),
      },
      { actor: undefined },
    );
    seeded++;
  }
  return seeded;
}
