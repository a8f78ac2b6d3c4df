import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { FollowUpsRepository, type PastFollowUp } from './follow-ups.repository';
import { type PastTicket, TicketEventsRepository } from './ticket-events.repository';
import { TicketReportsRepository } from './ticket-reports.repository';
import { TicketSurveysRepository } from './ticket-surveys.repository';

export type { PastFollowUp, PastTicket };

/**
 * What other features read of tickets: the service standards of teams (operational figures of
 * their tickets, not anyone's answers) and, for HR, an integration's recent activity. And the
 * one way another feature writes tickets' history (the demo's): recordPast….
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly tickets: TicketReportsRepository,
    private readonly ticketEvents: TicketEventsRepository,
    private readonly followUps: FollowUpsRepository,
    private readonly ticketSurveys: TicketSurveysRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** First response of tickets opened in [from, to), handling time of those resolved in it. */
  serviceStandards(teamIds: string[], range: { from: string; to: string }) {
    return this.tickets.serviceStandards(teamIds, range.from, range.to);
  }

  /** Tickets opened in [from, to) per weekday and hour, in TICKET_TIME_ZONE. */
  busiestHours(teamIds: string[], range: { from: string; to: string }) {
    return this.tickets.volumeByWeekdayHour(
      teamIds,
      range.from,
      range.to,
      this.config.tickets.timeZone,
    );
  }

  get timeZone(): string {
    return this.config.tickets.timeZone;
  }

  async activity(integrationId: string) {
    const [recent, states, dead] = await Promise.all([
      this.tickets.recentTickets(integrationId),
      this.tickets.surveyStates(integrationId),
      this.tickets.deadLetters(integrationId),
    ]);
    return { states, dead, recent };
  }

  /**
   * Tickets and follow-ups from before this instance recorded them (the demo's history), set-based.
   * The answers after them are released through ResponsesService, as the mixer writes them.
   */
  async recordPastTickets(tickets: PastTicket[], followUps: PastFollowUp[]): Promise<void> {
    await this.ticketEvents.insertPastTickets(tickets);
    await this.followUps.insertPastFollowUps(followUps);
  }

  /** Past monthly ticket surveys of teams: which survey was a team's in a period (YYYY-MM). */
  recordPastTicketSurveys(surveys: { teamId: string; period: string; surveyId: string }[]) {
    return this.ticketSurveys.insertPastTicketSurveys(surveys);
  }
}
