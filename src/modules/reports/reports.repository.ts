import { Injectable } from '@nestjs/common';
import { type NpsCounts, ORGANISATION } from './anonymity';
import type { Grain } from './periods';
import { ReadDatabase } from '../../database/read-database';
import { REPORT_SQL } from './reports.sql';

/** A whole number of calendar buckets of `grain`: [from, to). */
export interface Range {
  grain: Grain;
  from: string;
  to: string;
}

/** Groups of teams: a key (a team id, or ORGANISATION) and the ids of the teams it covers. */
export type Groups = Record<string, string[]>;

export type Segment = 'department' | 'location' | 'tenure_band';

/** Which answers: pulses (the main figures), surveys after tickets, or anonymous reviews. */
export type Source = 'pulse' | 'ticket' | 'review';

export interface QuestionCounts {
  key: string;
  question_id: string;
  n: number;
  top2: number;
  mean: number | null;
}

export interface QuestionRow {
  id: string;
  type: string;
  text: Record<string, string>;
  options: { key: string; label: Record<string, string> }[] | null;
  position: number;
  /** The campaign whose questionnaire holds the question; null: the pulse surveys'. */
  campaign: string | null;
}

export interface WaveQuestionCounts {
  survey_id: string;
  team_id: string;
  /** Null: the release's whole; else a department value its release named. */
  department: string | null;
  question_id: string;
  n: number;
  score_sum: number;
  /** Index s counts score s (0–10). */
  score_counts: number[];
}

function pairs(groups: Groups): string {
  return JSON.stringify(
    Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id }))),
  );
}

/**
 * Raw aggregates over mixed responses, computed in PostgreSQL from the daily rollups. Nothing
 * here is shown as it is: ReportsService passes every number through anonymity.ts first. Read
 * from the replica while it keeps up (ReadDatabase).
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly read: ReadDatabase) {}

  /** One statement of REPORT_SQL, prepared once per connection under its own name. */
  private run<T>(name: keyof typeof REPORT_SQL, values: unknown[]): Promise<T[]> {
    return this.read.prepared<T>(`report_${name}`, REPORT_SQL[name], values);
  }

  /**
   * iNPS counts per calendar bucket of every team rolled up with its sub-teams (keyed by team
   * id) and of the organisation (keyed ORGANISATION).
   */
  async npsByTreeAndBucket(
    range: Range,
  ): Promise<(NpsCounts & { source: Source; key: string; bucket: string })[]> {
    return this.run('npsByTreeAndBucket', [ORGANISATION, range.grain, range.from, range.to]);
  }

  /**
   * Per source and question: respondents, share of 4–5 and mean, for every team rolled up and
   * the organisation.
   */
  async questionCountsByTree(range: Range): Promise<(QuestionCounts & { source: Source })[]> {
    return this.run('questionCountsByTree', [ORGANISATION, range.grain, range.from, range.to]);
  }

  /** The questions answered in the period, in questionnaire order. */
  async questionsInPeriod(range: Range): Promise<QuestionRow[]> {
    return this.run('questionsInPeriod', [range.grain, range.from, range.to]);
  }

  /** How many chose each option, per group and choice question. */
  async optionCountsByGroup(
    groups: Groups,
    range: Range,
  ): Promise<{ key: string; question_id: string; option_key: string; n: number }[]> {
    if (Object.keys(groups).length === 0) return [];
    return this.run('optionCountsByGroup', [pairs(groups), range.grain, range.from, range.to]);
  }

  /** iNPS counts per group, respondent segment and value. */
  async npsBySegmentAndGroup(
    groups: Groups,
    range: Range,
  ): Promise<(NpsCounts & { key: string; dimension: Segment; value: string })[]> {
    if (Object.keys(groups).length === 0) return [];
    return this.run('npsBySegmentAndGroup', [pairs(groups), range.grain, range.from, range.to]);
  }

  /** How many answered each iNPS score, 0–10. */
  async npsDistribution(teamIds: string[], range: Range): Promise<{ score: number; n: number }[]> {
    return this.run('npsDistribution', [teamIds, range.grain, range.from, range.to]);
  }

  /**
   * The version of the rollups over the release days [from, to) (REPORT_SQL.changeVersion): on
   * the same connections as every statement here, so it is the version of what they read.
   */
  async changeVersion(from: string, to: string): Promise<string> {
    const [row] = await this.run<{ version: string }>('changeVersion', [from, to]);
    return row.version;
  }

  /** Up to `limit` comments of the period, in random order. */
  async commentSample(
    teamIds: string[],
    range: Range,
    limit: number,
    source: Exclude<Source, 'review'> = 'pulse',
  ): Promise<string[]> {
    const rows: { text: string }[] = await this.run(
      source === 'pulse' ? 'commentSample' : 'ticketCommentSample',
      [teamIds, range.from, range.to, limit],
    );
    return rows.map((r) => r.text);
  }

  /** Up to `limit` comments of the period's anonymous reviews to one question, in random order. */
  async reviewCommentSample(
    teamIds: string[],
    range: Range,
    limit: number,
    questionId: string,
  ): Promise<string[]> {
    const rows: { text: string }[] = await this.run('reviewCommentSample', [
      teamIds,
      range.from,
      range.to,
      limit,
      questionId,
    ]);
    return rows.map((r) => r.text);
  }

  /** iNPS counts of answers after tickets per group and resolution-time band of the ticket. */
  async ticketNpsByBandAndGroup(
    groups: Groups,
    range: Range,
  ): Promise<(NpsCounts & { key: string; value: string })[]> {
    if (Object.keys(groups).length === 0) return [];
    return this.run('ticketNpsByBandAndGroup', [pairs(groups), range.grain, range.from, range.to]);
  }

  /** Invited and answered people per wave survey and department (counts of people). */
  waveParticipation(
    surveyIds: string[],
  ): Promise<{ survey_id: string; department: string; invited: number; answered: number }[]> {
    if (surveyIds.length === 0) return Promise.resolve([]);
    return this.read.query(REPORT_SQL.waveParticipation, [surveyIds]);
  }

  /** Answer counts per wave survey, rated team, department and question. */
  waveQuestionCounts(surveyIds: string[]): Promise<WaveQuestionCounts[]> {
    if (surveyIds.length === 0) return Promise.resolve([]);
    return this.read.query(REPORT_SQL.waveQuestionCounts, [surveyIds]);
  }

  waveOptionCounts(
    surveyIds: string[],
  ): Promise<
    { survey_id: string; team_id: string; question_id: string; option_key: string; n: number }[]
  > {
    if (surveyIds.length === 0) return Promise.resolve([]);
    return this.read.query(REPORT_SQL.waveOptionCounts, [surveyIds]);
  }

  /**
   * Invitations of the pulse surveys about these teams released in the range, and how many were
   * answered: whole surveys, each only when at least its k answered (see REPORT_SQL.responseRate).
   */
  async responseRate(
    teamIds: string[],
    range: Range,
  ): Promise<{ invited: number; answered: number }> {
    const [row] = await this.run<{ invited: number; answered: number }>('responseRate', [
      teamIds,
      range.from,
      range.to,
    ]);
    return row;
  }
}
