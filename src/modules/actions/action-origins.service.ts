import { Injectable } from '@nestjs/common';
import { bucketLabel, type Grain } from '../reports/periods';
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

/** An iNPS or other figure as the page writes it: −12, not -12. */
function signed(value: number): string {
  return value > 0 ? `+${value}` : value < 0 ? `−${Math.abs(value)}` : '0';
}

/**
 * Turns where an action was started into words for "what we heard". Figures come from the
 * reports service — the same query layer, thresholds and rules as the team page — and a
 * withheld figure stays withheld; comments are never copied (a lead summarises them), nor is
 * what a person wrote in a follow-up request.
 */
@Injectable()
export class ActionOriginsService {
  constructor(
    private readonly reports: ReportsService,
    private readonly followUps: FollowUpsService,
  ) {}

  async prefill(team: { id: string; slug: string }, query: OriginQuery): Promise<OriginPrefill> {
    const grain = query.period ?? 'month';
    const at = query.at ?? new Date().toISOString().slice(0, 10);
    if (query.origin === 'question' && query.questionId) {
      const report = await this.reports.teamReport(team.slug, grain, at);
      const period = report.period.label;
      const ref = { questionId: query.questionId, period: grain, at: report.period.start };
      if (query.questionId === 'nps') {
        const h = report.headline;
        return {
          origin: 'question',
          ref,
          heard: h.withheld
            ? `iNPS from pulse surveys in ${period} (withheld: fewer than ${report.k} responses)`
            : `iNPS from pulse surveys: ${signed(h.nps)} in ${period} (${h.n} responses)`,
          context: `The team's iNPS, ${period}.`,
          warnQuotes: false,
        };
      }
      const question = report.questions.find((q) => q.id === query.questionId);
      if (question) {
        const r = question.result;
        const figures = r.withheld
          ? `withheld: fewer than ${report.k} answers`
          : [
              r.csat !== null ? `CSAT ${r.csat}%` : undefined,
              r.mean !== null ? `mean ${r.mean}` : undefined,
              `${r.n} answers`,
            ]
              .filter(Boolean)
              .join(', ');
        return {
          origin: 'question',
          ref,
          heard: `Question “${question.text}” in ${period}: ${figures}`,
          context: `A question's result, ${period}.`,
          warnQuotes: false,
        };
      }
      return {
        origin: 'question',
        ref,
        heard: '',
        context: `That question has no result on the team's page for ${period}; describe what you heard.`,
        warnQuotes: false,
      };
    }
    if (query.origin === 'comments') {
      const start = query.at ?? at;
      const label = bucketLabel(start, grain);
      return {
        origin: 'comments',
        ref: { period: grain, at: start },
        heard: `Comments of ${label}: `,
        context: `The comments of ${label}. Summarise the theme in your own words.`,
        warnQuotes: true,
      };
    }
    if (query.origin === 'follow_up' && query.followUpId) {
      const found = (await this.followUps.list(new Set([team.id]))).find(
        (f) => f.id === query.followUpId,
      );
      return {
        origin: 'follow_up',
        ref: { followUpId: query.followUpId },
        heard: found ? `A follow-up request of ${found.requestedOn}: ` : '',
        context: found
          ? `A follow-up request of ${found.requestedOn}. Its author asked to be contacted; the action must not name them or repeat their words if it is published.`
          : 'That follow-up is not one of this team’s; describe what you heard.',
        warnQuotes: true,
      };
    }
    return { origin: 'other', ref: {}, heard: '', context: '', warnQuotes: false };
  }
}
