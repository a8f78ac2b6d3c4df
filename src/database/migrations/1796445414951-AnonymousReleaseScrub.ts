import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * After AnonymousRelease: the tables that held what tied answers to people are rewritten, so
 * that neither their old row versions (dead tuples — the answers it deleted unread among them),
 * nor the dropped columns (which stay in the heap until a rewrite), nor the order rows were
 * written in remain. `response` and `answer` are rewritten in the order of their random ids.
 * VACUUM FULL and CLUSTER cannot run in a transaction: this migration runs without one, and
 * running it again does no harm. (Earlier WAL segments and backups still hold what was there;
 * README says so.)
 *
 * A rewrite keeps the old row versions that a transaction still open may see: one whose
 * snapshot was taken before AnonymousRelease committed (a report, a dump, another instance), or
 * one holding a transaction id anywhere on the server (every snapshot's horizon stops at the
 * oldest of those). So it first waits for the transactions running when it starts to end; then,
 * before rewriting each table, it VACUUMs it and waits until no dead row version is left that
 * cannot be removed yet (the statistics VACUUM reports): from then on none of the old versions
 * is visible to anyone, and the rewrite copies none of them (nor what VACUUM left of them in free
 * space: the table gets new files). After WAIT_MS it gives up, saying why; the next start runs
 * it again.
 */
const WAIT_MS = 10 * 60_000;
const POLL_MS = 500;

const REWRITTEN = [
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
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AnonymousReleaseScrub1796445414951 implements MigrationInterface {
  name = 'AnonymousReleaseScrub1796445414951';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string, values?: unknown[]) => queryRunner.query(sql, values);
    const deadline = Date.now() + WAIT_MS;

    // Every transaction running now (AnonymousRelease's elders among them) must end first.
    const [{ mark }] = await q('SELECT pg_current_xact_id()::text AS mark');
    for (;;) {
      const [{ passed }] = await q(
        'SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS passed',
        [mark],
      );
      if (passed) break;
      if (Date.now() > deadline)
        throw new Error(
          'AnonymousReleaseScrub: a transaction older than the upgrade is still open on this server ' +
            '(see pg_stat_activity); end it and start again.',
        );
      await sleep(POLL_MS);
    }

    /** Rewrites `table` once no open transaction can see any of its dead row versions. */
    const rewrite = async (table: string, how: () => Promise<void>) => {
      for (;;) {
        await q(`VACUUM ${table}`);
        const [{ dead }] = await q('SELECT pg_stat_get_dead_tuples($1::regclass)::int AS dead', [
          table,
        ]);
        if (dead === 0) break;
        if (Date.now() > deadline)
          throw new Error(
            `AnonymousReleaseScrub: ${dead} old row version(s) of ${table} are still visible to an ` +
              'open transaction (see pg_stat_activity); end it and start again.',
          );
        await sleep(POLL_MS);
      }
      await how();
    };
    await rewrite('response', async () => {
      await q('CLUSTER response USING "PK_f64544baf2b4dc48ba623ce768f"');
      await q('ALTER TABLE response SET WITHOUT CLUSTER');
    });
    await rewrite('answer', async () => {
      await q('CLUSTER answer USING ix_answer_response');
      await q('ALTER TABLE answer SET WITHOUT CLUSTER');
    });
    for (const table of REWRITTEN)
      await rewrite(table, async () => {
        await q(`VACUUM FULL ${table}`);
      });
    const [jobs]: { job: string | null; archive: string | null }[] = await q(
      `SELECT to_regclass('pgboss.job')::text AS job, to_regclass('pgboss.archive')::text AS archive`,
    );
    // pg-boss's own tables: rewritten too (after the wait above), not checked — workers of
    // instances still running may be changing them.
    for (const table of [jobs.job, jobs.archive]) if (table) await q(`VACUUM FULL ${table}`);
    for (const table of ['response', 'answer', ...REWRITTEN]) await q(`ANALYZE ${table}`);
  }

  public async down(): Promise<void> {
    // Nothing to undo: it only rewrote tables.
  }
}
