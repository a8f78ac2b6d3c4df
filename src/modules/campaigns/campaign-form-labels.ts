import type { FieldLabels } from '../../common/http/field-labels';

/**
 * The campaign form's words for the fields the campaign's checks name (see inFormWords): the
 * API says `openDays`, the form "Each wave stays open (days)".
 */
export const CAMPAIGN_FIELD_LABELS: FieldLabels = {
  openDays: 'days each wave stays open',
  reportingThreshold: 'reporting threshold k',
  questionnaireId: 'custom questionnaire',
  everyWeeks: '“Every N weeks”',
  rrule: 'RRULE',
  timeZone: 'time zone',
  start: 'first opening',
  teamSlugs: 'service teams to rate',
  'audience.departments': 'departments',
  'audience.locations': 'locations',
  'audience.teamSlugs': 'audience teams',
  'audience.tenureBands': 'tenure',
  'audience.includeEmails': '“Also invite”',
  'audience.excludeEmails': '“Never invite”',
  include: '“Also invite”',
  exclude: '“Never invite”',
  own_team: 'each person’s own team',
};
