import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NpsCounts } from './anonymity';
import type { Grain } from './periods';
import { REPORT_SQL } from './reports.sql';

export interface Range {
  from: string;
  to: string;
}

/**
 * Raw aggregates over mixed responses, computed in PostgreSQL. Nothing here is shown as it is:
 * ReportsService passes every number through anonymity.ts first.
 */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** iNPS counts per calendar bucket of `grain`, for responses about any of `teamIds`. */
  async npsByBucket(
    teamIds: string[],
    grain: Grain,
    range: Range,
  ): Promise<(NpsCounts & { bucket: string })[]> {
    return this.dataSource.query(REPORT_SQL.npsByBucket, [teamIds, grain, range.from, range.to]);
  }

  /** iNPS counts per group of teams and calendar bucket (the overview's table and sparklines). */
  async npsByGroupAndBucket(
    groups: Record<string, string[]>,
    grain: Grain,
    range: Range,
  ): Promise<(NpsCounts & { key: string; bucket: string })[]> {
    const pairs = Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id })));
    if (pairs.length === 0) return [];
    return this.dataSource.query(REPORT_SQL.npsByGroupAndBucket, [
      JSON.stringify(pairs),
      grain,
      range.from,
      range.to,
    ]);
  }

  /** Per group of teams and rating/effort question: respondents, share of 4–5 and mean. */
  async questionScoresByGroup(
    groups: Record<string, string[]>,
    range: Range,
  ): Promise<
    {
      key: string;
      question_id: string;
      type: string;
      text: Record<string, string>;
      n: number;
      top2: number;
      mean: number;
    }[]
  > {
    const pairs = Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id })));
    if (pairs.length === 0) return [];
    return this.dataSource.query(REPORT_SQL.questionScoresByGroup, [
      JSON.stringify(pairs),
      range.from,
      range.to,
    ]);
  }

  /** iNPS counts per value of a respondent segment (department, location or tenure band). */
  async npsBySegment(
    teamIds: string[],
    segment: 'department' | 'location' | 'tenure_band',
    range: Range,
  ): Promise<(NpsCounts & { key: string })[]> {
    return this.dataSource.query(REPORT_SQL.npsBySegment(segment), [teamIds, range.from, range.to]);
  }

  /** How many answered each iNPS score, 0–10. */
  async npsDistribution(teamIds: string[], range: Range): Promise<{ score: number; n: number }[]> {
    return this.dataSource.query(REPORT_SQL.npsDistribution, [teamIds, range.from, range.to]);
  }

  /** Rating, effort and choice questions: respondents, mean, share of 4–5, counts per option. */
  async questionResults(
    teamIds: string[],
    range: Range,
  ): Promise<
    {
      question_id: string;
      type: string;
      text: Record<string, string>;
      options: { key: string; label: Record<string, string> }[] | null;
      position: number;
      respondents: number;
      mean: number | null;
      top2: number;
      option_counts: Record<string, number> | null;
    }[]
  > {
    return this.dataSource.query(REPORT_SQL.questionResults, [teamIds, range.from, range.to]);
  }

  /** The comments of the period in random order (at most `limit`), and how many there are. */
  async comments(
    teamIds: string[],
    range: Range,
    limit: number,
  ): Promise<{ total: number; texts: string[] }> {
    const [row] = await this.dataSource.query(REPORT_SQL.comments, [
      teamIds,
      range.from,
      range.to,
      limit,
    ]);
    return row;
  }

  /** Invitations sent in the range for surveys about these teams, and how many were answered. */
  async responseRate(
    teamIds: string[],
    range: Range,
  ): Promise<{ invited: number; answered: number }> {
    const [row] = await this.dataSource.query(REPORT_SQL.responseRate, [
      teamIds,
      range.from,
      range.to,
    ]);
    return row;
  }
}
