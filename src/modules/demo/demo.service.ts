import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AccountsService } from '../accounts/accounts.service';
import { hashPassword, randomPassword } from '../accounts/passwords';
import { firstOccurrences } from '../campaigns/cadence';
import { cadenceOf, CampaignsService } from '../campaigns/campaigns.service';
import { DirectoryService } from '../directory/directory.service';
import { hashToken, newToken } from '../invitations/tokens';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { IntegrationsService } from '../tickets/integrations.service';
import { newSigningSecret } from '../tickets/secrets';
import { TICKET_QUESTIONNAIRE } from '../tickets/ticket-surveys.service';
import { DEMO_INTEGRATIONS, demoTickets } from './demo-tickets';
import {
  COMMENTS,
  DEMO_QUESTIONNAIRE,
  DEMO_TEAMS,
  DEPARTMENTS,
  HOME_LOCATIONS,
  LOCATION_TIME_ZONES,
  LOCATIONS,
  NAMES,
} from './demo-data';
import type { PendingAnswer } from '../responses/entities/pending-response.entity';
import { periodStart } from '../responses/release-periods';
import type { Submission } from '../responses/release-plan';
import { ResponsesService } from '../responses/responses.service';
import {
  DemoRepository,
  HistoricInvitation,
  type HistoricWave,
  HistoricSurvey,
} from './demo.repository';
import type { HistoricTicketAnswer } from './demo-tickets';

const WEEKS = 12;
const EMPLOYEES = 300;
const DAY = 86_400_000;

/** Small deterministic PRNG so that every demo looks the same. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)],
  };
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function tenureBand(hireDate: string, now: number): string {
  const years = (now - Date.parse(hireDate)) / (365.25 * DAY);
  return years < 1 ? '<1y' : years < 2 ? '1-2y' : years < 5 ? '2-5y' : '5y+';
}

@Injectable()
export class DemoService {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly demo: DemoRepository,
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly surveys: SurveysService,
    private readonly accountsService: AccountsService,
    private readonly campaigns: CampaignsService,
    private readonly integrations: IntegrationsService,
    private readonly responses: ResponsesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seeds the demo organisation once, on an empty database. Returns whether it did. */
  async seedIfEmpty(): Promise<boolean> {
    if (await this.demo.hasTeams()) return false;
    this.logger.log('empty database: seeding demo data');
    const random = prng(20261123);
    const now = Date.now();

    const teamIds: Record<string, string> = {};
    for (const { mood: _mood, ...team } of DEMO_TEAMS)
      teamIds[team.slug] = (await this.teams.create(team)).id;

    const csv = ['email,name,department,location,hire_date,locale,team,time_zone'];
    const ownTeams = DEMO_TEAMS.filter((t) => t.slug !== 'it').map((t) => t.slug);
    const localeWeights: [string, number][] = [
      ['en', 0.45],
      ['es', 0.2],
      ['ja', 0.18],
      ['fa', 0.17],
    ];
    for (let i = 0; i < EMPLOYEES; i++) {
      let roll = random.next();
      const locale = localeWeights.find(([, w]) => (roll -= w) < 0)?.[0] ?? 'en';
      const first = random.pick(NAMES[locale].first);
      const last = random.pick(NAMES[locale].last);
      const location =
        random.next() < 0.8 ? random.pick(HOME_LOCATIONS[locale]) : random.pick(LOCATIONS);
      const hire = isoDate(now - random.int(20, 9 * 365) * DAY);
      const email =
        `${first}.${last}.${i}`
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z0-9.]/g, '') + '@example.com';
      csv.push(
        [
          email,
          `${first} ${last}`,
          random.pick(DEPARTMENTS),
          location,
          hire,
          locale,
          // Most people belong to no service team; a few dozen work in one.
          random.next() < 0.15 ? random.pick(ownTeams) : '',
          LOCATION_TIME_ZONES[location] ?? '',
        ].join(','),
      );
    }
    await this.directory.importCsv(csv.join('\n'));
    const people = (await this.directory.list({ limit: 500 })).items;

    const questionnaire = await this.surveys.createQuestionnaire(DEMO_QUESTIONNAIRE);
    const questions = questionnaire.questions ?? [];
    const [nps, resolved, informed, ces, channel, why] = questions;

    const surveys: HistoricSurvey[] = [];
    const invitations: HistoricInvitation[] = [];
    /** Each past survey's answers, released when it closed (by the mixer's rules). */
    const submissions = new Map<string, Submission[]>();
    let answeredCount = 0;
    const start = now - WEEKS * 7 * DAY;
    for (const team of DEMO_TEAMS) {
      // One survey every four weeks per team, each answered over its four weeks.
      for (let block = 0; block < WEEKS / 4; block++) {
        const key = `${team.slug}-${block}`;
        const opens = start + block * 28 * DAY;
        surveys.push({
          key,
          name: `${team.name} — pulse ${block + 1}`,
          teamId: teamIds[team.slug],
          questionnaireId: questionnaire.id,
          closesAt: new Date(Math.min(opens + 28 * DAY, now - DAY)).toISOString(),
          reportingThreshold: this.config.reportingThreshold,
        });
        const audience = [...people].sort(() => random.next() - 0.5).slice(0, random.int(70, 110));
        const rate = 0.45 + random.next() * 0.3;
        audience.forEach((person, index) => {
          const answered = index < audience.length * rate;
          random.int(0, 26); // (keeps the demo's random sequence as it was tuned)
          const segment = {
            department: person.department,
            location: person.location,
            tenure_band: person.hireDate ? tenureBand(person.hireDate, opens) : null,
          };
          invitations.push({
            survey: key,
            employee_id: person.id,
            answered,
            sent_at: new Date(opens).toISOString(),
            ...segment,
          });
          if (!answered) return;
          // Mood improves a little over the quarter, with noise per team.
          const mood = team.mood + block * 0.05 + (random.next() - 0.5) * 0.3;
          const score = Math.max(
            0,
            Math.min(10, Math.round(7.2 + mood * 6 + (random.next() - 0.5) * 5)),
          );
          const sentiment = score >= 9 ? 'good' : score >= 7 ? 'mixed' : 'bad';
          const rating = () =>
            Math.max(1, Math.min(5, Math.round(score / 2.2 + (random.next() - 0.5) * 2)));
          const answers: PendingAnswer[] = [
            { question_id: nps.id, score, option_key: null, text: null },
            { question_id: resolved.id, score: rating(), option_key: null, text: null },
            { question_id: informed.id, score: rating(), option_key: null, text: null },
            {
              question_id: ces.id,
              score: Math.max(
                1,
                Math.min(7, Math.round(score * 0.6 + 1 + (random.next() - 0.5) * 2)),
              ),
              option_key: null,
              text: null,
            },
            {
              question_id: channel.id,
              score: null,
              option_key: random.pick(['portal', 'portal', 'email', 'chat', 'phone']),
              text: null,
            },
          ];
          if (random.next() < 0.4) {
            const pool = COMMENTS[sentiment][person.locale] ?? COMMENTS[sentiment].en;
            answers.push({
              question_id: why.id,
              score: null,
              option_key: null,
              text: random.pick(pool),
            });
          }
          submissions.set(key, [
            ...(submissions.get(key) ?? []),
            {
              id: `${key}-${person.id}`,
              person: person.id,
              askedAll: false,
              segments: segment,
              blocks: [{ teamId: teamIds[team.slug], answers }],
            },
          ]);
          answeredCount += 1;
        });
      }
    }
    const surveyIds = await this.demo.insertHistory(surveys, invitations);
    for (const survey of surveys)
      await this.responses.writeRelease({
        surveyId: surveyIds[survey.key],
        questionnaireId: survey.questionnaireId,
        source: 'pulse',
        releasedOn: survey.closesAt.slice(0, 10),
        submissions: submissions.get(survey.key) ?? [],
      });
    await this.seedCampaign(people, random, now);
    const tickets = await this.seedTickets(random, now, teamIds, people);

    await this.openLiveSurvey(
      questionnaire.id,
      people.map((p) => p.id),
    );
    this.logger.log(
      `seeded ${DEMO_TEAMS.length} teams, ${people.length} employees, ${answeredCount} past answers, ${tickets.tickets} tickets with ${tickets.responses} answers after them`,
    );
    return true;
  }

  /**
   * One integration of each kind (Jira, Zendesk, ServiceNow, Freshservice, generic), with
   * weeks of tickets behind them and answers after some, so that the team pages' service
   * standards and "after tickets" figures have something to show.
   */
  private async seedTickets(
    random: ReturnType<typeof prng>,
    now: number,
    teamIds: Record<string, string>,
    people: Awaited<ReturnType<DirectoryService['list']>>['items'],
  ) {
    const questionnaire = await this.surveys.createQuestionnaire(TICKET_QUESTIONNAIRE);
    const [nps, why] = questionnaire.questions ?? [];
    const integrationIds: Record<string, string> = {};
    for (const { groups: _groups, ...spec } of DEMO_INTEGRATIONS) {
      const { integration } = await this.integrations.create(undefined, {
        ...spec,
        signingSecret: spec.kind === 'zendesk' ? newSigningSecret('zendesk') : undefined,
      });
      integrationIds[spec.kind] = integration.id;
    }
    const history = demoTickets({
      random,
      now,
      weeks: WEEKS,
      k: this.config.reportingThreshold,
      teams: DEMO_TEAMS.map((t) => ({
        slug: t.slug,
        id: teamIds[t.slug],
        name: t.name,
        mood: t.mood,
      })),
      integrationIds,
      questionnaire: { id: questionnaire.id, nps: nps.id, why: why.id },
      people,
    });
    const surveyIds = await this.demo.insertHistory(history.surveys, []);
    await this.demo.insertTickets(history.tickets, history.followUps);
    const released = await this.releaseTicketAnswers(
      history.answered,
      surveyIds,
      questionnaire.id,
      isoDate(now),
    );
    return { tickets: history.tickets.length, responses: released };
  }

  /**
   * Past answers after tickets, released as the mixer does: per team, after each period, once
   * at least m different people wait (smaller groups wait for the next period). What still waits
   * in the current period is left out.
   */
  private async releaseTicketAnswers(
    answered: HistoricTicketAnswer[],
    surveyIds: Record<string, string>,
    questionnaireId: string,
    today: string,
  ): Promise<number> {
    const current = periodStart(today);
    let released = 0;
    for (const teamId of new Set(answered.map((a) => a.teamId))) {
      const mine = answered
        .filter((a) => a.teamId === teamId && a.period < current)
        .sort((a, b) => a.period.localeCompare(b.period));
      let waiting: HistoricTicketAnswer[] = [];
      for (let i = 0; i < mine.length; i++) {
        waiting.push(mine[i]);
        const periodEnds = i === mine.length - 1 || mine[i + 1].period !== mine[i].period;
        if (!periodEnds || new Set(waiting.map((a) => a.person)).size < this.config.mixBatchSize)
          continue;
        const last = waiting[waiting.length - 1];
        released += await this.responses.writeRelease({
          surveyId: surveyIds[last.survey],
          questionnaireId,
          source: 'ticket',
          releasedOn: last.period,
          submissions: waiting.map((a, n) => ({
            id: `${teamId}-${i}-${n}`,
            person: a.person,
            askedAll: false,
            segments: { resolution_band: a.band },
            blocks: [{ teamId, answers: a.answers }],
          })),
        });
        waiting = [];
      }
    }
    return released;
  }

  /**
   * A monthly internal-service pulse rating three teams, with three past waves answered (blocks
   * skipped as "not used" now and then), so the campaign pages and its report have something to
   * show on a first start. Its next wave opens on its own, next month.
   */
  private async seedCampaign(
    people: {
      id: string;
      department: string | null;
      location: string | null;
      hireDate: string | null;
      locale: string;
    }[],
    random: ReturnType<typeof prng>,
    now: number,
  ): Promise<void> {
    const rated = ['it-service-desk', 'facilities', 'hr'];
    const start = new Date(now - 95 * DAY);
    const campaign = await this.campaigns.create({
      name: 'Monthly internal-service pulse',
      template: 'pulse',
      questionnaireId: null,
      subject: 'teams',
      teamSlugs: rated,
      audience: {
        departments: [],
        locations: [],
        teamSlugs: [],
        tenureBands: [],
        includeEmails: [],
        excludeEmails: [],
      },
      cadence: {
        kind: 'monthly',
        everyWeeks: null,
        rrule: null,
        start: `${isoDate(start.getTime())}T10:00`,
        timeZone: 'Europe/Madrid',
      },
      window: { from: '09:00', to: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      openDays: 10,
      reminderDays: [3, 7],
      rotationSize: null,
      reportingThreshold: this.config.reportingThreshold,
    });
    const questionnaire = await this.surveys.getQuestionnaire(campaign.questionnaireId);
    const [nps, resolved, informed, ces, channel] = questionnaire.questions ?? [];
    const teamIds = Object.fromEntries(
      (await this.teams.list()).map((team) => [team.slug, team.id]),
    );
    const waves: HistoricWave[] = [];
    const releases: Submission[][] = [];
    const openings = firstOccurrences(cadenceOf(campaign), 3);
    for (let w = 0; w < 3; w++) {
      const opens = openings[w];
      const wave: HistoricWave = {
        number: w + 1,
        opensAt: new Date(opens).toISOString(),
        closesAt: new Date(opens + 10 * DAY).toISOString(),
        invitations: [],
      };
      const answers: Submission[] = [];
      const rate = 0.5 + random.next() * 0.25;
      for (const person of people) {
        const answered = random.next() < rate;
        random.int(0, 9); // (keeps the demo's random sequence as it was tuned)
        const segment = {
          department: person.department,
          location: person.location,
          tenure_band: person.hireDate ? tenureBand(person.hireDate, opens) : null,
        };
        wave.invitations.push({ employee_id: person.id, answered, ...segment });
        if (!answered) continue;
        const blocks: Submission['blocks'] = [];
        for (const slug of rated) {
          if (random.next() < 0.3) continue; // "I have not used this service"
          const mood = (DEMO_TEAMS.find((t) => t.slug === slug)?.mood ?? 0) + w * 0.05;
          const score = Math.max(
            0,
            Math.min(10, Math.round(7.2 + mood * 6 + (random.next() - 0.5) * 5)),
          );
          const rating = () =>
            Math.max(1, Math.min(5, Math.round(score / 2.2 + (random.next() - 0.5) * 2)));
          blocks.push({
            teamId: teamIds[slug],
            answers: [
              { question_id: nps.id, score, option_key: null, text: null },
              { question_id: resolved.id, score: rating(), option_key: null, text: null },
              { question_id: informed.id, score: rating(), option_key: null, text: null },
              {
                question_id: ces.id,
                score: Math.max(1, Math.min(7, Math.round(score * 0.6 + 1))),
                option_key: null,
                text: null,
              },
              {
                question_id: channel.id,
                score: null,
                option_key: random.pick(['portal', 'email', 'chat', 'phone']),
                text: null,
              },
            ],
          });
        }
        answers.push({
          id: `${w}-${person.id}`,
          person: person.id,
          askedAll: false,
          segments: segment,
          blocks,
        });
      }
      waves.push(wave);
      releases.push(answers);
    }
    const surveyIds = await this.demo.insertWaveHistory(campaign, waves);
    for (let w = 0; w < waves.length; w++)
      await this.responses.writeRelease({
        surveyId: surveyIds[w],
        questionnaireId: campaign.questionnaireId,
        source: 'pulse',
        releasedOn: waves[w].closesAt.slice(0, 10),
        submissions: releases[w],
      });
  }

  /**
   * One account per role and an API token, on a database with no account yet. Their secrets
   * are kept in instance_secret so that every start can print them: demo mode only.
   */
  async demoAccounts(): Promise<{
    accounts: { role: string; email: string; password: string; sees: string }[];
    apiToken: string;
  }> {
    const wanted = [
      {
        role: 'admin',
        email: 'admin@inpulse.demo',
        name: 'Ada Admin',
        teams: [] as string[],
        sees: 'everything',
      },
      {
        role: 'lead',
        email: 'lead@inpulse.demo',
        name: 'Leo Lead',
        teams: ['it'],
        sees: 'IT and its sub-teams',
      },
      {
        role: 'viewer',
        email: 'viewer@inpulse.demo',
        name: 'Vera Viewer',
        teams: ['facilities'],
        sees: 'Facilities',
      },
    ];
    const accounts = [];
    for (const account of wanted) {
      const password = await this.demo.secret(`demo_password_${account.role}`, randomPassword());
      if (!(await this.demo.userExists(account.email))) {
        const { userId } = await this.accountsService.invite(undefined, {
          email: account.email,
          name: account.name,
          role: account.role,
          teamSlugs: account.teams,
        });
        await this.demo.setPassword(userId, await hashPassword(password));
      }
      accounts.push({ role: account.role, email: account.email, password, sees: account.sees });
    }
    let apiToken = await this.demo.secret('demo_api_token', '');
    if (!apiToken) {
      apiToken = (
        await this.accountsService.createApiToken(undefined, {
          name: 'Demo token',
          scopes: ['admin'],
        })
      ).value;
      await this.demo.storeSecret('demo_api_token', apiToken);
    }
    return { accounts, apiToken };
  }

  /** The survey the console links belong to: IT Service Desk, open 14 days, sent to 60 people. */
  private async openLiveSurvey(questionnaireId: string, employeeIds: string[]) {
    const live = await this.surveys.createSurvey({
      name: 'IT Service Desk — this month',
      questionnaireId,
      teamSlug: 'it-service-desk',
      openDays: 14,
    });
    await this.surveys.send(live.id, { employeeIds: employeeIds.slice(0, 60) });
    await this.demo.rememberDemoLiveSurvey(live.id);
    return live;
  }

  /**
   * Fresh single-use links for a few people of the demo's own live survey, one per language. When
   * it has closed (a demo started again weeks later), a new one is opened. Only ever the survey
   * the demo opened: never a survey or wave of real people, whose mailed links a new token would
   * break; a database the demo did not seed gets no links.
   */
  async liveLinks(count: number): Promise<{ locale: string; url: string }[]> {
    const own = await this.demo.demoLiveSurvey();
    if (!own) return [];
    let survey: { id: string } | undefined = own.open ? { id: own.id } : undefined;
    if (!survey) {
      const latest = await this.demo.latestQuestionnaireId();
      if (!latest) return [];
      const people = (await this.directory.list({ limit: 500 })).items.filter((p) => p.active);
      survey = await this.openLiveSurvey(
        latest,
        people.map((p) => p.id),
      );
    }
    const tokens = Array.from({ length: count }, () => newToken());
    const issued = await this.demo.reissue(
      survey.id,
      ['en', 'es', 'fa', 'ja'],
      tokens.map(hashToken),
    );
    return issued.map((row, i) => ({
      locale: row.locale,
      url: `${this.config.baseUrl}/s/${tokens[i]}`,
    }));
  }
}
