import { Inject, Injectable } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { bucketLabel, type Grain, isDate } from '../reports/periods';
import { ReportsService } from '../reports/reports.service';
import { FollowUpsService } from '../tickets/follow-ups.service';
import type { ActionOrigin } from './entities/team-action.entity';

/** Where a lead started an action (the query of GET /teams/:slug/actions/new). */
export interface OriginQuery {
  origin?: ActionOrigin;
  questionId?: string;
  period?: Grain;
  at?: string;
  followUpId?: string;
}

export interface OriginPrefill {
  origin: ActionOrigin;
  ref: Record<string, string>;
  /** "What we heard", prefilled in words: only figures the team page itself shows. */
  heard: string;
  /** What the page says about this origin (e.g. not to quote comments). */
  context: string;
  warnQuotes: boolean;
}

/**
 * Turns where an action was started into words for "what we heard", in the lead's language.
 * Figures come from the reports service — the same query layer, thresholds and rules as the
 * team page — and a withheld figure stays withheld; comments are never copied (a lead
 * summarises them), nor is what a person wrote in a follow-up request.
 */
@Injectable()
export class ActionOriginsService {
  constructor(
    private readonly reports: ReportsService,
    private readonly followUps: FollowUpsService,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  async prefill(
    team: { id: string; slug: string },
    query: OriginQuery,
    locale = this.i18n.fallback,
  ): Promise<OriginPrefill> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      this.i18n.t(locale, `action_pages.prefill.${key}`, vars);
    const n = (value: number) => this.i18n.number(locale, value);
    // English keeps the words it always prefilled (the report's period label, the ISO day):
    // texts already saved read the same way. Other languages get Intl's periods and dates.
    const english = locale === this.i18n.fallback;
    const periodOf = (start: string, g: Grain) =>
      english ? bucketLabel(start, g) : this.i18n.period(locale, start, g);
    const dayOf = (day: string) => (english ? day : this.i18n.date(locale, day));
    const grain = query.period ?? 'month';
    const at = query.at ?? new Date().toISOString().slice(0, 10);
    if (query.origin === 'question' && query.questionId) {
      const report = await this.reports.teamReport(team.slug, grain, at);
      const period = english ? report.period.label : periodOf(report.period.start, grain);
      const ref = { questionId: query.questionId, period: grain, at: report.period.start };
      if (query.questionId === 'nps') {
        const h = report.headline;
        return {
          origin: 'question',
          ref,
          heard: h.withheld
            ? t('nps_withheld', { period, k: n(report.k) })
            : t('nps', { nps: signed(this.i18n, locale, h.nps), period, n: h.n }),
          context: t('nps_context', { period }),
          warnQuotes: false,
        };
      }
      const question = report.questions.find((q) => q.id === query.questionId);
      if (question) {
        const r = question.result;
        const figures = r.withheld
          ? t('figures_withheld', { k: n(report.k) })
          : new Intl.ListFormat(this.i18n.info(locale).intl, { type: 'unit' }).format(
              [
                r.csat !== null ? t('csat', { csat: n(r.csat) }) : undefined,
                r.mean !== null ? t('mean', { mean: n(r.mean) }) : undefined,
                t('answers', { n: r.n }),
              ].filter((x): x is string => x !== undefined),
            );
        return {
          origin: 'question',
          ref,
          heard: t('question', { question: question.text, period, figures }),
          context: t('question_context', { period }),
          warnQuotes: false,
        };
      }
      return {
        origin: 'question',
        ref,
        heard: '',
        context: t('no_question', { period }),
        warnQuotes: false,
      };
    }
    if (query.origin === 'comments') {
      const start = query.at ?? at;
      const label = isDate(start) ? periodOf(start, grain) : start;
      return {
        origin: 'comments',
        ref: { period: grain, at: start },
        heard: t('comments', { period: label }),
        context: t('comments_context', { period: label }),
        warnQuotes: true,
      };
    }
    if (query.origin === 'follow_up' && query.followUpId) {
      const found = (await this.followUps.list(new Set([team.id]))).find(
        (f) => f.id === query.followUpId,
      );
      const date = found ? dayOf(found.requestedOn) : '';
      return {
        origin: 'follow_up',
        ref: { followUpId: query.followUpId },
        heard: found ? t('follow_up', { date }) : '',
        context: found ? t('follow_up_context', { date }) : t('follow_up_missing'),
        warnQuotes: true,
      };
    }
    return { origin: 'other', ref: {}, heard: '', context: '', warnQuotes: false };
  }
}

/** An iNPS as the page writes it, in the locale's digits: −12, not -12. */
function signed(i18n: I18n, locale: string, value: number): string {
  return i18n.number(locale, value, { signDisplay: 'exceptZero' }).replace('-', '−');
}
