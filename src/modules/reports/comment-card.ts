import type { CommentReport } from './comment-report.service';
import { highlight } from './comment-search';

/**
 * The comment card of a report page (views/partials/report-comments.hbs) from a CommentReport:
 * the sample, or the matches of a search with the words marked, the themes as links that run
 * their search, and the search form. `path` is the page the card sits on; `startAction`, when
 * the reader may start an action, the team's actions page (the partial adds the new-action path).
 */
export function commentsCard(
  report: CommentReport,
  options: { path: string; startAction: string | null },
) {
  const { period, comments, themes, search, sampled } = report;
  const query = (q: string) =>
    `${options.path}?period=${period.grain}&at=${period.start}&q=${encodeURIComponent(q)}#comments-title`;
  return {
    period,
    withheld: comments.withheld,
    n: comments.withheld ? 0 : comments.n,
    sample: comments.withheld ? [] : comments.texts,
    shown: comments.withheld ? 0 : comments.shown,
    form: { action: options.path, grain: period.grain, at: period.start, q: search?.q ?? '' },
    search: search && {
      ...search,
      more: search.matches > search.shown,
      clearUrl: `${options.path}?period=${period.grain}&at=${period.start}#comments-title`,
      items: search.texts.map((text) => ({ pieces: highlight(text, search.q) })),
    },
    themes: themes.withheld
      ? null
      : {
          threshold: themes.threshold,
          languages: themes.languages.map((l) => ({
            language: l.language,
            labelKey: `comments.languages.${l.language}`,
            themes: l.themes.map((t) => ({
              ...t,
              href: query(t.text),
              current: search !== null && search.q === t.text,
            })),
          })),
        },
    sampled,
    startAction: options.startAction,
  };
}
