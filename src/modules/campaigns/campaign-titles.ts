import { hasControlCharacters } from '../../common/text';
import { CAMPAIGN_TEMPLATES, type TemplateKey } from './campaign-templates';

/** The languages a campaign speaks: its templates' and its pages'. */
export const CAMPAIGN_LOCALES = ['en', 'es', 'ja', 'fa'] as const;

/** Title per language: what respondents see as the survey's heading and in the mail subject. */
export type CampaignTitles = Partial<Record<string, string>>;

/** Used when neither the campaign nor its template has a title in a language. */
const GENERIC_TITLE: Record<(typeof CAMPAIGN_LOCALES)[number], string> = {
  en: 'Pulse survey',
  es: 'Encuesta de pulso',
  ja: 'パルスサーベイ',
  fa: 'نظرسنجی کوتاه',
};

const MAX_TITLE = 200;

/** What is wrong with the titles as given (each problem names the language). */
export function titleProblems(titles: CampaignTitles): string[] {
  const problems: string[] = [];
  for (const [locale, title] of Object.entries(titles)) {
    if (!(CAMPAIGN_LOCALES as readonly string[]).includes(locale)) {
      problems.push(`titles: no language ${locale}; use ${CAMPAIGN_LOCALES.join(', ')}`);
      continue;
    }
    if (typeof title !== 'string') problems.push(`titles.${locale} must be text`);
    else if (title.trim().length > MAX_TITLE)
      problems.push(`titles.${locale} is longer than ${MAX_TITLE} characters`);
    else if (hasControlCharacters(title))
      problems.push(`titles.${locale} contains control characters`);
  }
  return problems;
}

/** The titles as stored: trimmed, languages without one left out. */
export function cleanTitles(titles: CampaignTitles | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(titles ?? {})
      .map(([locale, title]) => [locale, (title ?? '').trim()])
      .filter(([, title]) => title !== ''),
  );
}

/**
 * The title respondents see in each language: the campaign's own, else its template's wording,
 * else a plain "pulse survey" in that language; never HR's internal name.
 */
export function respondentTitles(campaign: {
  titles: CampaignTitles;
  template: string | null;
}): Record<string, string> {
  const template = CAMPAIGN_TEMPLATES[campaign.template as TemplateKey] as
    (typeof CAMPAIGN_TEMPLATES)[TemplateKey] | undefined;
  return Object.fromEntries(
    CAMPAIGN_LOCALES.map((locale) => [
      locale,
      campaign.titles[locale]?.trim() || template?.titles[locale] || GENERIC_TITLE[locale],
    ]),
  );
}

/** The title in one language (English when the language is not one of the campaign's). */
export function respondentTitle(
  campaign: { titles: CampaignTitles; template: string | null },
  locale: string,
): string {
  const titles = respondentTitles(campaign);
  return titles[locale] ?? titles.en;
}
