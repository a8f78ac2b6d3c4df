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
    response: [
      'id',
      'survey_id',
      'team_id',
      'source',
      'responded_on',
      'locale',
      'department',
      'location',
      'tenure_band',
      'category',
      'priority',
      'channel',
      'resolution_band',
    ],
    answer: ['id', 'response_id', 'question_id', 'score', 'option_key', 'text'],
    pending_response: [
      'id',
      'survey_id',
      'team_id',
      'source',
      'responded_on',
      'locale',
      'department',
      'location',
      'tenure_band',
      'category',
      'priority',
      'channel',
      'resolution_band',
      'answers',
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

  it('no foreign key leads from an anonymous table to a person or an invitation', async () => {
    const targets: { source: string; target: string }[] = await t.dataSource.query(
      `SELECT conrelid::regclass::text AS source, confrelid::regclass::text AS target FROM pg_constraint
        WHERE contype = 'f' AND conrelid::regclass::text IN ('response', 'answer', 'pending_response')`,
    );
    expect(targets.map((f) => f.target).filter((x) => /employee|invitation/.test(x))).toEqual([]);
  });
});
