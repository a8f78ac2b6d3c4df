import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Question } from './entities/question.entity';
import { Questionnaire } from './entities/questionnaire.entity';
import { Survey, type SurveySource, type SurveySubject } from './entities/survey.entity';

/**
 * A survey that ran before this instance recorded it (the demo's history): written closed, its
 * answers released by the caller through ResponsesService. `key` is the caller's name for it.
 */
export interface PastSurvey {
  key: string;
  name: string;
  questionnaireId: string;
  source: SurveySource;
  /** `teamId` for subject `team`, `ratedTeamIds` for `teams`, neither for `own_team`. */
  subject: SurveySubject;
  teamId: string | null;
  ratedTeamIds: string[] | null;
  reportingThreshold: number;
  released: boolean;
  createdAt: string;
  closesAt: string;
}

@Injectable()
export class SurveysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts the questionnaire and its questions in one transaction. */
  insertQuestionnaire(
    questionnaire: Pick<Questionnaire, 'name' | 'defaultLocale'>,
    questions: Omit<Question, 'id' | 'questionnaireId' | 'questionnaire'>[],
    outer?: EntityManager,
  ): Promise<Questionnaire> {
    const run = <T>(work: (manager: EntityManager) => Promise<T>) =>
      outer ? work(outer) : this.dataSource.transaction(work);
    return run(async (manager) => {
      const saved = await manager.save(manager.create(Questionnaire, questionnaire));
      saved.questions = await manager.save(
        questions.map((q) => manager.create(Question, { ...q, questionnaireId: saved.id })),
      );
      return saved;
    });
  }

  findQuestionnaire(id: string): Promise<Questionnaire | null> {
    return this.dataSource.getRepository(Questionnaire).findOne({
      where: { id },
      relations: { questions: true },
      order: { questions: { position: 'ASC' } },
    });
  }

  /** The newest questionnaire of pulses: one that no survey after tickets, nor of reviews, uses. */
  async latestPulseQuestionnaireId(): Promise<string | undefined> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT q.id FROM questionnaire q
        WHERE NOT EXISTS (SELECT 1 FROM survey s WHERE s.questionnaire_id = q.id AND s.source <> 'pulse')
        ORDER BY q.created_at DESC LIMIT 1`,
    );
    return rows[0]?.id;
  }

  listQuestionnaires(): Promise<Questionnaire[]> {
    return this.dataSource.getRepository(Questionnaire).find({
      relations: { questions: true },
      order: { createdAt: 'DESC', questions: { position: 'ASC' } },
    });
  }

  insertSurvey(
    survey: Omit<Survey, 'id' | 'createdAt' | 'source' | 'titles'> &
      Partial<Pick<Survey, 'source' | 'titles'>>,
    manager?: EntityManager,
  ): Promise<Survey> {
    const repo = (manager ?? this.dataSource.manager).getRepository(Survey);
    return repo.save(repo.create(survey));
  }

  /** Past surveys in one statement (ordered by key); their ids by key. */
  async insertPastSurveys(surveys: PastSurvey[]): Promise<Record<string, string>> {
    const rows: { key: string; id: string }[] = await this.dataSource.query(
      `WITH input AS MATERIALIZED (
         SELECT gen_random_uuid() AS id, s.* FROM jsonb_to_recordset($1::jsonb)
           AS s(key text, name text, "questionnaireId" uuid, source text, subject text, "teamId" uuid,
                "ratedTeamIds" uuid[], "reportingThreshold" int, released boolean,
                "createdAt" timestamptz, "closesAt" timestamptz)),
       inserted AS (
         INSERT INTO survey (id, name, source, subject, questionnaire_id, team_id, rated_team_ids,
                             reporting_threshold, comment_threshold, released, closes_at, created_at)
         SELECT id, name, source, subject, "questionnaireId", "teamId", "ratedTeamIds", "reportingThreshold",
                greatest(5, "reportingThreshold"), released, "closesAt", "createdAt"
           FROM input ORDER BY key
         RETURNING id)
       SELECT i.key, i.id FROM input i JOIN inserted USING (id)`,
      [JSON.stringify(surveys)],
    );
    return Object.fromEntries(rows.map((r) => [r.key, r.id]));
  }

  findSurvey(id: string): Promise<Survey | null> {
    return this.dataSource.getRepository(Survey).findOneBy({ id });
  }

  /**
   * Surveys with how many were invited and how many answered (counts only, no identities). An
   * invitation counts as answered once its answer was released (with at least m others). A pulse
   * survey is released once, whole, so its count moves once; below the survey's k it is withheld
   * (null). A survey after tickets never shows one: its team's answers are released per period
   * across the monthly surveys (one that waited goes with the next month's), so its count would
   * move by the few a later release carried. Nor does a review survey (or one after tickets)
   * show how many were invited: its invitations are made one by one as people ask (or tickets
   * close), so the count of a team's month, watched, tells when someone asked for a review;
   * `countsWithheld` says why both are null.
   */
  listSurveysWithCounts(): Promise<
    (Survey & { invited: number | null; answered: number | null; countsWithheld: string | null })[]
  > {
    return this.dataSource.query(`
      SELECT s.id, s.name, s.source, s.questionnaire_id AS "questionnaireId", s.team_id AS "teamId",
             s.reporting_threshold AS "reportingThreshold", s.closes_at AS "closesAt", s.created_at AS "createdAt",
             CASE WHEN s.source = 'pulse' THEN count(i.id)::int END AS invited,
             CASE WHEN s.source = 'review' THEN 'invitations are made one by one as people ask for a review: their count would tell when someone asked'
                  WHEN s.source = 'ticket' THEN 'invitations are made one by one as tickets close, and answers are released per team and period across months'
             END AS "countsWithheld",
             CASE WHEN s.source = 'pulse' AND count(*) FILTER (WHERE i.answered) >= s.reporting_threshold
                  THEN count(*) FILTER (WHERE i.answered)::int END AS answered
        FROM survey s LEFT JOIN invitation i ON i.survey_id = s.id
       GROUP BY s.id ORDER BY s.created_at DESC`);
  }
}
