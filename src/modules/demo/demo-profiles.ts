import type { TeamsService } from '../teams/teams.service';
import type { TeamProfile } from '../teams/team-profile';

/**
 * What each demo team says about itself (the service directory's content): purpose in the four
 * languages for the main teams — Identity & Access only in Spanish and Legal in English and
 * Spanish, so the marked fallback shows — a time zone, weekly hours (office hours, a 24/7 desk, a
 * lunch break, a Saturday morning, a Saturday-to-Wednesday week in Tehran), holidays and a
 * special day, and two to four channels. Seeded through TeamsService, checked as any profile.
 */

type Purpose = TeamProfile['purpose'];
const weekdays = (opens: string, closes: string, days = [1, 2, 3, 4, 5]) =>
  days.map((day) => ({ day, opens, closes }));

const PURPOSES: Record<string, Purpose> = {
  it: {
    en: {
      handles:
        'Everything IT for employees: devices, software, accounts, the network. Start with the Service Desk.',
      excludes: 'Phone contracts and office equipment (Facilities).',
    },
    es: {
      handles:
        'Todo lo informático para los empleados: equipos, software, cuentas y red. Empieza por el Service Desk.',
      excludes: 'Contratos de telefonía y mobiliario de oficina (Instalaciones).',
    },
    ja: {
      handles:
        '従業員向けのIT全般：端末、ソフトウェア、アカウント、ネットワーク。まずはサービスデスクへ。',
      excludes: '携帯電話の契約やオフィス備品（ファシリティ）。',
    },
    fa: {
      handles:
        'همهٔ امور فناوری اطلاعات کارکنان: دستگاه‌ها، نرم‌افزار، حساب‌ها و شبکه. از میز خدمات شروع کنید.',
      excludes: 'قراردادهای تلفن همراه و تجهیزات اداری (تأسیسات).',
    },
  },
  'it-service-desk': {
    en: {
      handles:
        'Laptop problems, password resets, software installs, printers, VPN, Wi-Fi, new joiner set-up.',
      excludes:
        'Buying new hardware for a team (ask your manager), access to finance systems (Identity & Access).',
    },
    es: {
      handles:
        'Problemas con el portátil, cambio de contraseña, instalación de software, impresoras, VPN, wifi, equipos para nuevas incorporaciones.',
      excludes:
        'Comprar equipos para un equipo (pídelo a tu responsable), accesos a sistemas financieros (Identidad y Accesos).',
    },
    ja: {
      handles:
        'ノートパソコンの不具合、パスワードのリセット、ソフトウェアのインストール、プリンター、VPN、Wi-Fi、新入社員の端末準備。',
      excludes:
        'チーム用ハードウェアの購入（上長に相談）、財務システムへのアクセス（ID・アクセス管理）。',
    },
    fa: {
      handles:
        'مشکلات لپ‌تاپ، بازنشانی گذرواژه، نصب نرم‌افزار، چاپگر، VPN، وای‌فای، آماده‌سازی تجهیزات کارکنان جدید.',
      excludes:
        'خرید سخت‌افزار برای تیم (از مدیر خود بخواهید)، دسترسی به سامانه‌های مالی (هویت و دسترسی).',
    },
  },
  'it-field-services': {
    en: {
      handles:
        'Hands-on help at your desk: broken screens, docking stations, meeting-room video, moving equipment.',
      excludes: 'Software problems (Service Desk first).',
    },
    es: {
      handles:
        'Ayuda presencial en tu puesto: pantallas rotas, bases de conexión, vídeo de las salas de reuniones, traslado de equipos.',
      excludes: 'Problemas de software (primero el Service Desk).',
    },
    ja: {
      handles:
        '席での対面サポート：画面の故障、ドッキングステーション、会議室のビデオ会議設備、機器の移設。',
      excludes: 'ソフトウェアの問題（まずはサービスデスクへ）。',
    },
    fa: {
      handles:
        'کمک حضوری پشت میز شما: صفحه‌نمایش خراب، داک، تجهیزات ویدئویی اتاق جلسه، جابه‌جایی تجهیزات.',
      excludes: 'مشکلات نرم‌افزاری (ابتدا میز خدمات).',
    },
  },
  // Written in Spanish only: the other languages show it, marked as not translated.
  'it-identity-access': {
    es: {
      handles:
        'Altas y bajas de accesos, permisos en aplicaciones, tarjetas de acceso, autenticación multifactor.',
      excludes: 'Contraseñas olvidadas (Service Desk).',
    },
  },
  hr: {
    en: {
      handles:
        'Payslips, contracts, leave and absence, benefits, certificates of employment, onboarding questions.',
      excludes: 'Expense claims (Finance Operations).',
    },
    es: {
      handles:
        'Nóminas, contratos, vacaciones y ausencias, beneficios, certificados de empresa, dudas de incorporación.',
      excludes: 'Notas de gastos (Operaciones Financieras).',
    },
    ja: {
      handles: '給与明細、雇用契約、休暇・欠勤、福利厚生、在職証明書、入社手続きの質問。',
      excludes: '経費精算（財務オペレーション）。',
    },
    fa: {
      handles: 'فیش حقوقی، قرارداد، مرخصی و غیبت، مزایا، گواهی اشتغال، پرسش‌های شروع به کار.',
      excludes: 'هزینه‌های مأموریت و بازپرداخت (عملیات مالی).',
    },
  },
  facilities: {
    en: {
      handles:
        'Desks and chairs, heating and air conditioning, cleaning, parking, mail room, mobile phone contracts.',
      excludes: 'Computer equipment (IT Service Desk).',
    },
    es: {
      handles:
        'Mesas y sillas, calefacción y aire acondicionado, limpieza, aparcamiento, correo interno, contratos de móvil.',
      excludes: 'Equipos informáticos (IT Service Desk).',
    },
    ja: {
      handles: '机と椅子、空調、清掃、駐車場、社内郵便、携帯電話の契約。',
      excludes: 'パソコン等のIT機器（ITサービスデスク）。',
    },
    fa: {
      handles:
        'میز و صندلی، گرمایش و تهویه، نظافت، پارکینگ، نامه‌های داخلی، قراردادهای تلفن همراه.',
      excludes: 'تجهیزات رایانه‌ای (میز خدمات فناوری اطلاعات).',
    },
  },
  finance: {
    en: {
      handles: 'Expense claims, corporate cards, supplier invoices, purchase orders.',
      excludes: 'Salaries and payslips (People & HR).',
    },
    es: {
      handles: 'Notas de gastos, tarjetas de empresa, facturas de proveedores, pedidos de compra.',
      excludes: 'Salarios y nóminas (Personas y RR. HH.).',
    },
    ja: {
      handles: '経費精算、法人カード、仕入先の請求書、発注書。',
      excludes: '給与・給与明細（人事）。',
    },
    fa: {
      handles:
        'هزینه‌های قابل بازپرداخت، کارت‌های سازمانی، فاکتورهای تأمین‌کنندگان، سفارش‌های خرید.',
      excludes: 'حقوق و فیش حقوقی (منابع انسانی).',
    },
  },
  legal: {
    en: {
      handles: 'Contract reviews, NDAs, data protection questions, trademarks.',
      excludes: 'Employment contracts (People & HR).',
    },
    es: {
      handles: 'Revisión de contratos, acuerdos de confidencialidad, protección de datos, marcas.',
      excludes: 'Contratos laborales (Personas y RR. HH.).',
    },
  },
};

/** The fourth Thursday of November. */
function thanksgiving(year: number): string {
  const first = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  return `${year}-11-${String(1 + ((4 - first + 7) % 7) + 21).padStart(2, '0')}`;
}

/** Each team's profile but its purpose and standards; `year` dates the holidays. */
function hoursAndChannels(
  slug: string,
  year: number,
): Omit<TeamProfile, 'purpose' | 'firstResponseTargetMinutes' | 'resolutionTargetMinutes'> {
  const christmas = [
    { date: `${year}-12-25`, label: 'Christmas Day', closed: true },
    { date: `${year + 1}-01-01`, label: 'New Year’s Day', closed: true },
  ];
  switch (slug) {
    case 'it':
      return {
        profileLocale: 'en',
        timeZone: 'Europe/Madrid',
        openingHours: weekdays('09:00', '17:00'),
        hoursExceptions: christmas,
        contactChannels: [
          {
            kind: 'portal',
            value: 'https://it.example.com',
            label: {
              en: 'IT portal',
              es: 'Portal de IT',
              ja: 'ITポータル',
              fa: 'درگاه فناوری اطلاعات',
            },
          },
          { kind: 'email', value: 'it@example.com' },
        ],
      };
    case 'it-service-desk':
      // Open around the clock, every day of the year.
      return {
        profileLocale: 'en',
        timeZone: 'Europe/Madrid',
        openingHours: weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]),
        hoursExceptions: [],
        contactChannels: [
          {
            kind: 'portal',
            value: 'https://help.example.com',
            label: {
              en: 'Service portal',
              es: 'Portal de servicio',
              ja: 'サービスポータル',
              fa: 'درگاه خدمات',
            },
          },
          {
            kind: 'chat',
            value: 'https://chat.example.com/it-help',
            label: {
              en: 'Chat with us',
              es: 'Chatea con nosotros',
              ja: 'チャットで相談',
              fa: 'گفتگو با ما',
            },
          },
          { kind: 'phone', value: '+34 910 000 100' },
          { kind: 'email', value: 'it-help@example.com' },
        ],
      };
    case 'it-field-services':
      return {
        profileLocale: 'en',
        timeZone: 'Europe/Madrid',
        openingHours: weekdays('08:00', '18:00'),
        hoursExceptions: christmas,
        contactChannels: [
          {
            kind: 'desk',
            value: 'Madrid HQ, floor 1, room 1.12',
            label: { en: 'Walk-in desk', es: 'Mostrador', ja: '窓口', fa: 'میز حضوری' },
          },
          { kind: 'portal', value: 'https://help.example.com/field' },
        ],
      };
    case 'it-identity-access':
      return {
        profileLocale: 'es',
        timeZone: 'Europe/Madrid',
        openingHours: weekdays('09:00', '17:00'),
        hoursExceptions: christmas,
        contactChannels: [
          {
            kind: 'portal',
            value: 'https://access.example.com',
            label: { es: 'Solicitar acceso' },
          },
          { kind: 'email', value: 'access@example.com' },
        ],
      };
    case 'hr':
      // A lunch break, and a short Christmas Eve.
      return {
        profileLocale: 'en',
        timeZone: 'Europe/Madrid',
        openingHours: [...weekdays('09:00', '13:00'), ...weekdays('14:00', '17:00')],
        hoursExceptions: [
          {
            date: `${year}-12-24`,
            label: 'Christmas Eve',
            closed: false,
            opens: '09:00',
            closes: '13:00',
          },
          ...christmas,
        ],
        contactChannels: [
          {
            kind: 'portal',
            value: 'https://people.example.com',
            label: {
              en: 'People portal',
              es: 'Portal del empleado',
              ja: '人事ポータル',
              fa: 'درگاه کارکنان',
            },
          },
          { kind: 'email', value: 'people@example.com' },
          { kind: 'desk', value: 'Madrid HQ, floor 3' },
        ],
      };
    case 'facilities':
      // Tokyo office hours, and Saturday mornings.
      return {
        profileLocale: 'en',
        timeZone: 'Asia/Tokyo',
        openingHours: [...weekdays('08:00', '18:00'), { day: 6, opens: '09:00', closes: '12:00' }],
        hoursExceptions: [
          { date: `${year + 1}-01-01`, label: '元日 (New Year’s Day)', closed: true },
          { date: `${year + 1}-01-02`, label: '年始休業', closed: true },
          { date: `${year + 1}-01-03`, label: '年始休業', closed: true },
        ],
        contactChannels: [
          { kind: 'phone', value: '+81 3 0000 0200' },
          { kind: 'email', value: 'facilities@example.com' },
          { kind: 'desk', value: 'Tokyo office, reception' },
        ],
      };
    case 'finance':
      // The Tehran office: Saturday to Wednesday.
      return {
        profileLocale: 'en',
        timeZone: 'Asia/Tehran',
        openingHours: weekdays('08:00', '16:00', [6, 7, 1, 2, 3]),
        hoursExceptions: [
          { date: `${year + 1}-03-20`, label: 'نوروز (Nowruz)', closed: true },
          { date: `${year + 1}-03-21`, label: 'نوروز (Nowruz)', closed: true },
        ],
        contactChannels: [
          { kind: 'email', value: 'finance@example.com' },
          {
            kind: 'portal',
            value: 'https://expenses.example.com',
            label: { en: 'Expenses', es: 'Gastos', ja: '経費', fa: 'هزینه‌ها' },
          },
        ],
      };
    default:
      // Legal: New York office hours.
      return {
        profileLocale: 'en',
        timeZone: 'America/New_York',
        openingHours: weekdays('09:00', '17:00'),
        hoursExceptions: [
          { date: thanksgiving(year), label: 'Thanksgiving', closed: true },
          ...christmas,
        ],
        contactChannels: [
          { kind: 'email', value: 'legal@example.com' },
          { kind: 'chat', value: 'https://chat.example.com/legal' },
        ],
      };
  }
}

/** Gives every demo team its profile, through the team's own checks. */
export async function seedDemoProfiles(
  teams: TeamsService,
  slugs: string[],
  now: number,
): Promise<void> {
  const year = new Date(now).getUTCFullYear();
  for (const slug of slugs) {
    const team = await teams.getBySlug(slug);
    await teams.updateProfile(slug, {
      purpose: PURPOSES[slug] ?? {},
      ...hoursAndChannels(slug, year),
      firstResponseTargetMinutes: team.firstResponseTargetMinutes,
      resolutionTargetMinutes: team.resolutionTargetMinutes,
    });
  }
}
