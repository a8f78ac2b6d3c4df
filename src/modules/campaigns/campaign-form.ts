import { type Form, listField, textField } from '../../common/http/form-fields';
import type { CadenceKind, Weekday } from './cadence';
import type { CampaignInput } from './campaign-input';
import { CAMPAIGN_TEMPLATES, TEMPLATE_KEYS, type TemplateKey } from './campaign-templates';
import { CAMPAIGN_LOCALES } from './campaign-titles';
import type { CampaignDto } from './dto/campaign.dto';
import type { CampaignView } from './campaigns.service';

export interface InputDefaults {
  timeZone: string;
  reportingThreshold: number;
}

/** How the pages name each cadence. */
export const CADENCE_LABELS: Record<string, string> = {
  once: 'Once',
  weekly: 'Weekly',
  every_n_weeks: 'Every N weeks',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  rrule: 'Custom rule (RRULE)',
};

const DEFAULT_WINDOW = { from: '09:00', to: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] };

function subjectOf(template: TemplateKey | null, given: string | undefined) {
  if (given === 'teams' || given === 'own_team') return given;
  return template ? CAMPAIGN_TEMPLATES[template].subject : 'teams';
}

/** The JSON API's body as a CampaignInput, with the documented defaults. */
export function inputFromDto(dto: CampaignDto, defaults: InputDefaults): CampaignInput {
  const template = dto.template ?? null;
  return {
    name: dto.name,
    titles: dto.titles ?? {},
    template,
    questionnaireId: dto.questionnaireId ?? null,
    subject: subjectOf(template, dto.subject),
    teamSlugs: dto.teamSlugs ?? [],
    audience: {
      departments: dto.audience?.departments ?? [],
      locations: dto.audience?.locations ?? [],
      teamSlugs: dto.audience?.teamSlugs ?? [],
      tenureBands: dto.audience?.tenureBands ?? [],
      includeEmails: (dto.audience?.includeEmails ?? []).map((e) => e.trim().toLowerCase()),
      excludeEmails: (dto.audience?.excludeEmails ?? []).map((e) => e.trim().toLowerCase()),
    },
    cadence: {
      kind: dto.cadence.kind,
      everyWeeks: dto.cadence.everyWeeks ?? null,
      rrule: dto.cadence.rrule ?? null,
      start: dto.cadence.start,
      timeZone: dto.cadence.timeZone ?? defaults.timeZone,
    },
    window: (dto.sendWindow ?? DEFAULT_WINDOW) as CampaignInput['window'],
    openDays: dto.openDays ?? 7,
    reminderDays: dto.reminderDays ?? [],
    rotationSize: dto.questionsPerWave ?? null,
    reportingThreshold: dto.reportingThreshold ?? defaults.reportingThreshold,
  };
}

/** A whole number from a form field; '' gives `empty`, anything else unreadable gives NaN. */
function intField(form: Form, name: string, empty: number | null): number | null {
  const raw = textField(form, name).trim();
  if (raw === '') return empty;
  return /^-?\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
}

/** E-mails from a textarea: one per line, or separated by commas, semicolons or spaces. */
export function emailList(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(/[\s,;]+/)
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** The campaign form as a CampaignInput (the same checks as the API then apply). */
export function inputFromForm(form: Form, defaults: InputDefaults): CampaignInput {
  const rawTemplate = textField(form, 'template');
  const template = (TEMPLATE_KEYS as readonly string[]).includes(rawTemplate)
    ? (rawTemplate as TemplateKey)
    : null;
  const reminders = ['reminder1', 'reminder2', 'reminder3']
    .map((name) => intField(form, name, null))
    .filter((d): d is number => d !== null);
  return {
    name: textField(form, 'name'),
    titles: Object.fromEntries(
      CAMPAIGN_LOCALES.map((locale) => [locale, textField(form, `title_${locale}`)]),
    ),
    template,
    questionnaireId: template ? null : textField(form, 'questionnaireId') || null,
    subject: subjectOf(template, textField(form, 'subject')),
    teamSlugs: listField(form, 'teams'),
    audience: {
      departments: listField(form, 'departments'),
      locations: listField(form, 'locations'),
      teamSlugs: listField(form, 'audienceTeams'),
      tenureBands: listField(form, 'tenureBands'),
      includeEmails: emailList(textField(form, 'include')),
      excludeEmails: emailList(textField(form, 'exclude')),
    },
    cadence: {
      kind: (textField(form, 'cadence') || 'once') as CadenceKind,
      everyWeeks: intField(form, 'everyWeeks', null),
      rrule: textField(form, 'rrule').trim() || null,
      start: textField(form, 'start').trim(),
      timeZone: textField(form, 'timeZone').trim() || defaults.timeZone,
    },
    window: {
      from: textField(form, 'windowFrom').trim() || DEFAULT_WINDOW.from,
      to: textField(form, 'windowTo').trim() || DEFAULT_WINDOW.to,
      days: listField(form, 'windowDays') as Weekday[],
    },
    openDays: intField(form, 'openDays', 7) as number,
    reminderDays: reminders,
    rotationSize: intField(form, 'questionsPerWave', null),
    reportingThreshold: intField(form, 'reportingThreshold', defaults.reportingThreshold) as number,
  };
}

/** A saved campaign back as form values, for the edit page. */
export function formFromCampaign(c: CampaignView): Record<string, unknown> {
  return {
    name: c.name,
    ...Object.fromEntries(CAMPAIGN_LOCALES.map((l) => [`title_${l}`, c.titles[l] ?? ''])),
    template: c.template ?? 'custom',
    questionnaireId: c.questionnaireId,
    subject: c.subject,
    teams: c.ratedTeams.map((t) => t.slug),
    departments: c.audienceView.departments,
    locations: c.audienceView.locations,
    audienceTeams: c.audienceView.teamSlugs,
    tenureBands: c.audienceView.tenureBands,
    include: c.audienceView.includeEmails.join('\n'),
    exclude: c.audienceView.excludeEmails.join('\n'),
    cadence: c.cadence,
    everyWeeks: c.everyWeeks ?? '',
    rrule: c.rrule ?? '',
    start: c.startLocal,
    timeZone: c.timeZone,
    windowFrom: c.windowFrom,
    windowTo: c.windowTo,
    windowDays: c.windowDays,
    openDays: c.openDays,
    reminder1: c.reminderDays[0] ?? '',
    reminder2: c.reminderDays[1] ?? '',
    reminder3: c.reminderDays[2] ?? '',
    questionsPerWave: c.rotationSize ?? '',
    reportingThreshold: c.reportingThreshold,
  };
}
