import {
  type Cell,
  foldSegments,
  foldWithRest,
  guard,
  guardNps,
  type Nps,
  type NpsCounts,
  WITHHELD,
} from './anonymity';
import type { WaveQuestionCounts } from './reports.repository';

/** What a campaign report covers, as the campaigns feature describes it. */
export interface CampaignReportScope {
  name: string;
  k: number;
  subject: 'teams' | 'own_team';
  questions: {
    id: string;
    type: string;
    /** In the questionnaire's default language; `texts` and `labels` per language, for pages. */
    text: string;
    texts?: Record<string, string>;
    options: { key: string; label: string; labels?: Record<string, string> }[];
  }[];
  /** Subject `teams`: the rated teams, in order. */
  teams: { id: string; name: string }[];
  /** Oldest first; only waves that have opened. */
  waves: {
    id: string;
    number: number;
    surveyId: string;
    opensAt: Date;
    closesAt: Date;
    status: string;
  }[];
}

export type QuestionResult = Cell<{
  mean: number | null;
  csat: number | null;
  nps: number | null;
  options: { key: string; label: string; n: number }[];
}>;

export interface WaveReport {
  number: number;
  opensAt: Date;
  closesAt: Date;
  status: string;
  label: string;
  participation: {
    /** Invitations are HR's own doing: their count is shown. Answers are counted under k. */
    invited: number;
    answered: Cell<{ answered: number; rate: number }>;
    /** Departments with at least k answers; smaller ones fold into "Other". */
    byDepartment: {
      label: string;
      value: Cell<{ invited: number; answered: number; rate: number }>;
    }[];
  };
  /** Subject own_team: the eNPS of the wave. */
  enps: Cell<Nps> | null;
  /**
   * The question results. Subject own_team: for the whole wave (one response per person).
   * Subject teams: per rated team (one response per person and team; never summed across
   * teams, where one person would count several times).
   */
  groups: {
    label: string;
    nps: Cell<Nps> | null;
    questions: { id: string; result: QuestionResult }[];
  }[];
  /**
   * The heatmap: rows of departments (own_team) or rated teams (teams) × scored questions;
   * departments below k fold into "Other" question by question.
   */
  heatmap: { rows: { label: string; cells: (Cell<{ value: number; heat: number }> | null)[] }[] };
}

export interface CampaignReport {
  name: string;
  k: number;
  subject: 'teams' | 'own_team';
  questions: { id: string; type: string; text: string }[];
  /** The heatmap's columns: NPS/eNPS (score), ratings (CSAT %), effort (mean). */
  heatmapQuestions: { id: string; type: string; text: string }[];
  waves: WaveReport[];
}

const SCORED = ['nps', 'enps', 'rating', 'ces'];

/** `total` less each of `parts` (counts, sums and per-score counts). */
function minus(total: Acc, parts: Acc[]): Acc {
  return {
    n: total.n - parts.reduce((s, p) => s + p.n, 0),
    scoreSum: total.scoreSum - parts.reduce((s, p) => s + p.scoreSum, 0),
    scoreCounts: total.scoreCounts.map(
      (c, i) => c - parts.reduce((s, p) => s + p.scoreCounts[i], 0),
    ),
  };
}

export function npsCounts(scoreCounts: number[], n: number): NpsCounts {
  const c = (s: number) => scoreCounts[s] ?? 0;
  return {
    n,
    promoters: c(9) + c(10),
    passives: c(7) + c(8),
    detractors: [0, 1, 2, 3, 4, 5, 6].reduce((sum, s) => sum + c(s), 0),
  };
}

interface Acc {
  n: number;
  scoreSum: number;
  scoreCounts: number[];
}

function add(
  into: Acc | undefined,
  row: { n: number; score_sum: number; score_counts: number[] },
): Acc {
  const acc = into ?? { n: 0, scoreSum: 0, scoreCounts: Array(11).fill(0) };
  acc.n += row.n;
  acc.scoreSum += row.score_sum;
  row.score_counts.forEach((v, i) => (acc.scoreCounts[i] += v));
  return acc;
}

/** The value a heatmap cell shows for a scored question, and its shade 1–5. */
function cellValue(type: string, acc: Acc): { value: number; heat: number } {
  if (type === 'nps' || type === 'enps') {
    const value = guardNps(npsCounts(acc.scoreCounts, acc.n), 0) as Nps;
    return {
      value: value.nps,
      heat: Math.min(5, Math.max(1, Math.ceil(((value.nps + 100) / 200) * 5))),
    };
  }
  if (type === 'rating') {
    const value = Math.round((1000 * (acc.scoreCounts[4] + acc.scoreCounts[5])) / acc.n) / 10;
    return { value, heat: Math.min(5, Math.max(1, Math.ceil((value / 100) * 5))) };
  }
  const mean = Math.round((acc.scoreSum / acc.n) * 100) / 100;
  return { value: mean, heat: Math.min(5, Math.max(1, Math.ceil(((mean - 1) / 6) * 5))) };
}

function questionResult(
  question: CampaignReportScope['questions'][number],
  acc: Acc | undefined,
  options: Map<string, number>,
  k: number,
): QuestionResult {
  if (!acc) return WITHHELD;
  return guard(acc.n, k, () => ({
    mean:
      question.type === 'rating' || question.type === 'ces'
        ? Math.round((acc.scoreSum / acc.n) * 100) / 100
        : null,
    csat:
      question.type === 'rating'
        ? Math.round((1000 * (acc.scoreCounts[4] + acc.scoreCounts[5])) / acc.n) / 10
        : null,
    nps:
      question.type === 'nps' || question.type === 'enps'
        ? (guardNps(npsCounts(acc.scoreCounts, acc.n), 0) as Nps).nps
        : null,
    options: question.options.map((o) => ({ ...o, n: options.get(o.key) ?? 0 })),
  }));
}

/**
 * Assembles a campaign report from the wave rollups and the invitation counts, passing every
 * number through anonymity.ts: participation and results need k answers, departments fold into
 * "Other" so that no group below k can be worked out by subtraction, and nothing is summed across
 * rated teams (one person answers for several).
 */
export function assembleCampaignReport(
  scope: CampaignReportScope,
  participation: { survey_id: string; department: string; invited: number; answered: number }[],
  counts: WaveQuestionCounts[],
  options: {
    survey_id: string;
    team_id: string;
    question_id: string;
    option_key: string;
    n: number;
  }[],
): CampaignReport {
  const { k } = scope;
  const byId = new Map(scope.questions.map((q) => [q.id, q]));
  const heatmapQuestions = scope.questions.filter((q) => SCORED.includes(q.type));
  const enpsQuestion = scope.questions.find((q) => q.type === 'enps');
  const npsQuestion = scope.questions.find((q) => q.type === 'nps');

  const waves = scope.waves.map((wave): WaveReport => {
    const ofWave = counts.filter((c) => c.survey_id === wave.surveyId && byId.has(c.question_id));
    // Whole releases, and the department values their releases named (response_segment).
    const mine = ofWave.filter((c) => c.department === null);
    const named = ofWave.filter((c) => c.department !== null);
    const people = participation.filter((p) => p.survey_id === wave.surveyId);
    const invited = people.reduce((s, p) => s + p.invited, 0);
    const answered = people.reduce((s, p) => s + p.answered, 0);
    const folded = foldSegments(
      people.map((p) => ({ key: p.department, n: p.answered, invited: p.invited })),
      k,
    );
    const rate = (a: number, i: number) => (i > 0 ? Math.round((1000 * a) / i) / 10 : 0);
    const otherInvited = folded.other.reduce((s, g) => s + g.invited, 0);
    const otherAnswered = folded.other.reduce((s, g) => s + g.n, 0);
    const byDepartment = [
      ...folded.shown.map((g) => ({
        label: g.key,
        value: guard(g.n, k, () => ({
          invited: g.invited,
          answered: g.n,
          rate: rate(g.n, g.invited),
        })),
      })),
      ...(folded.other.length > 0 && folded.shown.length > 0
        ? [
            {
              label: 'Other',
              value: guard(otherAnswered, k, () => ({
                invited: otherInvited,
                answered: otherAnswered,
                rate: rate(otherAnswered, otherInvited),
              })),
            },
          ]
        : []),
    ];

    // Results per group: the whole wave (own_team) or each rated team (teams).
    const groupKeys =
      scope.subject === 'teams'
        ? scope.teams.map((t) => ({ label: t.name, teamIds: [t.id] }))
        : [{ label: 'Whole wave', teamIds: undefined as string[] | undefined }];
    const accumulate = (filter: (c: WaveQuestionCounts) => boolean) => {
      const result = new Map<string, Acc>();
      for (const c of mine.filter(filter))
        result.set(c.question_id, add(result.get(c.question_id), c));
      return result;
    };
    const optionsOf = (questionId: string, teamIds: string[] | undefined) => {
      const map = new Map<string, number>();
      for (const o of options) {
        if (o.survey_id !== wave.surveyId || o.question_id !== questionId) continue;
        if (teamIds && !teamIds.includes(o.team_id)) continue;
        map.set(o.option_key, (map.get(o.option_key) ?? 0) + o.n);
      }
      return map;
    };
    const groups = groupKeys.map((g) => {
      const accs = accumulate((c) => !g.teamIds || g.teamIds.includes(c.team_id));
      const npsAcc = npsQuestion ? accs.get(npsQuestion.id) : undefined;
      return {
        label: g.label,
        nps:
          scope.subject === 'teams' && npsQuestion
            ? npsAcc
              ? guardNps(npsCounts(npsAcc.scoreCounts, npsAcc.n), k)
              : WITHHELD
            : null,
        questions: scope.questions
          .filter((q) => q.type !== 'text')
          .map((q) => ({
            id: q.id,
            result: questionResult(q, accs.get(q.id), optionsOf(q.id, g.teamIds), k),
          })),
      };
    });
    const whole = accumulate(() => true);
    const enpsAcc = enpsQuestion ? whole.get(enpsQuestion.id) : undefined;

    // Heatmap.
    let rows: WaveReport['heatmap']['rows'];
    if (scope.subject === 'teams') {
      rows = scope.teams.map((team) => {
        const accs = accumulate((c) => c.team_id === team.id);
        return {
          label: team.name,
          cells: heatmapQuestions.map((q) => {
            const acc = accs.get(q.id);
            return acc ? guard(acc.n, k, () => cellValue(q.type, acc)) : null;
          }),
        };
      });
    } else {
      const departments = [...new Set(named.map((c) => c.department as string))].sort();
      const perQuestion = heatmapQuestions.map((q) => {
        const byDept = new Map<string, Acc>();
        for (const c of named.filter((c) => c.question_id === q.id))
          byDept.set(c.department as string, add(byDept.get(c.department as string), c));
        // What no release named is the rest of the wave: a group of its own, folded like one.
        const all = whole.get(q.id);
        const rest = all ? minus(all, [...byDept.values()]) : undefined;
        const fold = foldWithRest(
          [...byDept.entries()].map(([key, acc]) => ({ key, n: acc.n, acc })),
          rest ? { key: '', n: rest.n, acc: rest } : undefined,
          k,
        );
        const other = fold.other.reduce<Acc | undefined>(
          (sum, g) =>
            add(sum, { n: g.acc.n, score_sum: g.acc.scoreSum, score_counts: g.acc.scoreCounts }),
          undefined,
        );
        return {
          q,
          byDept,
          shown: new Set(fold.shown.map((g) => g.key)),
          other,
          anyShown: fold.shown.length > 0,
        };
      });
      rows = departments.map((department) => ({
        label: department,
        cells: perQuestion.map(({ q, byDept, shown }) => {
          const acc = byDept.get(department);
          if (!acc) return null;
          return shown.has(department) ? guard(acc.n, k, () => cellValue(q.type, acc)) : WITHHELD;
        }),
      }));
      if (perQuestion.some((p) => p.other && p.anyShown))
        rows.push({
          label: 'Other',
          cells: perQuestion.map(({ q, other, anyShown }) =>
            other && anyShown ? guard(other.n, k, () => cellValue(q.type, other)) : null,
          ),
        });
    }

    return {
      number: wave.number,
      opensAt: wave.opensAt,
      closesAt: wave.closesAt,
      status: wave.status,
      label: `Wave ${wave.number} · ${wave.opensAt.toISOString().slice(0, 10)}`,
      participation: {
        invited,
        answered: guard(answered, k, () => ({ answered, rate: rate(answered, invited) })),
        byDepartment: folded.shown.length > 0 ? byDepartment : [],
      },
      enps: enpsQuestion
        ? enpsAcc
          ? guardNps(npsCounts(enpsAcc.scoreCounts, enpsAcc.n), k)
          : WITHHELD
        : null,
      groups,
      heatmap: { rows },
    };
  });

  return {
    name: scope.name,
    k,
    subject: scope.subject,
    questions: scope.questions.map((q) => ({ id: q.id, type: q.type, text: q.text })),
    heatmapQuestions: heatmapQuestions.map((q) => ({ id: q.id, type: q.type, text: q.text })),
    waves,
  };
}
