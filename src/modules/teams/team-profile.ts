import {
  CHANNEL_KINDS,
  type ChannelKind,
  type ContactChannel,
  type HoursException,
  type OpeningInterval,
  type ServiceTeam,
  type TeamPurpose,
} from './entities/service-team.entity';
import { createHash } from 'node:crypto';
import { calendarDateProblem } from '../../common/http/calendar-date';
import { hasBidiControls } from '../../common/text';
import { isTimeZone, minutesOf } from './opening-hours';

/** The languages a team describes itself in: those of the employee-facing pages. */
export const PROFILE_LOCALES = ['en', 'es', 'ja', 'fa'] as const;

export const PROFILE_LIMITS = {
  purposeChars: 2000,
  intervals: 20,
  exceptions: 100,
  exceptionLabelChars: 100,
  channels: 20,
  channelValueChars: 300,
  channelLabelChars: 100,
  /** The service standards: a year for a first response, ten for a resolution (as CreateTeamDto). */
  firstResponseMinutes: 525600,
  resolutionMinutes: 5256000,
} as const;

/** What a team says about itself: replaced as a whole by the profile form and API. */
export interface TeamProfile {
  purpose: Record<string, TeamPurpose>;
  profileLocale: string;
  timeZone: string;
  openingHours: OpeningInterval[];
  hoursExceptions: HoursException[];
  contactChannels: ContactChannel[];
  firstResponseTargetMinutes: number | null;
  resolutionTargetMinutes: number | null;
}

export const PROFILE_PARTS = [
  'purpose',
  'profileLocale',
  'timeZone',
  'openingHours',
  'hoursExceptions',
  'contactChannels',
  'firstResponseTargetMinutes',
  'resolutionTargetMinutes',
] as const satisfies readonly (keyof TeamProfile)[];

export function profileOf(team: ServiceTeam): TeamProfile {
  return {
    purpose: team.purpose ?? {},
    profileLocale: team.profileLocale,
    timeZone: team.timeZone,
    openingHours: team.openingHours ?? [],
    hoursExceptions: team.hoursExceptions ?? [],
    contactChannels: team.contactChannels ?? [],
    firstResponseTargetMinutes: team.firstResponseTargetMinutes,
    resolutionTargetMinutes: team.resolutionTargetMinutes,
  };
}

/** JSON with object keys sorted: jsonb gives them back in its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A short fingerprint of a profile as it is: the form and the API's ETag carry the one they
 * started from, and a change made from an older one is refused (someone else changed it since).
 */
export function profileVersion(profile: TeamProfile): string {
  const whole = PROFILE_PARTS.map((part) => canonical(profile[part])).join('\n');
  return createHash('sha256').update(whole).digest('hex').slice(0, 16);
}

/** The parts of a profile that differ between two versions (for the audit log). */
export function changedParts(before: TeamProfile, after: TeamProfile): string[] {
  return PROFILE_PARTS.filter((p) => canonical(before[p]) !== canonical(after[p]));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const ORDER = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Control characters other than tab and new lines have no place in what employees read.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const PHONE = /^\+?[0-9][0-9 ()./-]{2,29}$/;

/** Why `value` is not a channel of `kind`, or undefined. */
export function channelValueProblem(kind: ChannelKind, value: string): string | undefined {
  switch (kind) {
    case 'email':
      return EMAIL.test(value) && value.length <= 254
        ? undefined
        : `"${value}" is not an e-mail address`;
    case 'phone':
      return PHONE.test(value) && (value.match(/\d/g) ?? []).length >= 3
        ? undefined
        : `"${value}" is not a phone number (digits, spaces, + ( ) - . / only)`;
    case 'portal':
    case 'chat': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return `"${value}" is not a web address (https://…)`;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return `must be an https:// or http:// address, not ${url.protocol}`;
      if (url.username || url.password) return 'must not carry a user name or password';
      return undefined;
    }
    case 'desk':
      return undefined;
  }
}

/**
 * A profile as sent by the API or the form, checked whole: every problem is listed, each naming
 * its field (`openingHours[2]: …`), and nothing is kept unless there is none.
 */
export function readProfile(input: unknown): { profile?: TeamProfile; problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(input)) return { problems: ['the profile must be an object'] };
  const text = (field: string, value: unknown, max: number, required = false): string => {
    if (value === undefined || value === null) {
      if (required) problems.push(`${field} is required`);
      return '';
    }
    if (typeof value !== 'string') {
      problems.push(`${field} must be text`);
      return '';
    }
    const trimmed = value.trim();
    if (required && trimmed === '') problems.push(`${field} is required`);
    if (trimmed.length > max) problems.push(`${field} must be at most ${max} characters`);
    if (CONTROL.test(trimmed)) problems.push(`${field} must not contain control characters`);
    if (hasBidiControls(trimmed))
      problems.push(
        `${field} must not contain bidi override or isolate characters (U+202A–202E, U+2066–2069)`,
      );
    return trimmed;
  };

  const profileLocale = input.profileLocale;
  if (!(PROFILE_LOCALES as readonly unknown[]).includes(profileLocale))
    problems.push(`profileLocale must be one of ${PROFILE_LOCALES.join(', ')}`);

  const purpose: Record<string, TeamPurpose> = {};
  if (input.purpose !== undefined && !isRecord(input.purpose))
    problems.push('purpose must be an object of languages');
  else
    for (const [locale, value] of Object.entries((input.purpose ?? {}) as object)) {
      if (!(PROFILE_LOCALES as readonly string[]).includes(locale)) {
        problems.push(
          `purpose.${locale}: the language must be one of ${PROFILE_LOCALES.join(', ')}`,
        );
        continue;
      }
      if (!isRecord(value)) {
        problems.push(`purpose.${locale} must hold handles and excludes`);
        continue;
      }
      const extra = Object.keys(value).filter((k) => k !== 'handles' && k !== 'excludes');
      if (extra.length > 0) problems.push(`purpose.${locale}: unknown field ${extra.join(', ')}`);
      const handles = text(`purpose.${locale}.handles`, value.handles, PROFILE_LIMITS.purposeChars);
      const excludes = text(
        `purpose.${locale}.excludes`,
        value.excludes,
        PROFILE_LIMITS.purposeChars,
      );
      if (handles === '' && excludes !== '')
        problems.push(`purpose.${locale}.handles is required when excludes is given`);
      if (handles !== '') purpose[locale] = { handles, excludes };
    }
  if (
    Object.keys(purpose).length > 0 &&
    typeof profileLocale === 'string' &&
    (PROFILE_LOCALES as readonly string[]).includes(profileLocale) &&
    !purpose[profileLocale]
  )
    problems.push(
      `purpose must be written in the profile language (${profileLocale}) at least: the other languages fall back to it`,
    );

  const timeZone = typeof input.timeZone === 'string' ? input.timeZone.trim() : '';
  if (!isTimeZone(timeZone))
    problems.push(
      `timeZone must be an IANA time zone such as Europe/Madrid${timeZone ? `, not "${timeZone.slice(0, 64)}"` : ''}`,
    );

  const time = (field: string, value: unknown): number => {
    const minutes = typeof value === 'string' ? minutesOf(value) : Number.NaN;
    if (Number.isNaN(minutes)) problems.push(`${field} must be a time from 00:00 to 24:00 (HH:MM)`);
    return minutes;
  };

  const openingHours: OpeningInterval[] = [];
  const list = (field: string, value: unknown, max: number): unknown[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.push(`${field} must be a list`);
      return [];
    }
    if (value.length > max) {
      problems.push(`${field} may hold at most ${max} entries, not ${value.length}`);
      return [];
    }
    return value;
  };
  list('openingHours', input.openingHours, PROFILE_LIMITS.intervals).forEach((item, i) => {
    const field = `openingHours[${i}]`;
    if (!isRecord(item)) return problems.push(`${field} must hold day, opens and closes`);
    const day = item.day;
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7)
      problems.push(`${field}: day must be 1 (Monday) to 7 (Sunday)`);
    const opens = time(`${field}: opens`, item.opens);
    const closes = time(`${field}: closes`, item.closes);
    if (opens >= closes)
      problems.push(
        `${field}: closes must be after opens (an interval ends by 24:00; split a night across two days)`,
      );
    openingHours.push({
      day: day as number,
      opens: item.opens as string,
      closes: item.closes as string,
    });
  });
  for (let day = 1; day <= 7; day++) {
    const same = openingHours
      .map((h, i) => ({ ...h, i }))
      .filter((h) => h.day === day)
      .sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens));
    for (let j = 1; j < same.length; j++)
      if (minutesOf(same[j].opens) < minutesOf(same[j - 1].closes))
        problems.push(
          `openingHours[${same[j].i}]: ${same[j].opens}–${same[j].closes} overlaps ${same[j - 1].opens}–${same[j - 1].closes} the same day`,
        );
  }
  openingHours.sort((a, b) => a.day - b.day || minutesOf(a.opens) - minutesOf(b.opens));

  const hoursExceptions: HoursException[] = [];
  const seen = new Set<string>();
  list('hoursExceptions', input.hoursExceptions, PROFILE_LIMITS.exceptions).forEach((item, i) => {
    const field = `hoursExceptions[${i}]`;
    if (!isRecord(item)) return problems.push(`${field} must hold date, label and closed`);
    const dateProblem = calendarDateProblem(`${field}: date`, item.date);
    if (dateProblem) problems.push(dateProblem);
    else if (seen.has(item.date as string))
      problems.push(`${field}: ${String(item.date)} is listed twice`);
    else seen.add(item.date as string);
    const label = text(`${field}: label`, item.label, PROFILE_LIMITS.exceptionLabelChars);
    if (typeof item.closed !== 'boolean') problems.push(`${field}: closed must be true or false`);
    if (item.closed === true) {
      if (item.opens !== undefined || item.closes !== undefined)
        problems.push(`${field}: a day closed has no opens or closes`);
      hoursExceptions.push({ date: item.date as string, label, closed: true });
    } else {
      const opens = time(`${field}: opens`, item.opens);
      const closes = time(`${field}: closes`, item.closes);
      if (opens >= closes) problems.push(`${field}: closes must be after opens`);
      hoursExceptions.push({
        date: item.date as string,
        label,
        closed: false,
        opens: item.opens as string,
        closes: item.closes as string,
      });
    }
  });
  hoursExceptions.sort((a, b) => ORDER(a.date, b.date));

  const contactChannels: ContactChannel[] = [];
  list('contactChannels', input.contactChannels, PROFILE_LIMITS.channels).forEach((item, i) => {
    const field = `contactChannels[${i}]`;
    if (!isRecord(item)) return problems.push(`${field} must hold kind and value`);
    const kind = CHANNEL_KINDS.find((k) => k === item.kind);
    if (!kind) problems.push(`${field}: kind must be one of ${CHANNEL_KINDS.join(', ')}`);
    const value = text(`${field}: value`, item.value, PROFILE_LIMITS.channelValueChars, true);
    if (kind && value !== '') {
      const problem = channelValueProblem(kind, value);
      if (problem) problems.push(`${field}: ${problem}`);
    }
    const channel: ContactChannel = { kind: kind ?? 'desk', value };
    if (item.label !== undefined && item.label !== null) {
      if (!isRecord(item.label)) problems.push(`${field}: label must be an object of languages`);
      else {
        const label: Record<string, string> = {};
        for (const [locale, words] of Object.entries(item.label)) {
          if (!(PROFILE_LOCALES as readonly string[]).includes(locale)) {
            problems.push(`${field}: label language must be one of ${PROFILE_LOCALES.join(', ')}`);
            continue;
          }
          const t = text(`${field}: label.${locale}`, words, PROFILE_LIMITS.channelLabelChars);
          if (t !== '') label[locale] = t;
        }
        if (Object.keys(label).length > 0) channel.label = label;
      }
    }
    contactChannels.push(channel);
  });

  const minutes = (field: string, value: unknown, max: number): number | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      problems.push(`${field} must be a whole number of minutes from 1 to ${max}, or empty`);
      return null;
    }
    return value;
  };
  const firstResponseTargetMinutes = minutes(
    'firstResponseTargetMinutes',
    input.firstResponseTargetMinutes,
    PROFILE_LIMITS.firstResponseMinutes,
  );
  const resolutionTargetMinutes = minutes(
    'resolutionTargetMinutes',
    input.resolutionTargetMinutes,
    PROFILE_LIMITS.resolutionMinutes,
  );

  if (problems.length > 0) return { problems };
  return {
    problems,
    profile: {
      purpose,
      profileLocale: profileLocale as string,
      timeZone,
      openingHours,
      hoursExceptions,
      contactChannels,
      firstResponseTargetMinutes,
      resolutionTargetMinutes,
    },
  };
}

/**
 * A team's purpose for a reader of `locale`: in that language when written, else in the
 * profile's own language with `translated: false` (pages mark it and set its `lang`), else none.
 */
export function purposeFor(
  team: Pick<TeamProfile, 'purpose' | 'profileLocale'>,
  locale: string,
): (TeamPurpose & { locale: string; translated: boolean }) | undefined {
  const own = team.purpose?.[locale];
  if (own) return { ...own, locale, translated: true };
  const original = team.purpose?.[team.profileLocale];
  if (original) return { ...original, locale: team.profileLocale, translated: false };
  const [first] = Object.entries(team.purpose ?? {});
  return first ? { ...first[1], locale: first[0], translated: false } : undefined;
}

/** A channel's label for a reader of `locale` (then the profile's language), or undefined. */
export function channelLabel(
  channel: ContactChannel,
  locale: string,
  profileLocale: string,
): { text: string; locale: string } | undefined {
  const text = channel.label?.[locale];
  if (text) return { text, locale };
  const original = channel.label?.[profileLocale];
  return original ? { text: original, locale: profileLocale } : undefined;
}
