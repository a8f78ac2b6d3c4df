import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Reads the columns PostgreSQL actually has on the anonymous tables and fails if anything that
 * could identify a person appears: ids of people, invitations or tickets, contact details,
 * network data, or any instant finer than a day.
 */
describe('anonymous tables', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const IDENTIFYING =
    /employee|email|mail|invitation|token|ip|addr|agent|user|person|requester|name|ticket_id|session|cookie/i;
  const ALLOWED: Record<string, string[]> = {
    // No segment, language or ticket attribute per answer: those are aggregates (response_segment).
    response: ['id', 'survey_id', 'team_id', 'source', 'released_on'],
    answer: ['id', 'response_id', 'question_id', 'score', 'option_key', 'text'],
    response_segment: [
      'survey_id',
      'team_id',
      'released_on',
      'source',
      'dimension',
      'value',
      'question_id',
      'n',
      'score_sum',
      'score_counts',
    ],
    // Sealed: the claim is a keyed hash, the content unreadable without APP_SECRET.
    pending_response: ['id', 'survey_id', 'claim_key', 'sealed'],
    // A comment's copy, which outlives its answer (RETENTION_RAW_ANSWERS_DAYS): what answer and
    // response held of it, and a random sort key — no insertion time or serial that would order
    // or date it more finely than its release.
    report_comment: [
      'answer_id',
      'team_id',
      'released_on',
      'source',
      'question_id',
      'text',
      'sort_key',
    ],
  };

  it.each(Object.keys(ALLOWED))('%s holds only what reports need', async (table) => {
    const columns: { column_name: string; data_type: string; column_default: string | null }[] =
      await t.dataSource.query(
        `SELECT column_name, data_type, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`,
        [table],
      );
    expect(columns.map((c) => c.column_name).sort()).toEqual([...ALLOWED[table]].sort());
    for (const column of columns) {
      expect({
        column: column.column_name,
        identifying: IDENTIFYING.test(column.column_name),
      }).toEqual({
        column: column.column_name,
        identifying: false,
      });
      // No instants: a day at most.
      expect(column.data_type).not.toMatch(/timestamp|time with|interval|inet|cidr/);
      // Ids are random, never a sequence that would follow insertion order.
      expect(column.column_default ?? '').not.toMatch(/nextval/);
    }
  });

  it('an invitation says whether it was answered, never when; a ticket keeps no readable requester', async () => {
    const columns = async (table: string) =>
      (
        (await t.dataSource.query(
          `SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = $1`,
          [table],
        )) as { column_name: string; data_type: string }[]
      ).map((c) => `${c.column_name} ${c.data_type}`);
    const invitation = await columns('invitation');
    expect(invitation).toContain('answered boolean');
    expect(invitation.filter((c) => /answer/.test(c))).toEqual(['answered boolean']);
    // The only ticket attribute kept: the band of its release's aggregates.
    expect(invitation.filter((c) => /category|priority|channel/.test(c))).toEqual([]);
    const ticket = await columns('ticket_event');
    expect(ticket.filter((c) => /requester/.test(c)).sort()).toEqual([
      'requester_email_sealed bytea',
      'requester_external_id_sealed bytea',
      'requester_is_assignee boolean',
    ]);
    expect(
      (await t.dataSource.query(`SELECT to_regclass('ticket_survey_throttle') AS t`))[0].t,
    ).toBeNull();
  });

  it('no foreign key leads from an anonymous table to a person or an invitation', async () => {
    const targets: { source: string; target: string }[] = await t.dataSource.query(
      `SELECT conrelid::regclass::text AS source, confrelid::regclass::text AS target FROM pg_constraint
        WHERE contype = 'f' AND conrelid::regclass::text IN ('response', 'answer', 'pending_response', 'response_segment',
                                           'report_comment')`,
    );
    expect(targets.map((f) => f.target).filter((x) => /employee|invitation/.test(x))).toEqual([]);
  });
});
