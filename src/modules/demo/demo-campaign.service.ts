import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { firstOccurrences } from '../campaigns/cadence';
import { cadenceOf, CampaignsService } from '../campaigns/campaigns.service';
import { WavesService } from '../campaigns/waves.service';
import { InvitationsService } from '../invitations/invitations.service';
import type { Submission } from '../responses/release-plan';
import { ResponsesService } from '../responses/responses.service';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { DEMO_TEAMS } from './demo-data';
import { DAY, isoDate, type Random, tenureBand } from './demo-random';
import type { HistoricWave } from './demo-history';

/** The demo's campaign and its past waves. */
@Injectable()
export class DemoCampaignService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly wavesService: WavesService,
    private readonly invitations: InvitationsService,
    private readonly surveys: SurveysService,
    private readonly teams: TeamsService,
    private readonly responses: ResponsesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A monthly internal-service pulse rating three teams, with three past waves answered (blocks
   * skipped as "not used" now and then), so the campaign pages and its report have something to
   * show on a first start. Its next wave opens on its own, next month.
   */
  async seed(
    people: {
      id: string;
      department: string | null;
      location: string | null;
      hireDate: string | null;
      locale: string;
    }[],
    random: Random,
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
    // Each past wave is a closed survey of the campaign, with its invitations.
    const surveyIds = await this.surveys.recordPastSurveys(
      waves.map((wave) => ({
        key: String(wave.number),
        name: campaign.name,
        questionnaireId: campaign.questionnaireId,
        source: 'pulse',
        subject: campaign.subject,
        teamId: null,
        ratedTeamIds: campaign.subject === 'teams' ? campaign.teamIds : null,
        reportingThreshold: campaign.reportingThreshold,
        released: true,
        createdAt: wave.opensAt,
        closesAt: wave.closesAt,
      })),
    );
    await this.invitations.recordPastInvitations(
      waves.flatMap((wave) =>
        wave.invitations.map((invitation) => ({
          ...invitation,
          survey_id: surveyIds[wave.number],
          sent_at: wave.opensAt,
          expires_at: wave.closesAt,
        })),
      ),
    );
    await this.wavesService.recordPastWaves(
      campaign.id,
      waves.map((wave) => ({
        number: wave.number,
        opensAt: wave.opensAt,
        closesAt: wave.closesAt,
        surveyId: surveyIds[wave.number],
        invited: wave.invitations.length,
        remindersSent: campaign.reminderDays.length,
      })),
    );
    for (let w = 0; w < waves.length; w++)
      await this.responses.writeRelease({
        surveyId: surveyIds[waves[w].number],
        questionnaireId: campaign.questionnaireId,
        source: 'pulse',
        releasedOn: waves[w].closesAt.slice(0, 10),
        submissions: releases[w],
      });
  }
}
