import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const SURVEY_ERROR_CODES = [
  'questionnaire.invalid',
  'questionnaire.not_found',
  'survey.closed',
  'survey.no_recipients',
  'survey.not_found',
  'survey.team_not_found',
  'survey.threshold_too_low',
  'survey.ticket_survey',
  'survey.review_survey',
] as const;
export type SurveyErrorCode = (typeof SURVEY_ERROR_CODES)[number];
const error = featureErrors(SURVEY_ERROR_CODES);

export const SurveyErrors = {
  invalidQuestionnaire: (reasons: string[]) =>
    error(
      'invalid',
      'questionnaire.invalid',
      `The questionnaire is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  questionnaireNotFound: (id: string) =>
    error('not_found', 'questionnaire.not_found', `No questionnaire ${id}.`),
  surveyNotFound: (id: string) => error('not_found', 'survey.not_found', `No survey ${id}.`),
  teamNotFound: (slug: string) =>
    error('invalid', 'survey.team_not_found', `teamSlug "${slug}" does not name a team.`),
  thresholdTooLow: (k: number, min: number) =>
    error(
      'invalid',
      'survey.threshold_too_low',
      `reportingThreshold ${k} is below the organisation's minimum of ${min}.`,
    ),
  closed: (id: string) =>
    error('conflict', 'survey.closed', `Survey ${id} has closed; it cannot be sent.`),
  ticketSurvey: (id: string) =>
    error(
      'conflict',
      'survey.ticket_survey',
      `Survey ${id} collects answers after tickets; only its tickets send it.`,
    ),
  reviewSurvey: (id: string) =>
    error(
      'conflict',
      'survey.review_survey',
      `Survey ${id} collects anonymous reviews; employees ask for their own links.`,
    ),
  noRecipients: () =>
    error('invalid', 'survey.no_recipients', 'Give employeeIds or emails (at least one).'),
};
