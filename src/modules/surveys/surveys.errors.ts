import { DomainError } from '../../common/errors/domain-error';

export const SurveyErrors = {
  invalidQuestionnaire: (reasons: string[]) =>
    new DomainError(
      'invalid',
      'questionnaire.invalid',
      `The questionnaire is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  questionnaireNotFound: (id: string) =>
    new DomainError('not_found', 'questionnaire.not_found', `No questionnaire ${id}.`),
  surveyNotFound: (id: string) =>
    new DomainError('not_found', 'survey.not_found', `No survey ${id}.`),
  teamNotFound: (slug: string) =>
    new DomainError('invalid', 'survey.team_not_found', `teamSlug "${slug}" does not name a team.`),
  thresholdTooLow: (k: number, min: number) =>
    new DomainError(
      'invalid',
      'survey.threshold_too_low',
      `reportingThreshold ${k} is below the organisation's minimum of ${min}.`,
    ),
  closed: (id: string) =>
    new DomainError('conflict', 'survey.closed', `Survey ${id} has closed; it cannot be sent.`),
  ticketSurvey: (id: string) =>
    new DomainError(
      'conflict',
      'survey.ticket_survey',
      `Survey ${id} collects answers after tickets; only its tickets send it.`,
    ),
  noRecipients: () =>
    new DomainError(
      'invalid',
      'survey.no_recipients',
      'Give employeeIds or emails (at least one).',
    ),
};
