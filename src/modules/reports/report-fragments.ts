import { Inject, Injectable } from '@nestjs/common';
import type Handlebars from 'handlebars';
import type { I18n } from '../../common/i18n/i18n.service';
import { sharedI18n } from '../../common/i18n/request-locale';
import { HANDLEBARS } from '../../common/views/handlebars.provider';
import type { DriverReport } from './driver-report.service';
import { driverView } from './driver-view';
import { ReportCache } from './report-cache';
import { heat, sparkline } from './overview';
import { GRAINS, type Grain } from './periods';
import { distributionChart, percent } from './report-view';
import type { Overview, OverviewSort, TeamReport } from './report-types';
import { OVERVIEW_SORTS } from './reports.service';

/** The parts of the report pages rendered apart (views/partials), by name. */
export const REPORT_FRAGMENTS = {
  overview: 'overview-body',
  top: 'team-results-top',
  results: 'team-results',
  reviews: 'team-reviews-top',
  standards: 'ticket-standards',
} as const;

/**
 * Renders the report pages' figures (the overview's body, the team page's views/partials/team-*.hbs)
 * to HTML, kept in the report cache under a key that holds everything they show: the period's
 * figures (its cache key), the locale and, on the team page, the role's links. What is rendered is the page's own escaping Handlebars, and goes back
 * into the page as a SafeString (double braces, nothing unescaped from data).
 */
@Injectable()
export class ReportFragments {
  private readonly templates: Record<keyof typeof REPORT_FRAGMENTS, Handlebars.TemplateDelegate>;

  constructor(
    @Inject(HANDLEBARS) private readonly hbs: typeof Handlebars,
    private readonly cache: ReportCache,
  ) {
    this.templates = Object.fromEntries(
      Object.entries(REPORT_FRAGMENTS).map(([part, partial]) => [
        part,
        hbs.compile(`{{> ${partial}}}`),
      ]),
    ) as ReportFragments['templates'];
  }

  /** The part's HTML; kept under `key` (null: rendered each time). */
  async render(
    part: keyof typeof REPORT_FRAGMENTS,
    key: string | null,
    context: () => Record<string, unknown>,
  ): Promise<Handlebars.SafeString> {
    const render = async () => this.templates[part](context());
    const html =
      key === null ? await render() : await this.cache.through(`html ${part} ${key}`, render);
    return new this.hbs.SafeString(html);
  }
}

/**
 * The whole context a fragment starts from: its locale and direction. Fragments are kept and
 * served to other people, so they never see the page's context (the person's name, CSRF token,
 * return address): the caller adds the report's data to this, and nothing else.
 */
export function fragmentContext(locale: string): { locale: string; dir: string } {
  return { locale, dir: sharedI18n().info(locale).dir };
}

/** What the cached parts show beyond the page's live context (only computed when rendered). */
export function teamFigures(
  report: TeamReport,
  drivers: DriverReport,
  i18n: I18n,
  locale: string,
  charts: Record<string, unknown>,
) {
  const pct = (n: number, total: number) => (total > 0 ? Math.round((1000 * n) / total) / 10 : 0);
  return {
    questions: report.questions.map((q) => ({
      ...q,
      text: q.texts[locale] ?? q.text,
      result: q.result.withheld
        ? q.result
        : {
            ...q.result,
            options: q.result.options.map((o) => ({ ...o, label: o.labels[locale] ?? o.label })),
          },
    })),
    responseRateText: report.responseRate.withheld
      ? null
      : percent(i18n, locale, report.responseRate.rate),
    drivers: driverView(drivers),
    distributionRows: report.distribution.withheld
      ? []
      : report.distribution.scores.map((s) => ({
          ...s,
          share: percent(
            i18n,
            locale,
            pct(s.n, report.distribution.withheld ? 1 : report.distribution.n),
          ),
        })),
    charts: { ...charts, distribution: distributionChart(report, i18n, locale) },
  };
}

/** What the overview's body shows beyond its context (only computed when rendered). */
export function overviewFigures(
  overview: Overview,
  grain: Grain,
  sort: OverviewSort,
  dir: 'asc' | 'desc',
  locale: string,
) {
  const i18n = sharedI18n();
  const link = (s: string) =>
    `/?period=${grain}&at=${overview.period.start}&sort=${s}&dir=${s === sort && dir === 'desc' ? 'asc' : 'desc'}`;
  return {
    questions: overview.questions.map((q) => ({ ...q, text: q.texts[locale] ?? q.text })),
    grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
    sortLinks: Object.fromEntries(
      OVERVIEW_SORTS.map((s) => [s, { href: link(s), active: s === sort, dir }]),
    ),
    rows: overview.rows.map((r) => ({
      ...r,
      spark: sparkline(r.spark),
      cells: overview.questions.map((q) => {
        const cell = r.questions[q.id];
        if (!cell || cell.withheld) return { withheld: true };
        return {
          withheld: false,
          value: cell.value,
          text:
            q.type === 'rating'
              ? percent(i18n, locale, cell.value)
              : i18n.number(locale, cell.value, { maximumFractionDigits: 2 }),
          heat: heat(cell.value, q.type === 'rating' ? 'percent' : 'ces'),
        };
      }),
    })),
  };
}
