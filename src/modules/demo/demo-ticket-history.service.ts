import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { periodStart } from '../responses/release-periods';
import { ResponsesService } from '../responses/responses.service';
import { SurveysService } from '../surveys/surveys.service';
import { IntegrationsService } from '../tickets/integrations.service';
import { newSigningSecret } from '../tickets/secrets';
import { TICKET_QUESTIONNAIRE } from '../tickets/ticket-surveys.service';
import { DEMO_TEAMS } from './demo-data';
import { type DemoPerson, isoDate, type Random, WEEKS } from './demo-random';
import { DEMO_INTEGRATIONS, demoTickets, type HistoricTicketAnswer } from './demo-tickets';
import { TicketsService } from '../tickets/tickets.service';
import { pastTeamSurvey } from './demo-history';

/** The demo's ticketing history: integrations, tickets and the answers after them. */
@Injectable()
export class DemoTicketHistoryService {
  constructor(
    private readonly surveys: SurveysService,
    private readonly tickets: TicketsService,
    private readonly integrations: IntegrationsService,
    private readonly responses: ResponsesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One integration of each kind (Jira, Zendesk, ServiceNow, Freshservice, generic), with
   * weeks of tickets behind them and answers after some, so that the team pages' service
   * standards and "after tickets" figures have something to show.
   */
  async seed(random: Random, now: number, teamIds: Record<string, string>, people: DemoPerson[]) {
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
    const surveyIds = await this.surveys.recordPastSurveys(history.surveys.map(pastTeamSurvey));
    await this.tickets.recordPastTicketSurveys(
      history.surveys.flatMap((s) =>
        s.ticketPeriod === undefined
          ? []
          : [{ teamId: s.teamId, period: s.ticketPeriod, surveyId: surveyIds[s.key] }],
      ),
    );
    await this.tickets.recordPastTickets(history.tickets, history.followUps);
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
}
