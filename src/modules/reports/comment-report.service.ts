import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { type Cell, guard, WITHHELD } from './anonymity';
import { CommentReportRepository } from './comment-report.repository';
import { searchComments, searchKey, SEARCH_SHOWN } from './comment-search';
import { commentThemes, type LanguageThemes, themeThreshold } from './comment-themes';
import { ReportTreeService, subtreeIds } from './report-tree.service';
import type { TeamReport } from './report-types';

/**
 * What a lead can do with a period's comments: search them and see their themes. The team
 * page's comment card and `GET /api/v1/teams/:slug/comments` both read it.
 */
export interface CommentReport {
  team: { slug: string; name: string };
  period: TeamReport['period'];
  commentThreshold: number;
  /** The team report's own comments (the random sample the page lists), as it shows them. */
  comments: TeamReport['comments'];
  /**
   * Recurring words and phrases over every comment of the period (not only the sample), each
   * from `threshold` distinct comments up; withheld exactly when the comments are.
   */
  themes: Cell<{ threshold: number; languages: LanguageThemes[] }>;
  /**
   * The comments of the period that contain `q` (up to SEARCH_SHOWN of them, in the sample's
   * random order, and how many matched in all); null without a query, or while the period's
   * comments are withheld.
   */
  search: { q: string; matches: number; shown: number; texts: string[] } | null;
  /** Set when the period has more comments than COMMENT_READ_LIMIT: search and themes read a sample. */
  sampled: { read: number; of: number } | null;
}

/**
 * Comment search and themes under the comment rules of the team report: they read the comments
 * of a period only when the team report shows that period's comments (its `comments` cell: the
 * comment threshold, the tree rule, the team's total shown), and then the same comments (the
 * period's comments of pulses about the team and its sub-teams). Search filters by the words
 * only — comments carry no segment, score or date finer than the period — so it cannot be
 * combined with anything that narrows a group.
 */
@Injectable()
export class CommentReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly comments: CommentReportRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(report: TeamReport, query?: string): Promise<CommentReport> {
    const base = {
      team: { slug: report.team.slug, name: report.team.name },
      period: report.period,
      commentThreshold: this.config.commentThreshold,
      comments: report.comments,
    };
    if (report.comments.withheld) return { ...base, themes: WITHHELD, search: null, sampled: null };
    const n = report.comments.n;
    const all = await this.tree.teamList();
    const team = all.find((t) => t.slug === report.team.slug);
    const texts = team
      ? await this.comments.commentTexts(subtreeIds(all, team.id), {
          grain: report.period.grain,
          from: report.period.start,
          to: report.period.end,
        })
      : [];
    const threshold = themeThreshold(this.config.commentThreshold, Math.min(n, texts.length));
    const q = (query ?? '').trim();
    const matches = searchKey(q) ? searchComments(texts, q) : null;
    return {
      ...base,
      themes: guard(n, this.config.commentThreshold, () => ({
        threshold,
        languages: commentThemes(texts, threshold),
      })),
      sampled: texts.length < n ? { read: texts.length, of: n } : null,
      search: matches && {
        q,
        matches: matches.length,
        shown: Math.min(matches.length, SEARCH_SHOWN),
        texts: matches.slice(0, SEARCH_SHOWN),
      },
    };
  }
}
