import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { type Cell, guard, WITHHELD } from './anonymity';
import { CommentReportRepository } from './comment-report.repository';
import { searchComments, searchKey, SEARCH_SHOWN } from './comment-search';
import { commentThemes, type LanguageThemes, themeThreshold } from './comment-themes';
import { ReportTreeService, subtreeIds, type Team } from './report-tree.service';
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

  private readonly themes = new ThemesCache();

  /** `teams`: the team tree the report was built from, when the caller has it (no second read). */
  async build(report: TeamReport, query?: string, teams?: Team[]): Promise<CommentReport> {
    const base = {
      team: { slug: report.team.slug, name: report.team.name },
      period: report.period,
      commentThreshold: this.config.commentThreshold,
      comments: report.comments,
    };
    if (report.comments.withheld) return { ...base, themes: WITHHELD, search: null, sampled: null };
    const n = report.comments.n;
    const all = teams ?? (await this.tree.teamList());
    const team = all.find((t) => t.slug === report.team.slug);
    const teamIds = team ? subtreeIds(all, team.id) : [];
    const range = { grain: report.period.grain, from: report.period.start, to: report.period.end };
    const q = (query ?? '').trim();
    const key = `${teamIds.join(',')} ${range.grain} ${range.from} ${range.to}`;
    const cached = this.themes.get(key, n);
    const texts =
      teamIds.length > 0 && (!cached || searchKey(q))
        ? await this.comments.commentTexts(teamIds, range)
        : [];
    const themes = cached ?? this.themes.set(key, n, texts.length, this.themesOf(n, texts));
    const matches = searchKey(q) ? searchComments(texts, q) : null;
    return {
      ...base,
      themes: guard(n, this.config.commentThreshold, () => themes.value),
      sampled: themes.read < n ? { read: themes.read, of: n } : null,
      search: matches && {
        q,
        matches: matches.length,
        shown: Math.min(matches.length, SEARCH_SHOWN),
        texts: matches.slice(0, SEARCH_SHOWN),
      },
    };
  }

  private themesOf(n: number, texts: string[]): ThemesValue {
    const threshold = themeThreshold(this.config.commentThreshold, Math.min(n, texts.length));
    return { threshold, languages: commentThemes(texts, threshold) };
  }
}

type ThemesValue = { threshold: number; languages: LanguageThemes[] };

/**
 * Themes of a period's comments, kept per team (with its sub-teams) and period, so that a page
 * view does not read up to COMMENT_READ_LIMIT texts and segment them each time (the card's main
 * cost). An entry is used only while the period's comment count (`n`, from the report's rollups)
 * is the one it was computed for — a release that adds comments to the period, or a deletion,
 * changes it — and for at most THEMES_TTL_MS, the bound on any other change being seen. Per
 * process: instances each keep their own. Only derived counts are kept, never a text.
 */
export class ThemesCache {
  private readonly entries = new Map<
    string,
    { n: number; read: number; value: ThemesValue; at: number }
  >();

  constructor(
    private readonly size = THEMES_CACHE_SIZE,
    private readonly ttlMs = THEMES_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, n: number): { read: number; value: ThemesValue } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.n !== n || this.now() - entry.at > this.ttlMs) return undefined;
    this.entries.set(key, entry); // most recently used last
    return { read: entry.read, value: entry.value };
  }

  set(
    key: string,
    n: number,
    read: number,
    value: ThemesValue,
  ): { read: number; value: ThemesValue } {
    this.entries.delete(key);
    this.entries.set(key, { n, read, value, at: this.now() });
    while (this.entries.size > this.size) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return { read, value };
  }
}

/** Periods × teams whose themes are kept (a few KB each). */
export const THEMES_CACHE_SIZE = 500;
/** How long a period's themes are reused at most, whatever else happens. */
export const THEMES_TTL_MS = 5 * 60_000;
