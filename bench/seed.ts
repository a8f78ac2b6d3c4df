/**
 * `npm run bench:seed -- --responses N [--database-url URL] [--reset]`: fills a database with N
 * mixed responses (50 teams in a tree, 3 years, one shared questionnaire) for `bench:reports`.
 * Rows are generated set-based in PostgreSQL (INSERT … SELECT … FROM generate_series), in
 * chronological chunks like the mixer would append them. See bench/README.md.
 */
import { Client } from 'pg';
import { findProjectRoot } from '../src/config/app-config';
import { REBUILD_ROLLUPS_SQL } from '../src/modules/reports/reports.sql';
import { cleanupStack, openPersistentDatabase, parseArgs } from './lib/persistent-db';

const started = Date.now();
function log(line: string): void {
  console.log(`[seed +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

const DAYS = 3 * 365 + 1;
const CHUNK = 50_000;
const DEADLINE_MS = 3 * 3600_000;

/** 8 parents with 5 sub-teams each, and 2 sub-sub-teams: 50 teams. */
function teamTree(): { slug: string; name: string; parent: string | null }[] {
  const areas = ['it', 'hr', 'finance', 'facilities', 'legal', 'procurement', 'security', 'data'];
  const subs = ['helpdesk', 'onboarding', 'payroll', 'workplace', 'contracts'];
  const teams: { slug: string; name: string; parent: string | null }[] = [];
  for (const area of areas) {
    teams.push({ slug: area, name: `${area.toUpperCase()} services`, parent: null });
    for (const sub of subs)
      teams.push({ slug: `${area}-${sub}`, name: `${area} ${sub}`, parent: area });
  }
  teams.push({ slug: 'it-helpdesk-l1', name: 'it helpdesk level 1', parent: 'it-helpdesk' });
  teams.push({ slug: 'it-helpdesk-l2', name: 'it helpdesk level 2', parent: 'it-helpdesk' });
  return teams;
}

// The secondary indexes and foreign keys of response and answer, exactly as the migrations
// create them: dropped for the load and built once at the end (much faster than maintaining
// them row by row), re-created if missing on every run.
const INDEXES: [string, string][] = [
  ['ix_response_survey', 'CREATE INDEX "ix_response_survey" ON "response" ("survey_id")'],
  [
    'ix_response_team_day',
    'CREATE INDEX "ix_response_team_day" ON "response" ("team_id", "responded_on")',
  ],
  ['ix_answer_response', 'CREATE INDEX "ix_answer_response" ON "answer" ("response_id")'],
  ['ix_answer_question', 'CREATE INDEX "ix_answer_question" ON "answer" ("question_id")'],
];
const FOREIGN_KEYS: [string, string, string][] = [
  [
    'response',
    'fk_response_survey',
    'FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
  ],
  [
    'response',
    'fk_response_team',
    'FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
  ],
  [
    'answer',
    'fk_answer_response',
    'FOREIGN KEY ("response_id") REFERENCES "response"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
  ],
  [
    'answer',
    'fk_answer_question',
    'FOREIGN KEY ("question_id") REFERENCES "question"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
  ],
];

async function dropForLoad(db: Client): Promise<void> {
  for (const [table, name] of FOREIGN_KEYS)
    await db.query(`ALTER TABLE "${table}" DROP CONSTRAINT IF EXISTS "${name}"`);
  for (const [name] of INDEXES) await db.query(`DROP INDEX IF EXISTS "${name}"`);
}

async function restoreSchema(db: Client): Promise<void> {
  for (const [name, ddl] of INDEXES) {
    const { rowCount } = await db.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
    if (rowCount === 0) await db.query(ddl);
  }
  for (const [table, name, ddl] of FOREIGN_KEYS) {
    const { rowCount } = await db.query('SELECT 1 FROM pg_constraint WHERE conname = $1', [name]);
    if (rowCount === 0) await db.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${name}" ${ddl}`);
  }
  await db.query('ALTER TABLE answer ENABLE TRIGGER trg_answer_rollup');
}

const CHUNK_SQL = `
WITH g AS MATERIALIZED (
  SELECT gen_random_uuid() AS id,
         1 + floor(pow(random(), 1.4) * $3)::int AS ti,
         $5::date + ($6::int + floor(random() * $7)::int) AS day,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
         random() AS r6, random() AS r7, random() AS r8
    FROM generate_series(1, $4::int)
), src AS MATERIALIZED (
  SELECT g.id, g.ti, g.day, g.r1, g.r2, g.r3, g.r4, g.r5, g.r6, n.nps,
         greatest(1, least(5, round(n.nps / 2.2 + (g.r7 - 0.5) * 2)))::smallint AS rating,
         greatest(1, least(7, round(n.nps * 0.6 + 1 + (g.r8 - 0.5) * 2)))::smallint AS ces,
         CASE WHEN g.r5 < 0.1 THEN (ARRAY['Quick and friendly, thanks.', 'Solved on the first call.',
              'It took three days to get an answer.', 'Clear instructions, worked right away.',
              'Nobody told me what was going on.'])[1 + floor(g.r6 * 5)::int] END AS comment
    FROM g CROSS JOIN LATERAL (
      SELECT greatest(0, least(10, round(($8::float8[])[g.ti]
             + (random() + random() + random() - 1.5) * 3.2)))::smallint AS nps) n
   ORDER BY g.day
), ins AS (
  INSERT INTO response (id, survey_id, team_id, source, responded_on, locale, department, location, tenure_band)
  SELECT id, ($2::uuid[])[ti], ($1::uuid[])[ti], CASE WHEN r1 < 0.3 THEN 'ticket' ELSE 'pulse' END, day,
         (ARRAY['en', 'en', 'es', 'ja', 'fa'])[1 + floor(r2 * 5)::int],
         (ARRAY['Engineering', 'Finance', 'Sales', 'Operations', 'People'])[1 + floor(r3 * 5)::int],
         (ARRAY['Madrid', 'Berlin', 'Lisbon', 'Remote'])[1 + floor(r4 * 4)::int],
         (ARRAY['<1y', '1-2y', '2-5y', '5y+'])[1 + floor(r1 * 4)::int]
    FROM src
)
INSERT INTO answer (response_id, question_id, score, text)
SELECT s.id, v.q, v.score, v.text
  FROM src s CROSS JOIN LATERAL (VALUES ($9::uuid, s.nps, NULL::text), ($10::uuid, s.rating, NULL),
       ($11::uuid, s.ces, NULL), ($12::uuid, NULL::smallint, s.comment)) v(q, score, text)
 WHERE v.q <> $12::uuid OR s.comment IS NOT NULL`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    responses: 'value',
    'database-url': 'value',
    reset: 'flag',
  });
  const responses = Number(String(args.responses ?? 1_000_000).replace(/_/g, ''));
  if (!Number.isInteger(responses) || responses < 1000 || responses > 100_000_000)
    throw new Error('--responses must be a whole number from 1000 to 100000000');
  const deadline = Date.now() + DEADLINE_MS;
  let interrupted = false;
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack(() => {
    interrupted = true;
  });
  try {
    const url = typeof args['database-url'] === 'string' ? args['database-url'] : undefined;
    const pg = await openPersistentDatabase(projectRoot, url, log);
    cleanup.push('stop PostgreSQL', () => pg.close());
    const db = new Client({ connectionString: pg.url, application_name: 'inpulse-bench-seed' });
    db.on('error', (error) => log(`connection: ${error.message}`));
    await db.connect();
    cleanup.push('close the connection', () => db.end());

    const { rows: have } = await db.query<{ responses: string; teams: string }>(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM response LIMIT 1) x) AS responses,
              (SELECT count(*) FROM service_team) AS teams`,
    );
    if (Number(have[0].responses) > 0 || Number(have[0].teams) > 0) {
      if (args.reset !== true) {
        const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM response');
        console.error(
          `bench:seed: the database already holds ${rows[0].n} responses and ${have[0].teams} teams ` +
            `(${url ? 'the --database-url given' : '.data/bench-pg'}). Run bench:reports on it, or add ` +
            '--reset to empty it first (truncates teams, surveys, questionnaires, responses, tokens).',
        );
        return 2;
      }
      log('--reset: emptying the database');
      await db.query(
        `TRUNCATE answer, response, pending_response, invitation, survey, question, questionnaire,
                  user_team, service_team, api_token, audit_event CASCADE`,
      );
    }
    await restoreSchema(db); // whatever an interrupted run left behind

    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET maintenance_work_mem = '512MB'`);
    await db.query(`SET work_mem = '64MB'`);

    // Teams (a tree), one survey per team, one shared questionnaire.
    const tree = teamTree();
    const ids = new Map<string, string>();
    for (const t of tree) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO service_team (slug, name, parent_id, nps_target) VALUES ($1, $2, $3, $4) RETURNING id`,
        [t.slug, t.name, t.parent ? ids.get(t.parent) : null, t.parent ? null : 30],
      );
      ids.set(t.slug, rows[0].id);
    }
    const { rows: qn } = await db.query<{ id: string }>(
      `INSERT INTO questionnaire (name, default_locale) VALUES ('Bench service pulse', 'en') RETURNING id`,
    );
    const questionnaireId = qn[0].id;
    const questions: Record<string, string> = {};
    const defs: [string, Record<string, string>, number | null][] = [
      [
        'nps',
        { en: 'How likely are you to recommend {team}?', es: '¿Recomendarías al equipo?' },
        null,
      ],
      ['rating', { en: 'My request was fully resolved.', es: 'Se resolvió mi solicitud.' }, null],
      ['ces', { en: 'It was easy to get help.', es: 'Fue fácil conseguir ayuda.' }, null],
      ['text', { en: 'Anything to add?', es: '¿Algo más?' }, 500],
    ];
    for (const [position, [type, text, maxLength]] of defs.entries()) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO question (questionnaire_id, position, type, required, text, max_length)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [questionnaireId, position, type, type === 'nps', JSON.stringify(text), maxLength],
      );
      questions[type] = rows[0].id;
    }
    const teamIds = tree.map((t) => ids.get(t.slug)!);
    const surveyIds: string[] = [];
    for (const t of tree) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
         VALUES ($1, $2, $3, 5, now() + interval '10 years') RETURNING id`,
        [`${t.name}: always-on pulse`, questionnaireId, ids.get(t.slug)],
      );
      surveyIds.push(rows[0].id);
    }
    // Mean iNPS score per team, 5.5–9 (a skew per team), deterministic.
    const skew = tree.map((_, i) => 5.5 + (((i * 37) % 50) / 50) * 3.5);
    log(
      `created ${tree.length} teams (8 trees), ${surveyIds.length} surveys, 1 questionnaire (nps, rating, ces, text)`,
    );

    await dropForLoad(db);
    // The rollup trigger would refresh after every chunk; the rollups are rebuilt once at the end.
    await db.query('ALTER TABLE answer DISABLE TRIGGER trg_answer_rollup');
    const from = new Date(Date.now() - DAYS * 86_400_000).toISOString().slice(0, 10);
    const chunks = Math.ceil(responses / CHUNK);
    log(
      `loading ${responses} responses from ${from} over ${DAYS} days in ${chunks} chunks of ≤ ${CHUNK}`,
    );
    const loadStart = performance.now();
    let done = 0;
    let answers = 0;
    let lastLog = 0;
    for (let c = 0; c < chunks; c++) {
      if (interrupted) throw new Error('interrupted');
      if (Date.now() > deadline) throw new Error('the seed deadline (3 h) passed');
      const size = Math.min(CHUNK, responses - done);
      // Chunk c covers days [dayFrom, dayTo): rows arrive in date order, as the mixer appends them.
      const dayFrom = Math.floor((c * DAYS) / chunks);
      const dayTo = Math.max(dayFrom + 1, Math.floor(((c + 1) * DAYS) / chunks));
      const result = await db.query(CHUNK_SQL, [
        teamIds,
        surveyIds,
        teamIds.length,
        size,
        from,
        dayFrom,
        dayTo - dayFrom,
        skew,
        questions.nps,
        questions.rating,
        questions.ces,
        questions.text,
      ]);
      done += size;
      answers += result.rowCount ?? 0;
      if (performance.now() - lastLog > 5000 || done === responses) {
        lastLog = performance.now();
        const s = (performance.now() - loadStart) / 1000;
        log(`${done} responses, ${answers} answers (${Math.round(done / s)} responses/s)`);
      }
    }
    const loadS = (performance.now() - loadStart) / 1000;

    log('building indexes and foreign keys');
    const indexStart = performance.now();
    await restoreSchema(db);
    const indexS = (performance.now() - indexStart) / 1000;
    log('rebuilding the report rollups');
    const rollupStart = performance.now();
    await db.query(REBUILD_ROLLUPS_SQL);
    const rollupS = (performance.now() - rollupStart) / 1000;
    log('VACUUM ANALYZE');
    const vacuumStart = performance.now();
    await db.query('VACUUM (ANALYZE) response');
    await db.query('VACUUM (ANALYZE) answer');
    await db.query(
      'VACUUM (ANALYZE) report_day_question, report_day_option, report_day_segment, report_comment',
    );
    await db.query('ANALYZE service_team, survey, question, questionnaire');
    const vacuumS = (performance.now() - vacuumStart) / 1000;
    const totalS = (Date.now() - started) / 1000;
    const { rows: size } = await db.query<{ r: string; a: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('response')) AS r,
              pg_size_pretty(pg_total_relation_size('answer')) AS a`,
    );

    console.log('');
    console.log(
      `Seeded ${responses} responses (${answers} answers) into ${pg.kind === 'embedded' ? '.data/bench-pg' : 'the given database'}`,
    );
    console.log(
      `  load (INSERT … SELECT, no secondary indexes): ${loadS.toFixed(1)} s = ${Math.round(responses / loadS)} responses/s, ${Math.round(answers / loadS)} answers/s`,
    );
    console.log(
      `  indexes + foreign keys: ${indexS.toFixed(1)} s;  report rollups: ${rollupS.toFixed(1)} s;  VACUUM ANALYZE: ${vacuumS.toFixed(1)} s`,
    );
    console.log(
      `  total (with start-up): ${totalS.toFixed(1)} s = ${Math.round(responses / totalS)} responses/s overall`,
    );
    console.log(`  size: response ${size[0].r}, answer ${size[0].a} (with indexes)`);
    console.log('');
    return 0;
  } finally {
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `bench:seed failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
    );
    process.exit(1);
  },
);
