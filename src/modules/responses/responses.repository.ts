import type { SurveySource } from '../surveys/entities/survey.entity';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import type { PendingAnswer } from './entities/pending-response.entity';
import type { SegmentCell } from './release-plan';

/** Arbitrary, fixed key: one release at a time across every instance. */
const MIXER_LOCK_KEY = 7_215_301_915;

/** The claim of a submit (see ResponsesRepository.claimAndStore). */
const CLAIM = `INSERT INTO pending_response (survey_id, claim_key, sealed)
  SELECT i.survey_id, $4, $5
    FROM invitation i
    JOIN employee e ON e.id = i.employee_id AND e.active
    JOIN survey s ON s.id = i.survey_id AND s.closes_at > now()
   WHERE i.token_hash = $1 AND i.id = $2 AND i.survey_id = $3 AND NOT i.answered
     AND i.expires_at > now()
  ON CONFLICT (claim_key) DO NOTHING
  RETURNING 1 AS stored`;

/** A pending row as the mixer reads it: sealed. */
export interface PendingRow {
  id: string;
  surveyId: string;
  sealed: Buffer;
}

/** What the mixer reads of an invitation whose answer it releases. */
export interface ClaimedInvitation {
  id: string;
  employeeId: string;
  department: string | null;
  location: string | null;
  tenureBand: string | null;
  resolutionBand: string | null;
  asksEnps: boolean;
}

/** What one release reads: a survey, or a team's monthly surveys of a source (per period). */
/**
 * What one release reads: a pulse survey, or a team's pending answers of a periodic source asked
 * with one questionnaire (answers keep their questions' ids, so answers to two questionnaires are
 * never released as one batch: each questionnaire's group needs its m people).
 */
export type ReleaseUnit =
  { surveyId: string } | { teamId: string; source: PeriodicSource; questionnaireId: string };

/** The sources whose answers are released per team and period (not per survey). */
export type PeriodicSource = 'ticket' | 'review';

/** A survey whose answers may be released (a pulse that has closed). */
export interface ClosedSurvey {
  id: string;
  questionnaireId: string;
  releasedOn: string;
  released: boolean;
}

/** The writes of one release, inside its transaction (see ResponsesService.release*). */
export class ReleaseWriter {
  private responses = 0;

  constructor(
    private readonly manager: EntityManager,
    private readonly release: { surveyId: string; source: SurveySource; releasedOn: string },
  ) {}

  /**
   * Pending rows of a survey (or of a team's monthly surveys of a source: after tickets, or
   * reviews), by id: a random order.
   */
  async pending(where: ReleaseUnit, afterId: string | null, limit: number): Promise<PendingRow[]> {
    const bySurvey = 'surveyId' in where;
    return this.manager.query(
      `SELECT p.id, p.survey_id AS "surveyId", p.sealed FROM pending_response p
        WHERE ${bySurvey ? 'p.survey_id = $1' : `p.survey_id IN (SELECT id FROM survey WHERE source = $4 AND team_id = $1 AND questionnaire_id = $5)`}
          AND ($2::uuid IS NULL OR p.id > $2::uuid)
        ORDER BY p.id LIMIT $3`,
      bySurvey
        ? [where.surveyId, afterId, limit]
        : [where.teamId, afterId, limit, where.source, where.questionnaireId],
    );
  }

  invitations(ids: string[]): Promise<ClaimedInvitation[]> {
    return this.manager.query(
      `SELECT id, employee_id AS "employeeId", department, location, tenure_band AS "tenureBand",
              resolution_band AS "resolutionBand", asks_enps AS "asksEnps"
         FROM invitation WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /**
   * A chunk of responses, in the order given (the caller's random order), with fresh random ids;
   * their answers are staged and written together by `finish`, so that the rollups are refreshed
   * once per release.
   */
  async addResponses(responses: { teamId: string; answers: PendingAnswer[] }[]): Promise<void> {
    if (responses.length === 0) return;
    const rows = responses.map((r) => ({
      id: randomUUID(),
      team_id: r.teamId,
      answers: r.answers,
    }));
    this.responses += rows.length;
    await this.manager.query(
      `CREATE TEMP TABLE IF NOT EXISTS release_answer (response_id uuid, question_id uuid, score smallint,
         option_key varchar(64), text text) ON COMMIT DROP`,
    );
    await this.manager.query(
      `WITH input AS (
         SELECT r.ordinality, r.value AS r FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY r),
       responses AS (
         INSERT INTO response (id, survey_id, team_id, source, released_on)
         SELECT (r ->> 'id')::uuid, $2, (r ->> 'team_id')::uuid, $3, $4 FROM input ORDER BY ordinality)
       INSERT INTO release_answer (response_id, question_id, score, option_key, text)
       SELECT (input.r ->> 'id')::uuid, a.question_id, a.score, a.option_key, a.text
         FROM input CROSS JOIN LATERAL jsonb_to_recordset(input.r -> 'answers')
           AS a(question_id uuid, score smallint, option_key text, text text)
        ORDER BY input.ordinality`,
      [JSON.stringify(rows), this.release.surveyId, this.release.source, this.release.releasedOn],
    );
  }

  /**
   * The segment aggregates, the staged answers (one refresh of the rollups), and the rest. A
   * release on a day that already holds one of the same survey and team (an upgrade released the
   * answers given before it on the day the mixer releases the rest: see AnonymousRelease) adds
   * its aggregates to that one's: each value is then named by one release or both, each time for
   * at least m people, as the rollups already sum releases of one day.
   */
  async finish(input: {
    cells: SegmentCell[];
    answeredInvitations: string[];
    consumedPending: string[];
  }): Promise<number> {
    if (input.cells.length > 0)
      await this.manager.query(
        `INSERT INTO response_segment (survey_id, team_id, released_on, source, dimension, value, question_id,
                                       n, score_sum, score_counts)
         SELECT $2, c."teamId", $3, $4, c.dimension, c.value, c."questionId", c.n, c."scoreSum", c."scoreCounts"
           FROM jsonb_to_recordset($1::jsonb) AS c("teamId" uuid, dimension text, value text,
                "questionId" uuid, n int, "scoreSum" bigint, "scoreCounts" int[])
         ON CONFLICT (survey_id, team_id, released_on, dimension, value, question_id) DO UPDATE
            SET n = response_segment.n + EXCLUDED.n,
                score_sum = response_segment.score_sum + EXCLUDED.score_sum,
                score_counts = ARRAY(SELECT x + y FROM unnest(response_segment.score_counts,
                                 EXCLUDED.score_counts) WITH ORDINALITY AS s(x, y, i) ORDER BY i)`,
        [
          JSON.stringify(
            input.cells.map((c) => ({ ...c, scoreCounts: `{${c.scoreCounts.join(',')}}` })),
          ),
          this.release.surveyId,
          this.release.releasedOn,
          this.release.source,
        ],
      );
    if (this.responses > 0)
      await this.manager.query(
        `INSERT INTO answer (response_id, question_id, score, option_key, text)
         SELECT response_id, question_id, score, option_key, text FROM release_answer`,
      );
    // The release, not the submit, marks the invitations answered: their row versions carry this
    // transaction, which holds at least m answers of the survey.
    if (input.answeredInvitations.length > 0)
      await this.manager.query(
        'UPDATE invitation SET answered = true WHERE id = ANY($1::uuid[]) AND NOT answered',
        [input.answeredInvitations],
      );
    if (input.consumedPending.length > 0)
      await this.manager.query('DELETE FROM pending_response WHERE id = ANY($1::uuid[])', [
        input.consumedPending,
      ]);
    return this.responses;
  }
}

@Injectable()
export class ResponsesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The submit, as one statement: keep the sealed answer as pending, under the claim key of its
   * invitation, if the link behind the token is still open (this survey's, not answered, not
   * expired, its person active, the survey open). It writes nothing to `invitation`. A second,
   * simultaneous submit finds the claim key taken (the unique index) and writes nothing.
   * With `alongside`, the statement runs in a transaction that `alongside` also writes in once
   * the claim succeeded (a follow-up request): both rows carry one transaction id, and neither is
   * written without the other.
   */
  async claimAndStore(
    input: {
      tokenHash: Buffer;
      invitationId: string;
      surveyId: string;
      claimKey: Buffer;
      sealed: Buffer;
    },
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    const values = [
      input.tokenHash,
      input.invitationId,
      input.surveyId,
      input.claimKey,
      input.sealed,
    ];
    if (!alongside) {
      const rows = await preparedQuery(this.dataSource, 'responses_claim_sealed', CLAIM, values);
      return rows.length === 1;
    }
    return this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(CLAIM, values);
      if (rows.length !== 1) return false;
      await alongside(manager);
      return true;
    });
  }

  /** Whether an answer under this claim key waits for its release. */
  async claimed(claimKey: Buffer): Promise<boolean> {
    const rows = await preparedQuery(
      this.dataSource,
      'responses_claimed',
      'SELECT 1 FROM pending_response WHERE claim_key = $1',
      [claimKey],
    );
    return rows.length > 0;
  }

  /** Which of these claim keys have an answer waiting. */
  async claimedAmong(claimKeys: Buffer[]): Promise<Set<string>> {
    if (claimKeys.length === 0) return new Set();
    const rows: { key: Buffer }[] = await this.dataSource.query(
      'SELECT claim_key AS key FROM pending_response WHERE claim_key = ANY($1::bytea[])',
      [claimKeys],
    );
    return new Set(rows.map((r) => r.key.toString('hex')));
  }

  /**
   * Pulse surveys closed before `before` that still have answers waiting (released ones too:
   * an answer that came in as the survey closed is dropped unread), or that were never released.
   */
  closedSurveys(before: Date): Promise<ClosedSurvey[]> {
    return this.dataSource.query(
      `SELECT s.id, s.questionnaire_id AS "questionnaireId", s.released,
              to_char((s.closes_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS "releasedOn"
         FROM survey s
        WHERE s.source = 'pulse' AND s.closes_at <= $1
          AND (NOT s.released OR EXISTS (SELECT 1 FROM pending_response p WHERE p.survey_id = s.id))
        ORDER BY s.closes_at`,
      [before],
    );
  }

  /** Teams with answers of a source (after tickets, reviews) waiting. */
  /** The (team, questionnaire) release units of a periodic source with answers pending. */
  async unitsWithPending(
    source: PeriodicSource,
  ): Promise<{ teamId: string; questionnaireId: string }[]> {
    return this.dataSource.query(
      `SELECT DISTINCT s.team_id AS "teamId", s.questionnaire_id AS "questionnaireId"
         FROM pending_response p
         JOIN survey s ON s.id = p.survey_id AND s.source = $1`,
      [source],
    );
  }

  /**
   * The newest survey of a source (after tickets, reviews) of a team with this questionnaire:
   * the one a release unit's answers are filed under.
   */
  async newestSurveyOf(
    teamId: string,
    source: PeriodicSource,
    questionnaireId: string,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM survey WHERE source = $2 AND team_id = $1 AND questionnaire_id = $3
        ORDER BY created_at DESC LIMIT 1`,
      [teamId, source, questionnaireId],
    );
    return rows[0]?.id;
  }

  async questionTypes(questionnaireIds: string[]): Promise<Map<string, string>> {
    const rows: { id: string; type: string }[] = await this.dataSource.query(
      'SELECT id, type FROM question WHERE questionnaire_id = ANY($1::uuid[])',
      [questionnaireIds],
    );
    return new Map(rows.map((r) => [r.id, r.type]));
  }

  /**
   * Runs one release in a transaction of its own, holding the mixer's lock (undefined when
   * another instance holds it). `work` gets a writer for the release's rows.
   *
   * The release is dated on the raw-answer freeze line at the earliest (read in this
   * transaction): the rollups of days before it are frozen, so a release dated there would count
   * nowhere (the answers' trigger refuses it). Only a release later than the retention period
   * meets the line — a pulse survey closed that long ago and released only now.
   */
  release<T>(
    release: { surveyId: string; source: SurveySource; releasedOn: string },
    work: (writer: ReleaseWriter, manager: EntityManager) => Promise<T>,
  ): Promise<T | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        MIXER_LOCK_KEY,
      ]);
      if (!locked) return undefined;
      const [{ day }]: { day: string }[] = await manager.query(
        `SELECT to_char(greatest($1::date, (SELECT raw_before FROM report_raw_retention)), 'YYYY-MM-DD') AS day`,
        [release.releasedOn],
      );
      return work(new ReleaseWriter(manager, { ...release, releasedOn: day }), manager);
    });
  }

  async markReleased(manager: EntityManager, surveyId: string): Promise<void> {
    await manager.query('UPDATE survey SET released = true WHERE id = $1 AND NOT released', [
      surveyId,
    ]);
  }

  /** Dead pending tuples gone from the heap once a release committed (they are sealed anyway). */
  async vacuumPending(): Promise<void> {
    await this.dataSource.query('VACUUM pending_response');
  }

  async marker(name: string): Promise<string | undefined> {
    const rows: { through: string }[] = await this.dataSource.query(
      `SELECT to_char(released_through, 'YYYY-MM-DD') AS through FROM release_marker WHERE name = $1`,
      [name],
    );
    return rows[0]?.through;
  }

  async setMarker(name: string, through: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO release_marker (name, released_through) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET released_through = greatest(release_marker.released_through, EXCLUDED.released_through)`,
      [name, through],
    );
  }

  async countPending(): Promise<number> {
    const [{ count }] = await this.dataSource.query(
      'SELECT count(*)::int AS count FROM pending_response',
    );
    return count;
  }
}
