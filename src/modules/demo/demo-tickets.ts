/** Made-up tickets for the demo: one integration of each kind, tickets, answers after them. */
import type { IntegrationInput } from '../tickets/integrations.service';
import { resolutionBand } from '../tickets/ticket-rules';
import { COMMENTS } from './demo-data';
import type { PendingAnswer } from '../responses/entities/pending-response.entity';
import type { HistoricFollowUp, HistoricSurvey, HistoricTicket } from './demo-history';

const MINUTE = 60_000;
const DAY = 86_400_000;

type Random = {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(list: T[]) => T;
};

/** One integration of each kind, and the groups (as each system names them) of its teams. */
export const DEMO_INTEGRATIONS: (IntegrationInput & {
  kind: string;
  defaultTeam: string;
  groups: Record<string, string>;
})[] = [
  {
    kind: 'jira',
    name: 'Jira Service Management (IT)',
    defaultTeam: 'it-service-desk',
    mappingRules: [
      { match: 'Field Services', team: 'it-field-services' },
      { match: 'Identity & Access', team: 'it-identity-access' },
    ],
    groups: {
      'it-service-desk': 'Service Desk',
      'it-field-services': 'Field Services',
      'it-identity-access': 'Identity & Access',
    },
  },
  {
    kind: 'zendesk',
    name: 'Zendesk (Facilities)',
    defaultTeam: 'facilities',
    groups: { facilities: 'Facilities' },
  },
  {
    kind: 'servicenow',
    name: 'ServiceNow (Finance)',
    defaultTeam: 'finance',
    groups: { finance: 'Finance Operations' },
  },
  {
    kind: 'freshservice',
    name: 'Freshservice (People & HR)',
    defaultTeam: 'hr',
    excludedCategories: ['Grievance'],
    groups: { hr: 'People Services' },
  },
  {
    kind: 'generic',
    name: 'Legal intake (any JSON source)',
    defaultTeam: 'legal',
    excludedCategories: ['Litigation hold'],
    groups: { legal: 'Legal' },
  },
];

/** How each team's tickets come and go: weekly volume, typical minutes, categories. */
const PROFILES: Record<
  string,
  { perWeek: number; firstResponse: number; handling: number; categories: string[] }
> = {
  'it-service-desk': {
    perWeek: 30,
    firstResponse: 25,
    handling: 240,
    categories: ['Get IT help', 'Laptop', 'Software request', 'Wi-Fi'],
  },
  'it-field-services': {
    perWeek: 10,
    firstResponse: 120,
    handling: 1500,
    categories: ['Hardware repair', 'Desk move', 'Printer'],
  },
  'it-identity-access': {
    perWeek: 12,
    firstResponse: 60,
    handling: 300,
    categories: ['Access request', 'Password reset', 'MFA device'],
  },
  hr: {
    perWeek: 10,
    firstResponse: 240,
    handling: 1800,
    categories: ['Payroll question', 'Leave', 'Contract change', 'Grievance'],
  },
  facilities: {
    perWeek: 14,
    firstResponse: 90,
    handling: 1200,
    categories: ['Building & workplace', 'Meeting room', 'Cleaning', 'Parking'],
  },
  finance: {
    perWeek: 8,
    firstResponse: 200,
    handling: 2400,
    categories: ['Expense claim', 'Supplier payment', 'Purchase order'],
  },
  legal: {
    perWeek: 4,
    firstResponse: 600,
    handling: 5000,
    categories: ['Contract review', 'NDA', 'Litigation hold'],
  },
};

const DAY_WEIGHTS = [1.3, 1.15, 1, 1, 0.8, 0.08, 0.04]; // Monday to Sunday
const HOUR_WEIGHTS = [
  0, 0, 0, 0, 0, 0, 0.1, 0.4, 1, 1.4, 1.3, 1, 0.6, 0.9, 1.2, 1.1, 0.8, 0.4, 0.2, 0.1, 0.05, 0, 0, 0,
];

function weighted(random: Random, weights: number[]): number {
  let roll = random.next() * weights.reduce((a, b) => a + b, 0);
  return Math.max(
    0,
    weights.findIndex((w) => (roll -= w) < 0),
  );
}

/** A duration around `typical` minutes, skewed as service times are. */
function around(random: Random, typical: number): number {
  return Math.max(2, Math.round(typical * Math.exp((random.next() + random.next() - 1) * 1.4)));
}

/** The day a ticket answer is dated by (see ResponsesRepository): its week's start, in its month. */
/** The first day of the release period (a week within a month) holding `time`. */
function ticketAnswerDay(time: number): string {
  const day = new Date(time);
  const monday =
    Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) -
    ((day.getUTCDay() + 6) % 7) * DAY;
  const first = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
  return new Date(Math.max(monday, first)).toISOString().slice(0, 10);
}

export interface DemoTicketsInput {
  random: Random;
  now: number;
  weeks: number;
  k: number;
  teams: { slug: string; id: string; name: string; mood: number }[];
  integrationIds: Record<string, string>;
  questionnaire: { id: string; nps: string; why: string };
  people: {
    name: string;
    email: string;
    department: string | null;
    location: string | null;
    locale: string;
  }[];
}

/** An answer after a ticket, before its release (demo.service releases them by period). */
export interface HistoricTicketAnswer {
  teamId: string;
  /** The first day of the period it was answered in (a week within a month). */
  period: string;
  /** The key of the team's ticket survey of the month it was answered in. */
  survey: string;
  person: string;
  band: string | null;
  answers: PendingAnswer[];
}

/**
 * `weeks` weeks of tickets (busiest on Monday mornings), about half of the resolved ones
 * surveyed and half of those answered, on each team's monthly ticket survey; and a few
 * follow-ups.
 */
export function demoTickets(input: DemoTicketsInput) {
  const { random, now } = input;
  const tickets: HistoricTicket[] = [];
  const answered: HistoricTicketAnswer[] = [];
  const surveys = new Map<string, HistoricSurvey>();
  const start = now - input.weeks * 7 * DAY;
  // Midnight (UTC) of the Monday of the first week.
  const firstMonday = Math.floor(start / DAY) * DAY - ((new Date(start).getUTCDay() + 6) % 7) * DAY;
  let serial = 1000;
  for (const integration of DEMO_INTEGRATIONS) {
    for (const [slug, group] of Object.entries(integration.groups)) {
      const team = input.teams.find((t) => t.slug === slug);
      const profile = PROFILES[slug];
      if (!team || !profile) continue;
      const prefix = {
        jira: 'ITSD-',
        zendesk: '',
        servicenow: 'INC00',
        freshservice: 'SR-',
        generic: 'LEG-',
      }[integration.kind as 'jira'];
      for (let week = 0; week <= input.weeks; week++) {
        for (let i = 0; i < profile.perWeek; i++) {
          const created =
            firstMonday +
            week * 7 * DAY +
            weighted(random, DAY_WEIGHTS) * DAY +
            weighted(random, HOUR_WEIGHTS) * 60 * MINUTE +
            random.int(0, 59) * MINUTE;
          if (created > now) continue;
          const firstResponse = created + around(random, profile.firstResponse) * MINUTE;
          const resolved = created + around(random, profile.handling) * MINUTE;
          const isResolved = resolved < now;
          const closed = isResolved && resolved + 3 * DAY < now ? resolved + 3 * DAY : null;
          const category = random.pick(profile.categories);
          const excluded = (integration.excludedCategories ?? []).includes(category);
          const state = !isResolved
            ? null
            : excluded
              ? 'skipped:excluded-category'
              : random.next() < 0.55
                ? 'sent'
                : random.pick([
                    'skipped:throttled',
                    'skipped:throttled',
                    'skipped:not-an-employee',
                  ]);
          const ticket: HistoricTicket = {
            integration_id: input.integrationIds[integration.kind],
            external_ticket_id: `${prefix}${serial++}`,
            team_id: team.id,
            source_group: group,
            category,
            priority: random.pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
            channel: random.pick(['portal', 'portal', 'email', 'chat', 'phone']),
            created_at: new Date(created).toISOString(),
            first_response_at: firstResponse < now ? new Date(firstResponse).toISOString() : null,
            resolved_at: isResolved ? new Date(resolved).toISOString() : null,
            closed_at: closed ? new Date(closed).toISOString() : null,
            survey_state: state,
          };
          tickets.push(ticket);
          const answeredAt = resolved + random.int(2, 40) * 60 * MINUTE;
          if (state !== 'sent' || answeredAt > now || random.next() > 0.5) continue;

          const band = resolutionBand(new Date(created), new Date(resolved));
          const speed =
            band === '<4h' ? 0.15 : band === '4-24h' ? 0.05 : band === '1-3d' ? -0.1 : -0.3;
          const score = Math.max(
            0,
            Math.min(10, Math.round(7.4 + (team.mood + speed) * 6 + (random.next() - 0.5) * 4.5)),
          );
          const person = random.pick(input.people);
          const period = new Date(answeredAt).toISOString().slice(0, 7);
          const key = `ticket-${slug}-${period}`;
          if (!surveys.has(key)) {
            const [y, m] = period.split('-').map(Number);
            surveys.set(key, {
              key,
              name: `${team.name} · tickets · ${period}`,
              teamId: team.id,
              questionnaireId: input.questionnaire.id,
              closesAt: new Date(Date.UTC(y, m, 1) + 60 * DAY).toISOString(),
              reportingThreshold: input.k,
              ticketPeriod: period,
            });
          }
          const sentiment = score >= 9 ? 'good' : score >= 7 ? 'mixed' : 'bad';
          const answers: PendingAnswer[] = [
            { question_id: input.questionnaire.nps, score, option_key: null, text: null },
          ];
          if (random.next() < 0.35)
            answers.push({
              question_id: input.questionnaire.why,
              score: null,
              option_key: null,
              text: random.pick(COMMENTS[sentiment][person.locale] ?? COMMENTS[sentiment].en),
            });
          answered.push({
            teamId: team.id,
            period: ticketAnswerDay(answeredAt),
            survey: key,
            person: person.email,
            band,
            answers,
          });
        }
      }
    }
  }
  const followUps: HistoricFollowUp[] = [
    ['it-service-desk', 'My laptop keeps losing the VPN; the fix lasted two days.', 2],
    ['it-service-desk', null, 5],
    ['facilities', 'The meeting room screen on floor 3 is still black.', 1],
  ].map(([slug, message, daysAgo]) => {
    const person = random.pick(input.people);
    return {
      team_id: input.teams.find((t) => t.slug === slug)?.id as string,
      employee_name: person.name,
      employee_email: person.email,
      message: message as string | null,
      requested_on: new Date(now - (daysAgo as number) * DAY).toISOString().slice(0, 10),
    };
  });
  return { tickets, answered, surveys: [...surveys.values()], followUps };
}
