import { type FieldLabels, inFormWords } from '../../common/http/field-labels';
import { type Form, textField } from '../../common/http/form-fields';
import { CHANNEL_KINDS } from '../teams/entities/service-team.entity';
import { weekdayName } from '../teams/opening-hours';
import { PROFILE_LIMITS, PROFILE_LOCALES, type TeamProfile } from '../teams/team-profile';

/**
 * The profile page's form: one field per cell (purpose per language, two intervals per weekday,
 * rows of exceptions and channels), read into the profile the API takes, so one set of checks
 * (readProfile) serves both. Blank rows are skipped; a half-filled one is sent as it is and
 * the checks say what is missing.
 */

export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish (español)',
  ja: 'Japanese (日本語)',
  fa: 'Persian (فارسی)',
};
export const INTERVALS_A_DAY = 2;
/** Blank rows offered under the filled ones. */
export const BLANK_ROWS = 3;

/** Where each list entry of the profile came from on the form, for the error messages. */
export interface FormPlaces {
  openingHours: string[];
  /** The weekday (1 Monday … 7 Sunday) and interval of each opening hours entry. */
  openingSlots?: { day: number; n: number }[];
  hoursExceptions: number[];
  contactChannels: number[];
}

const minutesField = (raw: string): unknown => {
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
};

/** The form's fields as a profile input (unchecked), and where each entry came from. */
export function profileInputOf(form: Form): { input: Record<string, unknown>; places: FormPlaces } {
  const field = (name: string) => textField(form, name).trim();
  const places: FormPlaces = {
    openingHours: [],
    openingSlots: [],
    hoursExceptions: [],
    contactChannels: [],
  };

  const purpose: Record<string, { handles: string; excludes: string }> = {};
  for (const locale of PROFILE_LOCALES) {
    const handles = field(`purpose_${locale}_handles`);
    const excludes = field(`purpose_${locale}_excludes`);
    if (handles !== '' || excludes !== '') purpose[locale] = { handles, excludes };
  }

  const openingHours: unknown[] = [];
  for (let day = 1; day <= 7; day++)
    for (let n = 1; n <= INTERVALS_A_DAY; n++) {
      const opens = field(`hours_${day}_${n}_opens`);
      const closes = field(`hours_${day}_${n}_closes`);
      if (opens === '' && closes === '') continue;
      openingHours.push({ day, opens, closes });
      places.openingHours.push(`${weekdayName(day, 'en')}, interval ${n}`);
      places.openingSlots?.push({ day, n });
    }

  const hoursExceptions: unknown[] = [];
  for (let i = 0; i < PROFILE_LIMITS.exceptions + BLANK_ROWS; i++) {
    const date = field(`exception_${i}_date`);
    const label = field(`exception_${i}_label`);
    const opens = field(`exception_${i}_opens`);
    const closes = field(`exception_${i}_closes`);
    const closed = textField(form, `exception_${i}_closed`) === 'on';
    if (date === '' && label === '' && opens === '' && closes === '') continue;
    hoursExceptions.push(
      closed ? { date, label, closed: true } : { date, label, closed: false, opens, closes },
    );
    places.hoursExceptions.push(i + 1);
  }

  const channels: { order: number; row: number; channel: Record<string, unknown> }[] = [];
  for (let i = 0; i < PROFILE_LIMITS.channels + BLANK_ROWS; i++) {
    const value = field(`channel_${i}_value`);
    const labels = PROFILE_LOCALES.map((l) => [l, field(`channel_${i}_label_${l}`)] as const);
    if (value === '' && labels.every(([, t]) => t === '')) continue;
    const label = Object.fromEntries(labels.filter(([, t]) => t !== ''));
    const order = Number(field(`channel_${i}_order`));
    channels.push({
      order: Number.isFinite(order) && field(`channel_${i}_order`) !== '' ? order : i + 1,
      row: i + 1,
      channel: {
        kind: field(`channel_${i}_kind`),
        value,
        ...(Object.keys(label).length > 0 ? { label } : {}),
      },
    });
  }
  channels.sort((a, b) => a.order - b.order || a.row - b.row);
  places.contactChannels = channels.map((c) => c.row);

  return {
    input: {
      purpose,
      profileLocale: field('profileLocale'),
      timeZone: field('timeZone'),
      openingHours,
      hoursExceptions,
      contactChannels: channels.map((c) => c.channel),
      firstResponseTargetMinutes: minutesField(textField(form, 'firstResponseTargetMinutes')),
      resolutionTargetMinutes: minutesField(textField(form, 'resolutionTargetMinutes')),
    },
    places,
  };
}

/** The profile form's words for the fields readProfile names (see inFormWords). */
export function profileFieldLabels(places?: FormPlaces): FieldLabels {
  const at = (list: (string | number)[] | undefined, n: number | undefined, what: string) =>
    n === undefined ? `${what}s` : `${what} ${list?.[n - 1] ?? n}`;
  const labels: FieldLabels = {
    profileLocale: 'language the profile is written in',
    timeZone: 'time zone',
    purpose: 'purpose',
    openingHours: (n) =>
      n === undefined ? 'opening hours' : `opening hours (${places?.openingHours[n - 1] ?? n})`,
    hoursExceptions: (n) => at(places?.hoursExceptions, n, 'exception row'),
    contactChannels: (n) => at(places?.contactChannels, n, 'channel row'),
    firstResponseTargetMinutes: 'first response target (minutes)',
    resolutionTargetMinutes: 'resolution target (minutes)',
  };
  for (const locale of PROFILE_LOCALES) {
    labels[`purpose.${locale}.handles`] = `what the team handles (${LANGUAGE_NAMES[locale]})`;
    labels[`purpose.${locale}.excludes`] = `what it does not handle (${LANGUAGE_NAMES[locale]})`;
  }
  return labels;
}

/** A problem message of readProfile in the form's words. */
export function inProfileFormWords(message: string, places?: FormPlaces): string {
  return inFormWords(message, profileFieldLabels(places));
}

/**
 * The form's values: from the saved profile, or as sent back when it had problems. `language`
 * names a language and `weekdayLocale` is the Intl tag for the weekdays, in the reader's words.
 */
export function formValues(
  profile: TeamProfile,
  form?: Form,
  words: { language: (code: string) => string; weekdayLocale: string } = {
    language: (code) => LANGUAGE_NAMES[code] ?? code,
    weekdayLocale: 'en',
  },
) {
  const value = (name: string, saved: string) => (form ? textField(form, name) : saved);
  const purpose = PROFILE_LOCALES.map((locale) => ({
    locale,
    name: words.language(locale),
    dir: locale === 'fa' ? 'rtl' : 'ltr',
    handles: value(`purpose_${locale}_handles`, profile.purpose[locale]?.handles ?? ''),
    excludes: value(`purpose_${locale}_excludes`, profile.purpose[locale]?.excludes ?? ''),
  }));
  const days = [1, 2, 3, 4, 5, 6, 7].map((day) => {
    const saved = profile.openingHours.filter((h) => h.day === day);
    return {
      day,
      name: weekdayName(day, words.weekdayLocale),
      intervals: Array.from({ length: INTERVALS_A_DAY }, (_, k) => ({
        n: k + 1,
        opens: value(`hours_${day}_${k + 1}_opens`, saved[k]?.opens ?? ''),
        closes: value(`hours_${day}_${k + 1}_closes`, saved[k]?.closes ?? ''),
      })),
    };
  });
  const rowsOf = (filled: number, max: number) => Math.min(filled + BLANK_ROWS, max + BLANK_ROWS);
  const sentRows = (prefix: string, max: number) => {
    let last = -1;
    for (let i = 0; i < max + BLANK_ROWS; i++)
      if (
        Object.keys(form ?? {}).some(
          (k) => k.startsWith(`${prefix}_${i}_`) && textField(form!, k) !== '',
        )
      )
        last = i;
    return last + 1;
  };
  const exceptionRows = rowsOf(
    form ? sentRows('exception', PROFILE_LIMITS.exceptions) : profile.hoursExceptions.length,
    PROFILE_LIMITS.exceptions,
  );
  const exceptions = Array.from({ length: exceptionRows }, (_, i) => {
    const saved = form ? undefined : profile.hoursExceptions[i];
    return {
      i,
      date: value(`exception_${i}_date`, saved?.date ?? ''),
      label: value(`exception_${i}_label`, saved?.label ?? ''),
      closed: form ? textField(form, `exception_${i}_closed`) === 'on' : (saved?.closed ?? false),
      opens: value(`exception_${i}_opens`, saved?.opens ?? ''),
      closes: value(`exception_${i}_closes`, saved?.closes ?? ''),
    };
  });
  const channelRows = rowsOf(
    form ? sentRows('channel', PROFILE_LIMITS.channels) : profile.contactChannels.length,
    PROFILE_LIMITS.channels,
  );
  const channels = Array.from({ length: channelRows }, (_, i) => {
    const saved = form ? undefined : profile.contactChannels[i];
    const kind = value(`channel_${i}_kind`, saved?.kind ?? 'email');
    return {
      i,
      order: value(`channel_${i}_order`, String(i + 1)),
      kinds: CHANNEL_KINDS.map((k) => ({ value: k, selected: k === kind })),
      kind,
      value: value(`channel_${i}_value`, saved?.value ?? ''),
      labels: PROFILE_LOCALES.map((locale) => ({
        locale,
        dir: locale === 'fa' ? 'rtl' : 'ltr',
        value: value(`channel_${i}_label_${locale}`, saved?.label?.[locale] ?? ''),
      })),
    };
  });
  const profileLocale = value('profileLocale', profile.profileLocale);
  return {
    purpose,
    locales: PROFILE_LOCALES.map((l) => ({
      value: l,
      name: words.language(l),
      selected: l === profileLocale,
    })),
    timeZone: value('timeZone', profile.timeZone),
    days,
    exceptions,
    channels,
    firstResponseTargetMinutes: value(
      'firstResponseTargetMinutes',
      profile.firstResponseTargetMinutes?.toString() ?? '',
    ),
    resolutionTargetMinutes: value(
      'resolutionTargetMinutes',
      profile.resolutionTargetMinutes?.toString() ?? '',
    ),
  };
}
