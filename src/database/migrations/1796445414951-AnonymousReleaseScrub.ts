import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * After AnonymousRelease: the tables that held what tied answers to people are rewritten, so
 * that neither their old row versions (dead tuples), nor the dropped columns (which stay in the
 * heap until a rewrite), nor the order rows were written in remain. `response` and `answer` are
 * rewritten in the order of their random ids. VACUUM FULL and CLUSTER cannot run in a
 * transaction: this migration runs without one, and running it again does no harm. (Earlier WAL
 * segments and backups still hold what was there; README says so.)
 */
export class AnonymousReleaseScrub1796445414951 implements MigrationInterface {
  name = 'AnonymousReleaseScrub1796445414951';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q('CLUSTER response USING "PK_f64544baf2b4dc48ba623ce768f"');
    await q('ALTER TABLE response SET WITHOUT CLUSTER');
    await q('CLUSTER answer USING ix_answer_response');
    await q('ALTER TABLE answer SET WITHOUT CLUSTER');
    for (const table of [
      'invitation',
      'ticket_event',
      'follow_up',
      'survey',
      'report_day_question',
      'report_day_option',
      'report_day_segment',
      'report_comment',
      'report_period_question',
      'report_period_option',
      'report_period_segment',
    ])
      await q(`VACUUM (FULL, ANALYZE) ${table}`);
    const [jobs]: { job: string | null; archive: string | null }[] = await queryRunner.query(
      `SELECT to_regclass('pgboss.job')::text AS job, to_regclass('pgboss.archive')::text AS archive`,
    );
    for (const table of [jobs.job, jobs.archive]) if (table) await q(`VACUUM FULL ${table}`);
    await q('ANALYZE response');
    await q('ANALYZE answer');
  }

  public async down(): Promise<void> {
    // Nothing to undo: it only rewrote tables.
  }
}
