/**
 * What the survey form needs to be checked and answered without reading the database again:
 * survey, questionnaire, team, threshold and language. It travels in a hidden field and is bound
 * to the link and the CSRF cookie by the form's CSRF token (an HMAC over all three), so it
 * cannot be altered. The submit is then a single statement (the sealed pending insert, under
 * the invitation's claim key).
 */
export interface SurveyFormContext {
  surveyId: string;
  /** The invitation claimed by the submit (under its keyed hash; see ResponsesService.submit). */
  invitationId: string;
  questionnaireId: string;
  teamId: string;
  teamName: string;
  k: number;
  locale: string;
  /** A survey after a ticket: the form also offers "you may contact me about this". */
  ticket?: boolean;
  /** An anonymous review the person asked for: its thank-you page says when it is released. */
  review?: boolean;
  /**
   * Subject `teams`: one block per rated team, each answered (or marked "not used") on its own
   * and stored as a response of its own. Absent for a survey about one team.
   */
  blocks?: { teamId: string; teamName: string }[];
  /** The questions this person is asked (rotation, eNPS once a quarter); absent: all. */
  questionIds?: string[];
}

export const CONTEXT_FIELD = '_ctx';

export function encodeContext(context: SurveyFormContext): string {
  return Buffer.from(JSON.stringify(context), 'utf8').toString('base64url');
}

/** The context of a field already authenticated by its CSRF token; undefined if malformed. */
export function decodeContext(raw: unknown): SurveyFormContext | undefined {
  if (typeof raw !== 'string' || raw.length > 16384) return undefined;
  try {
    const value = JSON.parse(
      Buffer.from(raw, 'base64url').toString('utf8'),
    ) as Partial<SurveyFormContext>;
    const strings = [
      'surveyId',
      'invitationId',
      'questionnaireId',
      'teamId',
      'teamName',
      'locale',
    ] as const;
    if (strings.some((key) => typeof value[key] !== 'string') || typeof value.k !== 'number')
      return undefined;
    if (value.ticket !== undefined && typeof value.ticket !== 'boolean') return undefined;
    if (value.review !== undefined && typeof value.review !== 'boolean') return undefined;
    if (
      value.blocks !== undefined &&
      (!Array.isArray(value.blocks) ||
        value.blocks.some((b) => typeof b?.teamId !== 'string' || typeof b?.teamName !== 'string'))
    )
      return undefined;
    if (
      value.questionIds !== undefined &&
      (!Array.isArray(value.questionIds) || value.questionIds.some((q) => typeof q !== 'string'))
    )
      return undefined;
    return value as SurveyFormContext;
  } catch {
    return undefined;
  }
}

/** The CSRF scope of a survey form: its link and its context. */
export function formScope(token: string, rawContext: string): string {
  return `${token}\n${rawContext}`;
}
