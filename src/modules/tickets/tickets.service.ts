import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { TicketReportsRepository } from './ticket-reports.repository';

/**
 * What other features read of tickets: the service standards of teams (operational figures of
 * their tickets, not anyone's answers) and, for HR, an integration's recent activity.
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly tickets: TicketReportsRepository,
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
}
