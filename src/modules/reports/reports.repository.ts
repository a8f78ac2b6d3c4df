import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NpsCounts } from './anonymity';
import type { Grain } from './periods';

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
    return this.dataSource.query(
      `SELECT to_char(date_trunc($2, r.responded_on), 'YYYY-MM-DD') AS bucket, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $3 AND r.responded_on < $4
        GROUP BY 1 ORDER BY 1`,
      [teamIds, grain, range.from, range.to],
    );
  }

  /** iNPS counts per group of teams (e.g. each sub-team with its own sub-teams). */
  async npsByGroup(
    groups: Record<string, string[]>,
    range: Range,
  ): Promise<(NpsCounts & { key: string })[]> {
    const pairs = Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id })));
    if (pairs.length === 0) return [];
    return this.dataSource.query(
      `SELECT g.key, count(a.score)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN response r ON r.team_id = g.id AND r.responded_on >= $2 AND r.responded_on < $3
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        GROUP BY g.key`,
      [JSON.stringify(pairs), range.from, range.to],
    );
  }

  /** iNPS counts per group of teams and calendar bucket (the overview's table and sparklines). */
  async npsByGroupAndBucket(
    groups: Record<string, string[]>,
    grain: Grain,
    range: Range,
  ): Promise<(NpsCounts & { key: string; bucket: string })[]> {
    const pairs = Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id })));
    if (pairs.length === 0) return [];
    return this.dataSource.query(
      `SELECT g.key, to_char(date_trunc($2, r.responded_on), 'YYYY-MM-DD') AS bucket, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN response r ON r.team_id = g.id AND r.responded_on >= $3 AND r.responded_on < $4
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        GROUP BY 1, 2`,
      [JSON.stringify(pairs), grain, range.from, range.to],
    );
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
    return this.dataSource.query(
      `SELECT g.key, q.id AS question_id, q.type, q.text, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 4)::int AS top2, avg(a.score)::float AS mean
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN response r ON r.team_id = g.id AND r.responded_on >= $2 AND r.responded_on < $3
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type IN ('rating', 'ces')
        GROUP BY 1, 2, 3, 4, q.position ORDER BY q.position`,
      [JSON.stringify(pairs), range.from, range.to],
    );
  }

  /** iNPS counts per value of a respondent segment (department, location or tenure band). */
  async npsBySegment(
    teamIds: string[],
    segment: 'department' | 'location' | 'tenure_band',
    range: Range,
  ): Promise<(NpsCounts & { key: string })[]> {
    // The column name comes from the fixed list above, never from input.
    return this.dataSource.query(
      `SELECT coalesce(r.${segment}, 'Unknown') AS key, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
        GROUP BY 1`,
      [teamIds, range.from, range.to],
    );
  }

  /** How many answered each iNPS score, 0–10. */
  async npsDistribution(teamIds: string[], range: Range): Promise<{ score: number; n: number }[]> {
    return this.dataSource.query(
      `SELECT a.score::int AS score, count(*)::int AS n
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
        GROUP BY 1 ORDER BY 1`,
      [teamIds, range.from, range.to],
    );
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
    return this.dataSource.query(
      `WITH answers AS (
         SELECT a.question_id, a.response_id, a.score, a.option_key
           FROM response r JOIN answer a ON a.response_id = r.id
          WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3),
       per_question AS (
         SELECT question_id, count(DISTINCT response_id)::int AS respondents,
                avg(score)::float AS mean, count(*) FILTER (WHERE score >= 4)::int AS top2
           FROM answers GROUP BY question_id),
       per_option AS (
         SELECT question_id, jsonb_object_agg(option_key, n) AS option_counts
           FROM (SELECT question_id, option_key, count(*)::int AS n FROM answers
                  WHERE option_key IS NOT NULL GROUP BY 1, 2) o
          GROUP BY question_id)
       SELECT q.id AS question_id, q.type, q.text, q.options, q.position, p.respondents, p.mean, p.top2,
              o.option_counts
         FROM per_question p JOIN question q ON q.id = p.question_id
         LEFT JOIN per_option o ON o.question_id = p.question_id
        WHERE q.type IN ('rating', 'ces', 'single', 'multi')
        ORDER BY q.questionnaire_id, q.position`,
      [teamIds, range.from, range.to],
    );
  }

  /** The comments of the period in random order (at most `limit`), and how many there are. */
  async comments(
    teamIds: string[],
    range: Range,
    limit: number,
  ): Promise<{ total: number; texts: string[] }> {
    const [row] = await this.dataSource.query(
      `WITH texts AS (
         SELECT a.text FROM response r JOIN answer a ON a.response_id = r.id
          WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
            AND a.text IS NOT NULL)
       SELECT (SELECT count(*)::int FROM texts) AS total,
              coalesce((SELECT array_agg(text) FROM (SELECT text FROM texts ORDER BY random() LIMIT $4) s), '{}') AS texts`,
      [teamIds, range.from, range.to, limit],
    );
    return row;
  }

  /** Invitations sent in the range for surveys about these teams, and how many were answered. */
  async responseRate(
    teamIds: string[],
    range: Range,
  ): Promise<{ invited: number; answered: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS invited, count(i.answered_on)::int AS answered
         FROM invitation i JOIN survey s ON s.id = i.survey_id
        WHERE s.team_id = ANY($1::uuid[]) AND i.sent_at >= $2 AND i.sent_at < $3`,
      [teamIds, range.from, range.to],
    );
    return row;
  }
}
