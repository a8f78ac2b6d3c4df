import type { PastSurvey } from '../surveys/surveys.service';
import type { PastFollowUp, PastTicket } from '../tickets/tickets.service';
import { DAY } from './demo-random';

/** A past survey of a team (a pulse, or a monthly survey after tickets), before it has an id. */
export interface HistoricSurvey {
  key: string;
  name: string;
  teamId: string;
  questionnaireId: string;
  closesAt: string;
  reportingThreshold: number;
  /** A team's monthly survey after tickets: its month (YYYY-MM). */
  ticketPeriod?: string;
}

/** An invitation to a past survey, named by the survey's key. */
export interface HistoricInvitation {
  survey: string;
  employee_id: string;
  answered: boolean;
  sent_at: string;
  department: string | null;
  location: string | null;
  tenure_band: string | null;
}

export type HistoricTicket = PastTicket;
export type HistoricFollowUp = PastFollowUp;

/** A past wave of a campaign: its invitations (its answers are released by the caller). */
export interface HistoricWave {
  number: number;
  opensAt: string;
  closesAt: string;
  invitations: Omit<HistoricInvitation, 'survey' | 'sent_at'>[];
}

/**
 * A team's past survey as SurveysService records it: a pulse is released whole when it closed,
 * a survey after tickets per period (by the caller); each was created 14 days before it closed.
 */
export function pastTeamSurvey(survey: HistoricSurvey): PastSurvey {
  const ticket = survey.ticketPeriod !== undefined;
  return {
    key: survey.key,
    name: survey.name,
    questionnaireId: survey.questionnaireId,
    source: ticket ? 'ticket' : 'pulse',
    subject: 'team',
    teamId: survey.teamId,
    ratedTeamIds: null,
    reportingThreshold: survey.reportingThreshold,
    released: !ticket,
    createdAt: new Date(Date.parse(survey.closesAt) - 14 * DAY).toISOString(),
    closesAt: survey.closesAt,
  };
}
