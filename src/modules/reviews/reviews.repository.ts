import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { type AdvisoryKey, underSessionLock } from '../../database/session-lock';
import type { JobsExecutor } from '../../jobs/jobs.service';

/** Class of the lock held while a team's review survey of a month is made (key: team, month). */
const REVIEW_SURVEY_LOCK_CLASS = 681_540_213;
/** Class of the lock held while a built-in questionnaire is made (within a survey's lock). */
const REVIEW_QUESTIONNAIRE_LOCK_CLASS = 681_540_214;

@Injectable()
export class ReviewsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
   * advisory lock of its own unit (`key`), so that two requests at once make one and other
   * units never wait. The lock is session-level, on a session of its own to the server itself
   * (DATABASE_DIRECT_URL), never on the app's pool: waiting there must not take the pooled
   * connections `create` needs (behind a transaction-mode pooler, a small pool would otherwise
   * stall everyone, docs/pooler.md). It is taken only when `find` finds nothing.
   */
  private async once(
    key: AdvisoryKey,
    find: () => Promise<string | undefined>,
    create: () => Promise<string>,
    insert: (value: string) => Promise<void>,
  ): Promise<string> {
    const existing = await find();
    if (existing) return existing;
    return underSessionLock(this.config.database.directUrl ?? this.dataSource, key, async () => {
      const found = await find();
      if (found) return found;
      const value = await create();
      await insert(value);
      return value;
    });
  }

  /** The review survey of a team for a month (YYYY-MM), made once by `create`. */
  reviewSurvey(teamId: string, period: string, create: () => Promise<string>): Promise<string> {
    return this.once(
      { classId: REVIEW_SURVEY_LOCK_CLASS, name: `${teamId}:${period}` },
      async () => {
        const rows: { surveyId: string }[] = await this.dataSource.query(
          `SELECT survey_id AS "surveyId" FROM review_survey WHERE team_id = $1 AND period = $2`,
          [teamId, period],
        );
        return rows[0]?.surveyId;
      },
      create,
      async (surveyId) => {
        await this.dataSource.query(
          `INSERT INTO review_survey (team_id, period, survey_id) VALUES ($1, $2, $3)`,
          [teamId, period, surveyId],
        );
      },
    );
  }

  /** The built-in questionnaire recorded under `key`, made once by `create`. */
  builtinQuestionnaire(key: string, create: () => Promise<string>): Promise<string> {
    return this.once(
      { classId: REVIEW_QUESTIONNAIRE_LOCK_CLASS, name: key },
      async () => {
        const rows: { id: string }[] = await this.dataSource.query(
          `SELECT questionnaire_id AS id FROM review_builtin_questionnaire WHERE key = $1`,
          [key],
        );
        return rows[0]?.id;
      },
      create,
      async (id) => {
        await this.dataSource.query(
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
