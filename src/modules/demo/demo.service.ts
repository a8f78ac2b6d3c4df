import { Injectable, Logger } from '@nestjs/common';
import { ActionChangesService } from '../actions/action-changes.service';
import { DirectoryService } from '../directory/directory.service';
import { TeamsService } from '../teams/teams.service';
import { DemoBannerService } from './demo-banner.service';
import { seedDemoActions } from './demo-actions';
import { DemoCampaignService } from './demo-campaign.service';
import { seedDemoProfiles } from './demo-profiles';
import {
  DEMO_TEAMS,
  DEPARTMENTS,
  HOME_LOCATIONS,
  LOCATION_TIME_ZONES,
  LOCATIONS,
  NAMES,
} from './demo-data';
import { DemoPulsesService } from './demo-pulses.service';
import { DemoReviewsService } from './demo-reviews.service';
import { DAY, isoDate, prng } from './demo-random';
import { DemoTicketHistoryService } from './demo-ticket-history.service';

const EMPLOYEES = 300;

/**
 * The demo organisation, seeded once on an empty database: teams and people here, then the
 * pulses, the campaign, the tickets behind them and past reviews (one service each), and the
 * banner's accounts and links (DemoBannerService). Demo mode only: AppModule leaves the module
 * out otherwise.
 */
@Injectable()
export class DemoService {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly pulses: DemoPulsesService,
    private readonly campaign: DemoCampaignService,
    private readonly tickets: DemoTicketHistoryService,
    private readonly reviews: DemoReviewsService,
    private readonly banner: DemoBannerService,
    private readonly actions: ActionChangesService,
  ) {}

  /** Seeds the demo organisation once, on an empty database. Returns whether it did. */
  async seedIfEmpty(): Promise<boolean> {
    if ((await this.teams.list()).length > 0) return false;
    this.logger.log('empty database: seeding demo data');
    const random = prng(20261123);
    const now = Date.now();

    const teamIds: Record<string, string> = {};
    for (const { mood: _mood, ...team } of DEMO_TEAMS)
      teamIds[team.slug] = (await this.teams.create(team)).id;
    await seedDemoProfiles(this.teams, Object.keys(teamIds), now);

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

    const pulses = await this.pulses.seed(random, now, teamIds, people);
    await this.campaign.seed(people, random, now);
    const tickets = await this.tickets.seed(random, now, teamIds, people);
    const reviews = await this.reviews.seed(now, people);
    await seedDemoActions(this.actions, teamIds, now);

    await this.banner.openLiveSurvey(
      pulses.questionnaireId,
      people.map((p) => p.id),
    );
    this.logger.log(
      `seeded ${DEMO_TEAMS.length} teams, ${people.length} employees, ${pulses.answered} past answers, ${tickets.tickets} tickets with ${tickets.responses} answers after them, ${reviews} anonymous reviews`,
    );
    return true;
  }

  /** The demo accounts (one per role) and API token, created on first use. */
  demoAccounts(): ReturnType<DemoBannerService['demoAccounts']> {
    return this.banner.demoAccounts();
  }

  /** Fresh single-use links of the demo's live survey (see DemoBannerService.liveLinks). */
  liveLinks(count: number): ReturnType<DemoBannerService['liveLinks']> {
    return this.banner.liveLinks(count);
  }
}
