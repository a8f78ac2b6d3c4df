import { type FieldLabels, inFormWords } from '../../common/http/field-labels';

/** The integration forms' words for the fields the integration's checks name (see inFormWords). */
export const INTEGRATION_FIELD_LABELS: FieldLabels = {
  kind: 'system',
  defaultTeam: 'team of tickets no rule maps',
  signingSecret: 'signing secret',
  mappingRules: (n?: number) => (n === undefined ? 'mapping rules' : `mapping rule ${n}`),
  delayMinutes: 'survey delay (minutes)',
  linkExpiryDays: 'days a survey link is valid',
  throttleDays: 'days between two surveys of a requester about the same team',
  samplingPercent: 'share of resolved tickets surveyed (%)',
  excludedCategories: 'categories never surveyed',
  overlapHours: 'hours the old secret is still accepted',
};

/** A page's state with its error messages in the form's words. */
export function inIntegrationFormWords(extra: Record<string, unknown>): Record<string, unknown> {
  const worded = { ...extra };
  for (const key of ['error', 'rotateError'])
    if (typeof worded[key] === 'string')
      worded[key] = inFormWords(worded[key] as string, INTEGRATION_FIELD_LABELS);
  return worded;
}
