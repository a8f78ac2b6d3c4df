import {
  crossings,
  featureOf,
  holdsSql,
  sourceFiles,
  tableOwners,
  tablesNamed,
} from './sql-tables';

/**
 * A feature owns its tables (STYLE.md): its SQL names them, and another feature's only where the
 * list below says why. The import side of the same boundary is an ESLint rule
 * (eslint.config.mjs: no feature imports another's repository; responses and reports never
 * import the directory).
 *
 * Each crossing is a feature's SQL reading (or, where said, writing) another feature's table in
 * the same statement, where going through the owner's service would cost a round trip per row
 * or split what must be one statement.
 */
const CROSSINGS: Record<string, Record<string, string>> = {
  accounts: {
    service_team: 'a lead sees the teams under theirs: the tree walk over the team table (read)',
  },
  actions: {
    service_team:
      'the action lists and the reminder mails name the team and link to its page (read, joined)',
    app_user:
      "the action lists name each action's owner, and a reminder goes to the owner's address unless the account is disabled (read, joined)",
  },
  audit: {
    app_user: 'the audit log names who acted (read, joined when listing)',
    api_token: 'the audit log names the token that acted (read, joined when listing)',
  },
  database: {
    // src/database/sql/report-rollups.sql.ts: the rollup functions run inside PostgreSQL, in the
    // transaction that writes answers (triggers); they are reports' code kept in one source.
    response: 'the rollup functions recompute reports from the released responses (read)',
    answer: 'the rollup functions recompute reports from the released answers (read)',
    question: 'the rollup functions apply each question type its threshold (read)',
    survey: "the rollup functions apply each survey's k and comment threshold (read)",
    response_segment: 'the rollup functions sum the segment values releases named (read)',
    report_day_question: 'the rollup functions write the rollups reports read',
    report_day_option: 'the rollup functions write the rollups reports read',
    report_day_segment: 'the rollup functions write the rollups reports read',
    report_wave_question: 'the rollup functions write the rollups reports read',
    report_wave_option: 'the rollup functions write the rollups reports read',
    report_comment: 'the rollup functions write the rollups reports read',
    report_period_question: 'the rollup functions write the rollups reports read',
    report_period_option: 'the rollup functions write the rollups reports read',
    report_period_segment: 'the rollup functions write the rollups reports read',
    report_day_driver: 'the rollup functions write the driver sums reports read',
    report_period_driver: 'the rollup functions write the driver sums reports read',
    report_change:
      'the rollup refresh counts the changes of each day it recomputes, which the report cache is keyed on',
    report_raw_retention:
      'the rollup refresh leaves the days before the raw-answer freeze line as they are, and refuses answers released into them (read)',
  },
  employees: {
    employee:
      "a sign-in link and a session count only while their employee is active, and a session names its employee for the employee's own pages (read, joined)",
  },
  fatigue: {
    invitation:
      'the fatigue rule is a predicate on recent invitations, embedded in the set-based insert that creates them (fatigue.sql.ts)',
    survey:
      'the skipped-invitations page names the survey; the fatigue rule leaves out invitations to reviews people asked for (read)',
  },
  invitations: {
    employee: "a wave's invitations are one INSERT … SELECT over the audience in the directory",
    survey: 'a survey link shows its survey (read, one prepared statement per link)',
    service_team: 'a survey link shows the rated team (read, one prepared statement per link)',
  },
  mail: {
    invitation: "the mails of a wave are one INSERT … SELECT over the wave's invitations (read)",
    employee:
      "the mails of a wave take the addressee's address and locale from the directory (read)",
    survey: 'no mail is queued for a closed survey (read)',
  },
  reports: {
    service_team: 'reports roll up the team tree (read)',
    question: 'reports show each question with its text and type (read)',
    survey: 'participation and thresholds per survey (read)',
    invitation:
      'participation: how many were invited and answered per release unit, counts only (read)',
    response_segment: 'segment breakdowns of campaign waves (read)',
  },
  responses: {
    invitation:
      'a submit claims its invitation and the mixer marks it answered in the same statement and transaction that store the answer',
    employee:
      "a submit is refused for a deactivated person's link: the claim reads `active` only, nothing of the person reaches an answer",
    survey: 'a submit is refused once its survey closed; the mixer reads k and m per survey (read)',
    question: 'the mixer checks answers against their questions (read)',
  },
  services: {
    service_team:
      "the directory draws every team with its published profile: one read of the team table per page (the teams feature's service lists the tree without the profile columns)",
  },
  surveys: {
    invitation: 'the survey list shows how many were invited and answered, counts only (read)',
  },
  tickets: {
    service_team: 'ticket lists and standards show the team name (read)',
    survey: "a team's survey after tickets and its questionnaire (read)",
    invitation: 'a ticket survey becomes an invitation; a follow-up names whose invitation asked',
    employee:
      'a follow-up ("you may contact me") carries the name and address of the person who asked for it (read)',
  },
};

/** Files outside repositories, `*.sql.ts` modules and src/database that hold SQL, and why. */
const SQL_ELSEWHERE: Record<string, string> = {
  'src/jobs/jobs.service.ts': "deletes pg-boss's jobs about a deleted thing (pg-boss's schema)",
  'src/modules/health/readiness.service.ts': 'SELECT 1 on the pool: the database answers',
};

describe('feature boundaries in SQL', () => {
  const found = crossings();

  it('names another feature’s table only where the list says why', () => {
    const unexplained = found
      .filter((c) => !CROSSINGS[c.feature]?.[c.table])
      .map((c) => `${c.file} names ${c.table} (owned by ${c.owner})`);
    expect(unexplained).toEqual([]);
  });

  it('lists no crossing that is gone (the list stays true)', () => {
    const stale = Object.entries(CROSSINGS).flatMap(([feature, tables]) =>
      Object.keys(tables)
        .filter((table) => !found.some((c) => c.feature === feature && c.table === table))
        .map((table) => `${feature} → ${table}`),
    );
    expect(stale).toEqual([]);
  });

  it('leaves the demo no SQL of another feature’s tables: it seeds through their services', () => {
    expect(found.filter((c) => c.feature === 'demo').map((c) => `${c.file} → ${c.table}`)).toEqual(
      [],
    );
  });

  it('keeps SQL in repositories, *.sql.ts beside them and src/database, or says why not', () => {
    const tables = new Set(tableOwners().keys());
    const elsewhere = sourceFiles()
      .filter((file) => holdsSql(file) || tablesNamed(file, tables).size > 0)
      .filter((file) => !/\.(repository|sql)\.ts$/.test(file) && featureOf(file) !== 'database')
      .filter((file) => !SQL_ELSEWHERE[file]);
    expect(elsewhere).toEqual([]);
    expect(Object.keys(SQL_ELSEWHERE).filter((file) => !holdsSql(file))).toEqual([]);
  });

  it('knows every table (the scan sees what the entities declare)', () => {
    const owners = tableOwners();
    expect(owners.get('employee')).toBe('directory');
    expect(owners.get('response')).toBe('responses');
    expect(
      tablesNamed('src/modules/responses/responses.repository.ts', new Set(owners.keys())),
    ).toContain('employee');
  });
});
