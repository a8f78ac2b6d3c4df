import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase, migrateUpTo } from '../setup/test-database';

/**
 * The RawAnswerRetention migration (and RawAnswerRetentionIndexes after it) on a database that
 * holds released comments: the backfill copies each comment's text and question from its answer,
 * `down` brings the foreign key and the columns back as they were, and refuses once a purge has
 * moved the freeze line. And during a rolling upgrade: an old instance's release (response →
 * answer → report_comment, the answers' trigger writing the comments) waits for the migration or
 * the migration for it, never both for each other.
 */
const names = MIGRATIONS.map((m) => (m as unknown as { name: string }).name);
const at = names.findIndex((name) => name.startsWith('RawAnswerRetention1796900000000'));

type Query = (sql: string, values?: unknown[]) => Promise<{ [column: string]: unknown }[]>;

/** A team, a pulse (an nps and an open question) and a review (two open questions). */
async function seedSurveys(q: Query) {
  const [{ id: team }] = await q(
    `INSERT INTO service_team (slug, name) VALUES ('it', 'IT') RETURNING id`,
  );
  const survey = async (types: string[]) => {
    const [{ id: questionnaire }] = await q(
      `INSERT INTO questionnaire (name) VALUES ('q') RETURNING id`,
    );
    const questions: string[] = [];
    for (const [position, type] of types.entries()) {
      const [{ id }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, $2, $3, '{"en":"?"}') RETURNING id`,
        [questionnaire, position, type],
      );
      questions.push(id as string);
    }
    const [{ id }] = await q(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       VALUES ('s', $1, $2, 5, '2026-10-05T16:00:00Z') RETURNING id`,
      [questionnaire, team],
    );
    return { id: id as string, questions };
  };
  return {
    team: team as string,
    pulse: await survey(['nps', 'text']),
    review: await survey(['text', 'text']),
  };
}

/** One release of `people` responses, as the mixer writes it: responses, then their answers. */
async function release(
  q: Query,
  survey: { id: string; questions: string[] },
  team: string,
  source: string,
  day: string,
  people: number,
  answer: (person: number, question: number) => { score: number | null; text: string | null },
) {
  for (let i = 0; i < people; i++) {
    const [{ id: response }] = await q(
      `INSERT INTO response (survey_id, team_id, source, released_on) VALUES ($1, $2, $3, $4) RETURNING id`,
      [survey.id, team, source, day],
    );
    for (const [n, question] of survey.questions.entries()) {
      const { score, text } = answer(i, n);
      await q(
        `INSERT INTO answer (response_id, question_id, score, text) VALUES ($1, $2, $3, $4)`,
        [response, question, score, text],
      );
    }
  }
}

describe('the RawAnswerRetention migration', () => {
  it('copies every comment’s text and question from its answer, and goes back down as before', async () => {
    expect(at).toBeGreaterThan(0);
    const db = await createTestDatabase({ empty: true });
    await migrateUpTo(db.url, at);
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    const q: Query = (sql, values) => dataSource.query(sql, values);
    try {
      const { team, pulse, review } = await seedSurveys(q);
      await release(q, pulse, team, 'pulse', '2026-10-01', 10, (i, n) =>
        n === 0 ? { score: i, text: null } : { score: null, text: `pulse comment ${i}` },
      );
      await release(q, review, team, 'review', '2026-10-02', 10, (i, n) => ({
        score: null,
        text: `review ${n === 0 ? 'first' : 'second'} question, person ${i}`,
      }));
      const comments = () =>
        q(`SELECT answer_id, team_id, to_char(released_on, 'YYYY-MM-DD') AS released_on, source,
                  sort_key FROM report_comment ORDER BY answer_id`);
      const before = await comments();
      expect(before).toHaveLength(10 + 20);

      expect(await migrateWithLock(dataSource)).toEqual(names.slice(at));

      // Each comment holds its answer's text and question; nothing else about it changed.
      const copied = await q(
        `SELECT count(*)::int AS n FROM report_comment c JOIN answer a ON a.id = c.answer_id
          WHERE c.text = a.text AND c.question_id = a.question_id`,
      );
      expect(copied).toEqual([{ n: 30 }]);
      expect(await comments()).toEqual(before);
      expect(
        await q(
          `SELECT count(DISTINCT question_id)::int AS n FROM report_comment WHERE source = 'review'`,
        ),
      ).toEqual([{ n: 2 }]);
      expect(await foreignKey(q)).toEqual([]);
      expect(await indexes(q)).toEqual([
        { name: 'ix_response_released_on', valid: true },
        { name: 'ix_response_segment_unread_released_on', valid: true },
      ]);

      // Down, both migrations: the foreign key and the columns are back as before. (TypeORM's
      // undo ignores a migration's `transaction = false`: the concurrent one is undone without.)
      await dataSource.undoLastMigration({ transaction: 'none' });
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await foreignKey(q)).toEqual([{ on_delete: 'c' }]);
      expect(
        await q(
          `SELECT column_name FROM information_schema.columns
            WHERE table_name = 'report_comment' AND column_name IN ('text', 'question_id')`,
        ),
      ).toEqual([]);
      expect(await q(`SELECT to_regclass('report_raw_retention') AS t`)).toEqual([{ t: null }]);
      expect(await indexes(q)).toEqual([]);
      expect(await comments()).toEqual(before);
      // The old way works again: deleting a response takes its comments (the foreign key).
      await q(`DELETE FROM response WHERE source = 'review'`);
      expect(await q(`SELECT count(*)::int AS n FROM report_comment`)).toEqual([{ n: 10 }]);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  }, 120_000);

  it('refuses to go down once a purge has moved the freeze line', async () => {
    const db = await createTestDatabase({ empty: true });
    await migrateUpTo(db.url, MIGRATIONS.length);
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      await dataSource.query(`UPDATE report_raw_retention SET raw_before = '2025-01-01'`);
      await dataSource.undoLastMigration({ transaction: 'none' }); // the indexes
      await expect(dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(
        /cannot be reverted: raw answers released before 2025-01-01 were purged/,
      );
      // Nothing changed: the line and the comments' columns are still there.
      expect(
        await dataSource.query(
          `SELECT to_char(raw_before, 'YYYY-MM-DD') AS line FROM report_raw_retention`,
        ),
      ).toEqual([{ line: '2025-01-01' }]);
      expect(await foreignKey((sql, values) => dataSource.query(sql, values))).toEqual([]);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  }, 120_000);

  it('does not deadlock with an old instance writing a release meanwhile', async () => {
    const db = await createTestDatabase({ empty: true });
    await migrateUpTo(db.url, at);
    const dataSource: DataSource = createDataSource(db.url, { poolSize: 4 });
    await dataSource.initialize();
    const q: Query = (sql, values) => dataSource.query(sql, values);
    const old = dataSource.createQueryRunner();
    const other = dataSource.createQueryRunner();
    await old.connect();
    await other.connect();
    try {
      const { team, pulse } = await seedSurveys(q);
      // An old instance mid-way through a release: its responses are written, its answers next.
      await old.startTransaction();
      const responses: { id: string }[] = await old.query(
        `INSERT INTO response (survey_id, team_id, source, released_on)
         SELECT $1, $2, 'pulse', '2026-10-01' FROM generate_series(1, 10) RETURNING id`,
        [pulse.id, team],
      );
      const migrating = migrateWithLock(dataSource);
      // Until the migration waits for that transaction.
      for (;;) {
        const [{ n }] = await other.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        );
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The old instance writes the answers (their trigger writes the comments) and commits: a
      // deadlock here (40P01) would abort the release or the migration.
      await old.query(
        `INSERT INTO answer (response_id, question_id, score, text)
         SELECT id, $2::uuid, 7, NULL FROM unnest($1::uuid[]) id
         UNION ALL SELECT id, $3::uuid, NULL, 'late comment' FROM unnest($1::uuid[]) id`,
        [responses.map((r) => r.id), ...pulse.questions],
      );
      await old.commitTransaction();
      expect(await migrating).toEqual(names.slice(at));
      expect(await q(`SELECT text, count(*)::int AS n FROM report_comment GROUP BY text`)).toEqual([
        { text: 'late comment', n: 10 },
      ]);
    } finally {
      if (old.isTransactionActive) await old.rollbackTransaction().catch(() => undefined);
      await old.release();
      await other.release();
      await dataSource.destroy();
      await db.drop();
    }
  }, 120_000);
});

/** report_comment's foreign key to answer, with its ON DELETE action ('c': cascade). */
function foreignKey(q: Query) {
  return q(
    `SELECT confdeltype AS on_delete FROM pg_constraint WHERE conname = 'fk_report_comment_answer'`,
  );
}

/** The purge's indexes, and whether each is valid. */
function indexes(q: Query) {
  return q(
    `SELECT c.relname AS name, x.indisvalid AS valid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE c.relname IN ('ix_response_released_on', 'ix_response_segment_unread_released_on')
      ORDER BY 1`,
  );
}
