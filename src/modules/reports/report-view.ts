import type { I18n } from '../../common/i18n/i18n.service';
import { addBuckets, bucketStart, type Grain } from './periods';
import { heat } from './overview';
import type { TeamReport, TicketReport } from './report-types';

/**
 * What the report pages need beyond the report itself, in the reader's language: period labels,
 * weekday names, durations and hours with the locale's digits (Intl), and the words of charts.
 * Pure functions: the controller passes the locale and the I18n instance.
 */

/**
 * When the period shown has not closed yet (it holds today, or is still to come): the note that
 * says so, with a link to the last closed period of the same grain on the same page.
 */
export function stillOpen(
  period: { grain: Grain; start: string; end: string },
  path: string,
  today = new Date().toISOString().slice(0, 10),
): { grain: Grain; path: string; at: string } | null {
  if (period.end <= today) return null;
  const lastClosed = addBuckets(bucketStart(today, period.grain), period.grain, -1);
  return { grain: period.grain, path, at: lastClosed };
}

/**
 * A duration in minutes as people read it, in the locale's units and digits: 45 min, 3 h 20 min,
 * 2 d 4 h (English); `—` when there is none.
 */
export function duration(i18n: I18n, locale: string, minutes: number | null): string {
  if (minutes === null) return '—';
  const unit = (value: number, name: 'minute' | 'hour' | 'day') =>
    i18n.number(locale, value, { style: 'unit', unit: name, unitDisplay: 'short' });
  const m = Math.round(minutes);
  if (m < 60) return unit(m, 'minute');
  if (m < 24 * 60)
    return [unit(Math.floor(m / 60), 'hour'), ...(m % 60 ? [unit(m % 60, 'minute')] : [])].join(
      ' ',
    );
  const hours = Math.round(m / 60);
  return [
    unit(Math.floor(hours / 24), 'day'),
    ...(hours % 24 ? [unit(hours % 24, 'hour')] : []),
  ].join(' ');
}

/** A share given in percent (59.4), as the locale writes it: 59.4%, 59,4 %, ۵۹٫۴٪. */
export function percent(i18n: I18n, locale: string, value: number): string {
  return i18n.number(locale, value / 100, { style: 'percent', maximumFractionDigits: 1 });
}

/** Short weekday names from Monday, in the locale (2024-01-01 was a Monday). */
export function weekdays(i18n: I18n, locale: string): string[] {
  return Array.from({ length: 7 }, (_, i) =>
    i18n.date(locale, `2024-01-0${i + 1}`, { weekday: 'short' }),
  );
}

/** Message keys of the resolution-time bands (ticket-rules.ts RESOLUTION_BANDS, and "Other"). */
const BAND_KEYS: Record<string, string> = {
  '<4h': 'under_4h',
  '4-24h': 'h4_24',
  '1-3d': 'd1_3',
  '3d+': 'over_3d',
  Other: 'other',
};

/** The "after tickets" section's figures, ready for views/partials/ticket-report.hbs. */
export function ticketView(tickets: TicketReport, i18n: I18n, locale: string) {
  const { standards, busiestHours } = tickets;
  const counts = new Map(busiestHours.cells.map((c) => [`${c.weekday} ${c.hour}`, c.tickets]));
  const metric = (m: TicketReport['standards']['firstResponse']) => ({
    median: duration(i18n, locale, m.median),
    p90: duration(i18n, locale, m.p90),
    target: m.target === null ? null : duration(i18n, locale, m.target),
    medianMet: m.target !== null && m.median !== null ? m.median <= m.target : null,
  });
  // The 24 hours' labels, formatted once (every weekday's row shows them).
  const hourLabels = Array.from({ length: 24 }, (_, h) => i18n.number(locale, h));
  return {
    ...tickets,
    bands: {
      ...tickets.bands,
      groups: tickets.bands.groups.map((g) => ({ ...g, key: BAND_KEYS[g.label] ?? 'other' })),
    },
    firstResponse: metric(standards.firstResponse),
    handling: metric(standards.handling),
    hours: hourLabels.map((label, h) => ({ value: h, label })),
    weekdays: weekdays(i18n, locale).map((label, i) => ({
      label,
      cells: Array.from({ length: 24 }, (_, h) => {
        const n = counts.get(`${i + 1} ${h}`) ?? 0;
        return {
          hour: hourLabels[h],
          n,
          heat:
            n === 0 || busiestHours.max === 0 ? 0 : heat((100 * n) / busiestHours.max, 'percent'),
        };
      }),
    })),
  };
}

/** The trend chart's data: labels in the locale, the band, today's target, action markers, words. */
export function trendChart(
  report: TeamReport,
  markers: { x: number; doneOn: string; label: string }[],
  i18n: I18n,
  locale: string,
) {
  const t = (key: string, vars: Record<string, unknown> = {}) => i18n.t(locale, key, vars);
  return {
    labels: report.trend.map((p) => i18n.period(locale, p.bucket, report.period.grain)),
    nps: report.trend.map((p) => (p.value.withheld ? null : p.value.nps)),
    low: report.trend.map((p) => (p.value.withheld ? null : p.value.low)),
    high: report.trend.map((p) => (p.value.withheld ? null : p.value.high)),
    n: report.trend.map((p) => (p.value.withheld ? null : p.value.n)),
    target: report.team.npsTarget,
    markers: markers.map((m) => ({ ...m, doneOn: i18n.date(locale, m.doneOn) })),
    locale: i18n.info(locale).intl,
    dir: i18n.info(locale).dir,
    text: {
      inps: t('reports.chart.inps'),
      band: t('reports.chart.band'),
      target: t('reports.chart.target'),
      responses: t('reports.chart.responses'),
    },
  };
}

/** The distribution chart's data and words. */
export function distributionChart(report: TeamReport, i18n: I18n, locale: string) {
  if (report.distribution.withheld) return null;
  return {
    scores: report.distribution.scores.map((s) => ({
      ...s,
      label: i18n.number(locale, s.score),
    })),
    locale: i18n.info(locale).intl,
    dir: i18n.info(locale).dir,
    text: {
      score: i18n.t(locale, 'reports.chart.score'),
      responses: i18n.t(locale, 'reports.chart.responses'),
    },
  };
}
