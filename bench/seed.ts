/**
 * `npm run bench:seed -- --responses N [--database-url URL] [--reset]`: fills a database with N
 * released responses (50 teams in a tree, 3 years, one shared questionnaire) for `bench:reports`.
 * Rows are generated here (seeded, so every run writes the same figures) and streamed with
 * COPY … FROM STDIN, in chronological chunks; each team's answers are released per period (a week
 * within a month), as the mixer releases answers after tickets, with the segment aggregates a
 * release writes (values shared by at least m people); the rollups are rebuilt once at the end.
 * See bench/README.md.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { findProjectRoot } from '../src/config/app-config';
import { REBUILD_ROLLUPS_SQL } from '../src/modules/reports/reports.sql';
import { periodStart } from '../src/modules/responses/release-periods';
import { namedValues } from '../src/modules/responses/release-plan';
import { cleanupStack, openPersistentDatabase, parseArgs } from './lib/persistent-db';
import { runBench } from './lib/results';

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
    'CREATE INDEX "ix_response_team_day" ON "response" ("team_id", "released_on")',
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

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEPARTMENTS = ['Engineering', 'Finance', 'Sales', 'Operations', 'People'];
const LOCATIONS = ['Madrid', 'Berlin', 'Lisbon', 'Remote'];
const TENURE = ['<1y', '1-2y', '2-5y', '5y+'];
const BANDS = ['<4h', '4-24h', '1-3d', '3d+'];
/** m: the fewest people a segment value of a release is written for (MIX_BATCH_SIZE's default). */
const M = 10;
const COMMENTS = [
  'Quick and friendly, thanks.',
  'Solved on the first call.',
  'It took three days to get an answer.',
  'Clear instructions, worked right away.',
  'Nobody told me what was going on.',
];
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));

interface LoadPlan {
  responses: number;
  teamIds: string[];
  surveyIds: string[];
  /** Mean iNPS score per team. */
  skew: number[];
  from: string;
  questions: Record<string, string>;
}

/**
 * Per release (team, day, source), dimension and value: how many answered the iNPS question and
 * with which scores, to write the segment aggregates of the values a release names.
 */
type SegmentTally = Map<string, Int32Array>;

/**
 * The rows of `response` and `answer`, in COPY text format, generated in chronological chunks
 * (as releases append them): each chunk covers a slice of the days, each answer dated by the
 * first day of its period. Responses are skewed across teams, scores are drawn around each
 * team's mean, rating and effort follow the score, and one response in ten has a comment. Yields
 * [responseText, answerText, answerCount] per chunk; `segments` gathers the segment tallies.
 */
function* copyChunks(plan: LoadPlan, segments: SegmentTally): Generator<[string, string, number]> {
  const random = prng(20261130);
  const chunks = Math.ceil(plan.responses / CHUNK);
  const fromMs = Date.parse(`${plan.from}T00:00:00Z`);
  const dates = Array.from({ length: DAYS }, (_, d) =>
    new Date(fromMs + d * 86_400_000).toISOString().slice(0, 10),
  );
  const teams = plan.teamIds.length;
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  const q = plan.questions;
  let done = 0;
  for (let c = 0; c < chunks; c++) {
    const size = Math.min(CHUNK, plan.responses - done);
    // Chunk c covers days [dayFrom, dayFrom + span), in date order.
    const dayFrom = Math.floor((c * DAYS) / chunks);
    const span = Math.max(1, Math.floor(((c + 1) * DAYS) / chunks) - dayFrom);
    const days = Int32Array.from({ length: size }, () => dayFrom + Math.floor(random() * span));
    days.sort();
    let responseText = '';
    let answerText = '';
    let answers = 0;
    for (let i = 0; i < size; i++) {
      const ti = Math.min(teams - 1, Math.floor(Math.pow(random(), 1.4) * teams));
      const id = randomUUID();
      const source = random() < 0.3 ? 'ticket' : 'pulse';
      const day = periodStart(dates[Math.min(DAYS - 1, days[i])]);
      responseText += `${id}\t${plan.surveyIds[ti]}\t${plan.teamIds[ti]}\t${source}\t${day}\n`;
      const nps = clamp(plan.skew[ti] + (random() + random() + random() - 1.5) * 3.2, 0, 10);
      const values: [string, string][] =
        source === 'pulse'
          ? [
              ['department', pick(DEPARTMENTS)],
              ['location', pick(LOCATIONS)],
              ['tenure_band', pick(TENURE)],
            ]
          : [['resolution_band', pick(BANDS)]];
      for (const [dimension, value] of values) {
        const key = `${ti}|${day}|${source}|${dimension}|${value}`;
        let tally = segments.get(key);
        if (!tally) segments.set(key, (tally = new Int32Array(11)));
        tally[nps] += 1;
      }
      const rating = clamp(nps / 2.2 + (random() - 0.5) * 2, 1, 5);
      const ces = clamp(nps * 0.6 + 1 + (random() - 0.5) * 2, 1, 7);
      answerText += `${id}\t${q.nps}\t${nps}\t\\N\n${id}\t${q.rating}\t${rating}\t\\N\n${id}\t${q.ces}\t${ces}\t\\N\n`;
      answers += 3;
      if (random() < 0.1) {
        answerText += `${id}\t${q.text}\t\\N\t${pick(COMMENTS)}\n`;
        answers += 1;
      }
    }
    done += size;
    yield [responseText, answerText, answers];
  }
}

/**
 * The segment aggregates of every release, as the mixer writes them: per (release, dimension), the
 * values at least M people share (namedValues), each with its iNPS counts.
 */
async function copySegments(db: Client, plan: LoadPlan, segments: SegmentTally): Promise<void> {
  const byRelease = new Map<string, Map<string, Int32Array>>();
  for (const [key, tally] of segments) {
    const cut = key.lastIndexOf('|');
    const release = key.slice(0, cut);
    let values = byRelease.get(release);
    if (!values) byRelease.set(release, (values = new Map()));
    values.set(key.slice(cut + 1), tally);
  }
  const copy = db.query(
    copyFrom(
      'COPY response_segment (survey_id, team_id, released_on, source, dimension, value, question_id, n, score_sum, score_counts) FROM STDIN',
    ),
  );
  let text = '';
  for (const [release, values] of byRelease) {
    const [ti, day, source, dimension] = release.split('|');
    const people = new Map([...values].map(([v, t]) => [v, t.reduce((a, b) => a + b, 0)]));
    for (const value of namedValues(people, M)) {
      const counts = values.get(value) as Int32Array;
      const n = counts.reduce((a, b) => a + b, 0);
      const sum = counts.reduce((total, c, score) => total + c * score, 0);
      text += `${plan.surveyIds[Number(ti)]}\t${plan.teamIds[Number(ti)]}\t${day}\t${source}\t${dimension}\t${value}\t${plan.questions.nps}\t${n}\t${sum}\t{${[...counts].join(',')}}\n`;
    }
    if (text.length > 1 << 20) {
      await write(copy, text);
      text = '';
    }
  }
  await write(copy, text);
  await finish(copy);
}

/** Writes `text` into an open COPY … FROM STDIN stream, waiting when it is full. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    if (stream.write(text)) {
      stream.removeListener('error', reject);
      resolve();
    } else
      stream.once('drain', () => {
        stream.removeListener('error', reject);
        resolve();
      });
  });
}

function finish(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    stream.end();
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    responses: 'value',
    'database-url': 'value',
    reset: 'flag',
    'if-empty': 'flag',
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
    if (Number(have[0].responses) > 0 && args['if-empty'] === true) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM response');
      log(`the database already holds ${rows[0].n} responses: nothing to seed (--if-empty)`);
      return 0;
    }
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
        `TRUNCATE answer, response, response_segment, pending_response, invitation, survey, question,
                  questionnaire, user_team, service_team, api_token, audit_event CASCADE`,
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
      `loading ${responses} responses from ${from} over ${DAYS} days with COPY, in ${chunks} chunks of ≤ ${CHUNK}`,
    );
    // Two connections, one COPY each: responses and answers stream side by side (the foreign
    // key from answer to response is off during the load and checked when it is rebuilt).
    const answersDb = new Client({
      connectionString: pg.url,
      application_name: 'inpulse-bench-seed',
    });
    answersDb.on('error', (error) => log(`connection: ${error.message}`));
    await answersDb.connect();
    cleanup.push('close the second connection', () => answersDb.end());
    await answersDb.query(`SET synchronous_commit = off`);
    const responseCopy = db.query(
      copyFrom('COPY response (id, survey_id, team_id, source, released_on) FROM STDIN'),
    );
    const answerCopy = answersDb.query(
      copyFrom('COPY answer (response_id, question_id, score, text) FROM STDIN'),
    );
    const loadStart = performance.now();
    let done = 0;
    let answers = 0;
    let lastLog = 0;
    const plan = { responses, teamIds, surveyIds, skew, from, questions };
    const segments: SegmentTally = new Map();
    for (const [responseText, answerText, answerCount] of copyChunks(plan, segments)) {
      if (interrupted) throw new Error('interrupted');
      if (Date.now() > deadline) throw new Error('the seed deadline (3 h) passed');
      await Promise.all([write(responseCopy, responseText), write(answerCopy, answerText)]);
      done += Math.min(CHUNK, responses - done);
      answers += answerCount;
      if (performance.now() - lastLog > 5000 || done === responses) {
        lastLog = performance.now();
        const s = (performance.now() - loadStart) / 1000;
        log(`${done} responses, ${answers} answers sent (${Math.round(done / s)} responses/s)`);
      }
    }
    await Promise.all([finish(responseCopy), finish(answerCopy)]);
    await copySegments(db, plan, segments);
    const loadS = (performance.now() - loadStart) / 1000;

    log('building indexes and foreign keys');
    const indexStart = performance.now();
    await restoreSchema(db);
    const indexS = (performance.now() - indexStart) / 1000;
    log('rebuilding the report rollups');
    const rollupStart = performance.now();
    // The planner must see the loaded rows: with the statistics of the tables as they were
    // before the load (empty), the rebuild's joins run as nested loops for many minutes.
    await db.query('ANALYZE response, answer, response_segment');
    await db.query(REBUILD_ROLLUPS_SQL);
    const rollupS = (performance.now() - rollupStart) / 1000;
    log('VACUUM ANALYZE');
    const vacuumStart = performance.now();
    await db.query('VACUUM (ANALYZE) response');
    await db.query('VACUUM (ANALYZE) answer');
    await db.query(
      `VACUUM (ANALYZE) response_segment, report_day_question, report_day_option, report_day_segment,
                        report_comment, report_period_question, report_period_option, report_period_segment,
                        report_day_driver, report_period_driver`,
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
      `  load (COPY, no secondary indexes): ${loadS.toFixed(1)} s = ${Math.round(responses / loadS)} responses/s, ${Math.round(answers / loadS)} answers/s`,
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

runBench('bench:seed', main);
