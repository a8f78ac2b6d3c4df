import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import { underTransactionLock } from '../../database/transaction-lock';
import type { JobsExecutor } from '../../jobs/jobs.service';

/** Held while a team's review survey of a month is made. */
const REVIEW_SURVEY_LOCK_KEY = 6_815_402_133;
/** Held while the built-in questionnaire is made (within the survey's lock: another key). */
const REVIEW_QUESTIONNAIRE_LOCK_KEY = 6_815_402_134;

@Injectable()
export class ReviewsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** pg-boss's statements on the application's pool (deleting a request's job once it ran). */
  jobsExecutor(): JobsExecutor {
    return {
      executeSql: async (text: string, values: unknown[]) => {
        const rows: unknown = await this.dataSource.query(text, values);
        return { rows: Array.isArray(rows) ? rows : [] };
      },
    };
  }

  /**
   * The value `find` answers, else the one `create` makes and `insert` records — under an
   * advisory lock, so that two requests at once make one. The lock is transaction-scoped, in a
   * transaction that spans the whole work (`create` writes on connections of its own meanwhile),
   * so that it holds behind a transaction-mode pooler too (docs/pooler.md).
   */
  private async once(
    lockKey: number,
    find: (runner: QueryRunner | DataSource) => Promise<string | undefined>,
    create: () => Promise<string>,
    insert: (runner: QueryRunner, value: string) => Promise<void>,
  ): Promise<string> {
    const existing = await find(this.dataSource);
    if (existing) return existing;
    return underTransactionLock(this.dataSource, lockKey, async (runner) => {
      const found = await find(runner);
      if (found) return found;
      const value = await create();
      await insert(runner, value);
      return value;
    });
  }

  /** The review survey of a team for a month (YYYY-MM), made once by `create`. */
  reviewSurvey(teamId: string, period: string, create: () => Promise<string>): Promise<string> {
    return this.once(
      REVIEW_SURVEY_LOCK_KEY,
      async (runner) => {
        const rows: { surveyId: string }[] = await runner.query(
          `SELECT survey_id AS "surveyId" FROM review_survey WHERE team_id = $1 AND period = $2`,
          [teamId, period],
        );
        return rows[0]?.surveyId;
      },
      create,
      async (runner, surveyId) => {
        await runner.query(
          `INSERT INTO review_survey (team_id, period, survey_id) VALUES ($1, $2, $3)`,
          [teamId, period, surveyId],
        );
      },
    );
  }

  /** The built-in questionnaire recorded under `key`, made once by `create`. */
  builtinQuestionnaire(key: string, create: () => Promise<string>): Promise<string> {
    return this.once(
      REVIEW_QUESTIONNAIRE_LOCK_KEY,
      async (runner) => {
        const rows: { id: string }[] = await runner.query(
          `SELECT questionnaire_id AS id FROM review_builtin_questionnaire WHERE key = $1`,
          [key],
        );
        return rows[0]?.id;
      },
      create,
      async (runner, id) => {
        await runner.query(
          `INSERT INTO review_builtin_questionnaire (key, questionnaire_id) VALUES ($1, $2)`,
          [key, id],
        );
      },
    );
  }

  /** The questionnaire HR chose for a team's reviews, if any. */
  async settingOf(teamId: string): Promise<string | undefined> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT questionnaire_id AS id FROM team_review_setting WHERE team_id = $1`,
      [teamId],
    );
    return rows[0]?.id;
  }

  /** Sets (or, with null, removes) the questionnaire of a team's reviews. */
  async setSetting(teamId: string, questionnaireId: string | null): Promise<void> {
    if (questionnaireId === null) {
      await this.dataSource.query(`DELETE FROM team_review_setting WHERE team_id = $1`, [teamId]);
      return;
    }
    await this.dataSource.query(
      `INSERT INTO team_review_setting (team_id, questionnaire_id) VALUES ($1, $2)
       ON CONFLICT (team_id) DO UPDATE SET questionnaire_id = EXCLUDED.questionnaire_id, updated_at = now()`,
      [teamId, questionnaireId],
    );
  }
}
