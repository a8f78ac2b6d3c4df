import { themeThreshold } from '../../src/modules/reports/comment-themes';
import type { TestApp } from '../setup/test-app';

type Json = Record<string, unknown>;

/** How many periods were checked with their comments shown, themes listed and words found. */
export const commentThemeChecks = { shown: 0, themes: 0, matches: 0 };

/** The words of a comment as the property worlds write them (plain English, no accents). */
const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);

/**
 * Comment themes and search of one team's period (`GET /api/v1/teams/:slug/comments`) against
 * the comments the model says the period shows (reports-anonymity.property.spec.ts): withheld
 * exactly when the comments are, with no theme and no match then; otherwise every theme holds at
 * least T comments (T = themeThreshold of the comment threshold and the period's count) and
 * exactly as many as the model's comments that hold it, and a search finds exactly the model's
 * comments holding the word, among that period's comments only.
 */
export async function checkCommentThemes(
  t: TestApp,
  slug: string,
  grain: string,
  at: string,
  model: { where: string; withheld: boolean; texts: string[]; commentK: number },
): Promise<void> {
  const { where, withheld, texts, commentK } = model;
  const res = await t.api({
    method: 'GET',
    url: `/api/v1/teams/${slug}/comments?period=${grain}&at=${at}&q=slow`,
  });
  expect({ where, status: res.statusCode }).toEqual({ where, status: 200 });
  const body = res.json() as Json;
  const themes = body.themes as Json;
  if (withheld) {
    expect({ where, themes, search: body.search }).toEqual({
      where,
      themes: { withheld: true },
      search: null,
    });
    return;
  }
  commentThemeChecks.shown++;
  const threshold = themeThreshold(commentK, texts.length);
  expect({ where, themes: { ...themes, languages: [] } }).toEqual({
    where,
    themes: { withheld: false, n: texts.length, threshold, languages: [] },
  });
  for (const language of themes.languages as { themes: { text: string; comments: number }[] }[])
    for (const theme of language.themes) {
      commentThemeChecks.themes++;
      const holding = texts.filter((text) =>
        ` ${wordsOf(text).join(' ')} `.includes(` ${theme.text} `),
      ).length;
      expect({ where, theme: theme.text, comments: theme.comments }).toEqual({
        where,
        theme: theme.text,
        comments: holding,
      });
      expect({ where, theme: theme.text, reachesT: theme.comments >= threshold }).toEqual({
        where,
        theme: theme.text,
        reachesT: true,
      });
    }
  const search = body.search as { matches: number; texts: string[] };
  const slow = texts.filter((text) => text.toLowerCase().includes('slow'));
  expect({ where, matches: search.matches }).toEqual({ where, matches: slow.length });
  if (slow.length > 0) commentThemeChecks.matches++;
  expect([...search.texts].sort()).toEqual(slow.slice(0, 100).sort());
}
