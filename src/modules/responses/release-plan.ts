import { randomInt } from 'node:crypto';
import type { PendingAnswer } from './entities/pending-response.entity';

/**
 * What a release writes, worked out from the opened submissions of one release unit: a survey
 * (pulses, once it has closed) or a team's answers after tickets (once a period has closed). The
 * rules that keep every stored answer among at least m people:
 *
 * - A release holds, for each rated team, the answers of at least m different people, at most one
 *   each. A team below m is not released: after a pulse closes its answers are deleted unread
 *   (`final`); after tickets they wait for the next period (`carry`), like a second answer of the
 *   same person.
 * - Segments (department, location, tenure band; the resolution-time band after tickets) are
 *   never written per person. Per team and dimension, each value that at least m of the team's
 *   respondents share gets an aggregate of its own (score histograms per question); smaller
 *   values fold into the rest, and while the rest is above 0 but below m the smallest named value
 *   folds in too (nothing is written for a dimension where that leaves no value).
 * - Histograms of several dimensions can be crossed (a rare score tells its author's value in
 *   each), so what counts is the JOINT partition: the dimensions are taken in order, and one is
 *   named only where every group of people sharing a combination of named values (or "the rest")
 *   holds 0 or at least m respondents — folding its smallest named values into the rest until it
 *   does, or leaving it out. A response can then be narrowed to such a group, never below m.
 * - A question asked only to some (eNPS, at most once a quarter per person) is released only
 *   where at least m of the team's respondents were asked it and the others number 0 or at
 *   least m (a required answer missing tells who was not asked); being asked is then the first
 *   part of the joint partition.
 *
 * It works in two passes so that a release of any size never holds every answer in memory: a
 * tally of who answered what (`add`), then the decision, then the answers again (`answersFor`).
 */
export type Dimension = 'department' | 'location' | 'tenure_band' | 'resolution_band';

export const PULSE_DIMENSIONS: Dimension[] = ['department', 'location', 'tenure_band'];
export const TICKET_DIMENSIONS: Dimension[] = ['resolution_band'];
/** Reviews name no segment: a review is asked for, not sent to an audience. */
export const REVIEW_DIMENSIONS: Dimension[] = [];

/** An opened pending row, with what the mixer read of its invitation. */
export interface Submission {
  /** The pending row. */
  id: string;
  /** Who answered, to count different people (never written anywhere). */
  person: string;
  segments: Partial<Record<Dimension, string | null>>;
  /** Whether the person was asked the questions in `PlanOptions.askedToSome`. */
  askedAll: boolean;
  blocks: { teamId: string; answers: PendingAnswer[] }[];
}

export interface PlanOptions {
  m: number;
  /** `final`: a team below m is dropped; `carry`: it stays pending, as do second answers. */
  mode: 'final' | 'carry';
  dimensions: Dimension[];
  /** Question types by id. */
  questionTypes: Map<string, string>;
  /** Questions asked only to the people marked `askedAll` (eNPS). */
  askedToSome: Set<string>;
}

export interface SegmentCell {
  teamId: string;
  dimension: Dimension;
  value: string;
  questionId: string;
  n: number;
  scoreSum: number;
  /** Index s counts score s (0–10). */
  scoreCounts: number[];
}

const SCORED = new Set(['nps', 'enps', 'rating', 'ces']);

/** A shuffled copy (Fisher–Yates with a cryptographic random source). */
export function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * The values of one dimension that get an aggregate of their own: those shared by at least m
 * people, less the smallest while the rest is above 0 and below m. Empty when nothing can be
 * named. (The rule of anonymity.foldSegments, with m and counts of people.)
 */
export function namedValues(people: Map<string, number>, m: number): Set<string> {
  const named = [...people.entries()]
    .filter(([, n]) => n >= m)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  let rest = [...people.values()].filter((n) => n < m).reduce((s, n) => s + n, 0);
  while (rest > 0 && rest < m && named.length > 0) rest += (named.shift() as [string, number])[1];
  if (rest > 0 && rest < m) return new Set();
  return new Set(named.map(([value]) => value));
}

interface ValueTally {
  people: number;
  cells: Map<string, { n: number; scoreSum: number; scoreCounts: number[] }>;
}

interface TeamTally {
  people: Set<string>;
  asked: number;
  values: Map<Dimension, Map<string, ValueTally>>;
  /** Respondents per combination: asked (1/0), then each dimension's value, joined by \u0000. */
  combinations: Map<string, number>;
}

/** What a team's release names: eNPS or not, and per dimension the values named. */
interface TeamNaming {
  enps: boolean;
  named: Map<Dimension, Set<string>>;
}

/** The two-pass plan of one release (see the rules above). */
export class ReleaseTally {
  private readonly teams = new Map<string, TeamTally>();
  /** Submissions (or some of their blocks) held back: a second answer of the same person. */
  private readonly held = new Set<string>();
  private decided?: { released: Set<string>; naming: Map<string, TeamNaming> };

  constructor(private readonly options: PlanOptions) {}

  /** Pass one: count who answered about which team, and the segment aggregates. */
  add(submission: Submission): void {
    // A second answer of the same person about a team waits (or is dropped), whole.
    if (submission.blocks.some((b) => this.teams.get(b.teamId)?.people.has(submission.person))) {
      this.held.add(submission.id);
      return;
    }
    for (const block of submission.blocks) {
      let team = this.teams.get(block.teamId);
      if (!team)
        this.teams.set(
          block.teamId,
          (team = { people: new Set(), asked: 0, values: new Map(), combinations: new Map() }),
        );
      team.people.add(submission.person);
      if (submission.askedAll) team.asked += 1;
      const combination = [
        submission.askedAll ? '1' : '0',
        ...this.options.dimensions.map((d) => submission.segments[d] ?? 'Unknown'),
      ].join('\u0000');
      team.combinations.set(combination, (team.combinations.get(combination) ?? 0) + 1);
      for (const dimension of this.options.dimensions) {
        const value = submission.segments[dimension] ?? 'Unknown';
        let values = team.values.get(dimension);
        if (!values) team.values.set(dimension, (values = new Map()));
        let tally = values.get(value);
        if (!tally) values.set(value, (tally = { people: 0, cells: new Map() }));
        tally.people += 1;
        for (const a of block.answers) {
          if (a.score === null || !SCORED.has(this.options.questionTypes.get(a.question_id) ?? ''))
            continue;
          let cell = tally.cells.get(a.question_id);
          if (!cell)
            tally.cells.set(
              a.question_id,
              (cell = { n: 0, scoreSum: 0, scoreCounts: Array(11).fill(0) }),
            );
          cell.n += 1;
          cell.scoreSum += a.score;
          if (a.score >= 0 && a.score <= 10) cell.scoreCounts[a.score] += 1;
        }
      }
    }
  }

  private decision() {
    if (!this.decided) {
      const released = new Set<string>();
      const naming = new Map<string, TeamNaming>();
      for (const [teamId, team] of this.teams) {
        if (team.people.size < this.options.m) continue;
        released.add(teamId);
        naming.set(teamId, this.nameFor(team));
      }
      this.decided = { released, naming };
    }
    return this.decided;
  }

  /**
   * The joint rule (see above): eNPS first, then each dimension in order, named only as far as
   * every group of respondents sharing a combination of what is named holds 0 or ≥ m people.
   */
  private nameFor(team: TeamTally): TeamNaming {
    const m = this.options.m;
    const combinations = [...team.combinations].map(([key, n]) => ({
      parts: key.split('\u0000'),
      n,
    }));
    const notAsked = team.people.size - team.asked;
    const enps =
      this.options.askedToSome.size > 0 && team.asked >= m && (notAsked === 0 || notAsked >= m);
    const named = new Map<Dimension, Set<string>>();
    const groupsHold = (extra?: { index: number; values: Set<string> }) => {
      const groups = new Map<string, number>();
      for (const { parts, n } of combinations) {
        const key = [
          enps ? parts[0] : '',
          ...this.options.dimensions.map((d, i) => {
            const values = extra?.index === i ? extra.values : named.get(d);
            return values?.has(parts[i + 1]) ? parts[i + 1] : '';
          }),
        ].join('\u0000');
        groups.set(key, (groups.get(key) ?? 0) + n);
      }
      return [...groups.values()].every((n) => n >= m);
    };
    this.options.dimensions.forEach((dimension, index) => {
      const people = new Map(
        [...(team.values.get(dimension) ?? new Map<string, ValueTally>())].map(([v, t]) => [
          v,
          t.people,
        ]),
      );
      const values = namedValues(people, m);
      // Fold the smallest named values into the rest until the groups hold (the rest only
      // grows, by at least m each time, so it stays 0 or ≥ m).
      const order = [...values].sort(
        (a, b) => (people.get(a) ?? 0) - (people.get(b) ?? 0) || a.localeCompare(b),
      );
      while (values.size > 0 && !groupsHold({ index, values }))
        values.delete(order.shift() as string);
      if (values.size > 0) named.set(dimension, values);
    });
    return { enps, named };
  }

  /** The teams released, and those that were not with how many people they had. */
  get outcome(): { released: string[]; belowM: { teamId: string; people: number }[] } {
    const { released } = this.decision();
    return {
      released: [...released],
      belowM: [...this.teams]
        .filter(([id]) => !released.has(id))
        .map(([teamId, team]) => ({ teamId, people: team.people.size })),
    };
  }

  /**
   * Pass two, for each submission again: the answers to write per released team (none for a
   * team not released or a second answer of the same person), and whether the pending row is
   * consumed (written, or dropped unread when `final`) or stays for a later release.
   */
  answersFor(submission: Submission): {
    blocks: { teamId: string; answers: PendingAnswer[] }[];
    consumed: boolean;
  } {
    const { released, naming } = this.decision();
    if (this.held.has(submission.id))
      return { blocks: [], consumed: this.options.mode === 'final' };
    const blocks = submission.blocks
      .filter((b) => released.has(b.teamId))
      .map((b) => ({
        teamId: b.teamId,
        answers: naming.get(b.teamId)?.enps
          ? b.answers
          : b.answers.filter((a) => !this.options.askedToSome.has(a.question_id)),
      }));
    const consumed = this.options.mode === 'final' || blocks.length > 0;
    return { blocks, consumed };
  }

  /** The segment aggregates of the released teams. */
  cells(): SegmentCell[] {
    const { released, naming } = this.decision();
    const cells: SegmentCell[] = [];
    for (const [teamId, team] of this.teams) {
      if (!released.has(teamId)) continue;
      const { enps, named } = naming.get(teamId) as TeamNaming;
      for (const [dimension, values] of team.values) {
        for (const value of [...(named.get(dimension) ?? [])].sort())
          for (const [questionId, cell] of (values.get(value) as ValueTally).cells) {
            if (!enps && this.options.askedToSome.has(questionId)) continue;
            cells.push({
              teamId,
              dimension,
              value,
              questionId,
              ...cell,
              scoreCounts: [...cell.scoreCounts],
            });
          }
      }
    }
    return cells;
  }
}

/** A whole release at once, for callers that hold every submission anyway (tests, the demo). */
export function planRelease(submissions: Submission[], options: PlanOptions) {
  const tally = new ReleaseTally(options);
  for (const s of submissions) tally.add(s);
  const responses = new Map<string, PendingAnswer[][]>();
  const consumed: string[] = [];
  const kept: string[] = [];
  for (const s of submissions) {
    const { blocks, consumed: gone } = tally.answersFor(s);
    (gone ? consumed : kept).push(s.id);
    for (const b of blocks)
      responses.set(b.teamId, [...(responses.get(b.teamId) ?? []), b.answers]);
  }
  return {
    teams: [...responses].map(([teamId, list]) => ({ teamId, responses: shuffled(list) })),
    cells: tally.cells(),
    consumed,
    kept,
    ...tally.outcome,
  };
}
