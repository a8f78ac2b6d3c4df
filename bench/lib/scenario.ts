import { Pool as PgPool } from 'pg';
import { type Dispatcher } from 'undici';
import { hashToken, newToken } from '../../src/modules/invitations/tokens';
import { type Limits, runBounded } from './stats';

/** One person's link, opened once like a browser would: what the POST needs. */
export interface Session {
  token: string;
  cookie: string;
  /** Every hidden field of the form (the CSRF token among them), sent back as a browser would. */
  hidden: [string, string][];
}

export interface Scenario {
  teamId: string;
  surveyId: string;
  questions: { nps: string; rating: string; text: string };
  /** Tokens of every invitation, in a random order. */
  tokens: string[];
}

type Json = Record<string, unknown>;

/** Calls the JSON API with the admin key; throws with the answer on anything but 2xx. */
export async function api<T = Json>(
  http: Dispatcher,
  apiKey: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const res = await http.request({
    method,
    path,
    headers: {
      authorization: `Bearer ${apiKey}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as T;
}

const DEPARTMENTS = ['Engineering', 'Finance', 'Sales', 'Operations', 'People'];
const LOCATIONS = ['Madrid', 'Berlin', 'Lisbon', 'Remote'];
/** Spread over the tenure bands (<1y, 1-2y, 2-5y, 5y+). */
const HIRE_YEARS_AGO = [0.5, 1.5, 3, 8];
const CSV_CHUNK = 50_000; // the import takes at most 100 000 rows per file
// POST /surveys/:id/send takes at most 10 000 e-mails, and JSON bodies at most 256 KiB.
const SEND_MAX_EMAILS = 10_000;
const SEND_MAX_BYTES = 200 * 1024;
const TOKEN_CHUNK = 5_000;

/** A team, a questionnaire, a survey and employees, made through the public API. */
export interface Audience {
  teamId: string;
  surveyId: string;
  questions: { nps: string; rating: string; text: string };
  /** Every employee's e-mail, in the order they were created. */
  emails: string[];
}

/**
 * Creates a team, a questionnaire (nps required, rating, text), a survey and `people`
 * employees (by CSV import) through the public API. Nobody is invited yet.
 */
export async function createAudience(
  http: Dispatcher,
  apiKey: string,
  people: number,
): Promise<Audience> {
  const tag = Date.now().toString(36);
  const team = await api<{ id: string; slug: string }>(http, apiKey, 'POST', '/api/v1/teams', {
    slug: `bench-${tag}`,
    name: 'Bench Service Desk',
  });
  const questionnaire = await api<{ id: string; questions: { id: string; type: string }[] }>(
    http,
    apiKey,
    'POST',
    '/api/v1/questionnaires',
    {
      name: 'Bench pulse',
      defaultLocale: 'en',
      questions: [
        {
          type: 'nps',
          required: true,
          text: { en: 'How likely are you to recommend {team}?', es: '¿Recomendarías al equipo?' },
        },
        {
          type: 'rating',
          text: { en: 'My request was resolved.', es: 'Se resolvió mi solicitud.' },
        },
        { type: 'text', maxLength: 500, text: { en: 'Why?', es: '¿Por qué?' } },
      ],
    },
  );
  const byType = (type: string) => {
    const question = questionnaire.questions.find((q) => q.type === type);
    if (!question) throw new Error(`the questionnaire came back without its ${type} question`);
    return question.id;
  };
  const survey = await api<{ id: string }>(http, apiKey, 'POST', '/api/v1/surveys', {
    name: 'Bench survey',
    questionnaireId: questionnaire.id,
    teamSlug: team.slug,
    openDays: 30,
  });

  const emails: string[] = [];
  const rows: string[] = [];
  const now = Date.now();
  for (let i = 0; i < people; i++) {
    const email = `p${i}.${tag}@example.com`;
    const hired = new Date(now - HIRE_YEARS_AGO[i % HIRE_YEARS_AGO.length] * 365.25 * 86_400_000);
    emails.push(email);
    rows.push(
      [
        email,
        `Person ${i}`,
        DEPARTMENTS[i % DEPARTMENTS.length],
        LOCATIONS[(i >> 2) % LOCATIONS.length],
        hired.toISOString().slice(0, 10),
        i % 5 === 0 ? 'es' : 'en',
      ].join(','),
    );
  }
  for (let i = 0; i < rows.length; i += CSV_CHUNK) {
    const csv = [
      'email,name,department,location,hire_date,locale',
      ...rows.slice(i, i + CSV_CHUNK),
    ];
    await api(http, apiKey, 'POST', '/api/v1/employees/import', csv.join('\n'), 'text/csv');
  }
  return {
    teamId: team.id,
    surveyId: survey.id,
    questions: { nps: byType('nps'), rating: byType('rating'), text: byType('text') },
    emails,
  };
}

/**
 * Sends a survey to these e-mails through POST /api/v1/surveys/:id/send (in as few calls as
 * its limits allow: 10 000 e-mails, 256 KiB). Returns how many were invited.
 */
export async function sendSurvey(
  http: Dispatcher,
  apiKey: string,
  surveyId: string,
  emails: string[],
): Promise<number> {
  let invited = 0;
  for (let i = 0; i < emails.length;) {
    const batch: string[] = [];
    let bytes = 16;
    while (i < emails.length && batch.length < SEND_MAX_EMAILS && bytes < SEND_MAX_BYTES) {
      bytes += emails[i].length + 3;
      batch.push(emails[i++]);
    }
    const path = `/api/v1/surveys/${surveyId}/send`;
    const sent = await api<{ invited: number }>(http, apiKey, 'POST', path, { emails: batch });
    invited += sent.invited;
  }
  return invited;
}

/**
 * Builds the submit benchmark's data through the public API: createAudience, then the survey
 * sent to them all. The app only mails links (and with JOB_WORKERS=false never sends mail), so
 * the tokens are made here, the way the mail pipeline makes them, and their hashes stored
 * directly.
 */
export async function loadScenario(
  http: Dispatcher,
  db: PgPool,
  apiKey: string,
  people: number,
  log: (line: string) => void,
): Promise<Scenario> {
  const audience = await createAudience(http, apiKey, people);
  const invited = await sendSurvey(http, apiKey, audience.surveyId, audience.emails);
  if (invited !== people)
    throw new Error(`expected ${people} invitations, the app created ${invited}`);
  log(`created team, questionnaire, survey, ${people} employees and their invitations`);

  const { rows: invitations } = await db.query<{ id: string }>(
    'SELECT id FROM invitation WHERE survey_id = $1',
    [audience.surveyId],
  );
  const tokens: string[] = [];
  for (let i = 0; i < invitations.length; i += TOKEN_CHUNK) {
    const ids: string[] = [];
    const hashes: string[] = [];
    for (const invitation of invitations.slice(i, i + TOKEN_CHUNK)) {
      const token = newToken();
      tokens.push(token);
      ids.push(invitation.id);
      hashes.push(hashToken(token).toString('hex'));
    }
    await db.query(
      `UPDATE invitation i SET token_hash = decode(v.hash, 'hex'), sent_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS v(id, hash) WHERE i.id = v.id`,
      [ids, hashes],
    );
  }
  await db.query('VACUUM ANALYZE invitation');
  return {
    teamId: audience.teamId,
    surveyId: audience.surveyId,
    questions: audience.questions,
    tokens: shuffle(tokens),
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#x60;': '`',
  '&#x3D;': '=',
};

/** The hidden inputs of a page, as [name, value] with HTML entities decoded. */
export function hiddenFields(page: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const [tag] of page.matchAll(/<input\b[^>]*>/gi)) {
    if (!/\btype="hidden"/i.test(tag)) continue;
    const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name === undefined) continue;
    const decode = (text: string) =>
      text.replace(/&(?:amp|lt|gt|quot|#x27|#x60|#x3D);/g, (e) => ENTITIES[e]);
    fields.push([decode(name), decode(value)]);
  }
  return fields;
}

/** GETs every link once (not timed) and keeps the CSRF cookie and form field of each. */
export async function openLinks(
  http: Dispatcher,
  tokens: string[],
  concurrency: number,
  limits: Limits,
): Promise<Session[]> {
  const sessions: Session[] = new Array(tokens.length);
  const problems: string[] = [];
  const { failures } = await runBounded(
    'opening the links',
    tokens,
    concurrency,
    limits,
    async (token, i) => {
      const res = await http.request({ method: 'GET', path: `/s/${token}` });
      const page = await res.body.text();
      const setCookie = res.headers['set-cookie'];
      const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
      const nonce = cookies.map((c) => /^inpulse_csrf=([^;]+)/.exec(c)?.[1]).find(Boolean);
      const hidden = hiddenFields(page);
      if (res.statusCode !== 200 || !nonce || !hidden.some(([name]) => name === '_csrf')) {
        if (problems.length < 3)
          problems.push(`GET /s/… answered ${res.statusCode}: ${page.slice(0, 200)}`);
        return false;
      }
      sessions[i] = { token, cookie: `inpulse_csrf=${nonce}`, hidden };
      return true;
    },
  );
  if (failures > 0)
    throw new Error(`${failures} survey links did not open:\n${problems.join('\n')}`);
  return sessions;
}

const TEXTS = [
  'Quick and friendly, thanks.',
  'Solved on the first call.',
  'It took three days to get an answer.',
  'Clear instructions — worked right away.',
  '',
];

/** The urlencoded body of one answered form; the answers vary with `i`. */
export function formBody(session: Session, questions: Scenario['questions'], i: number): string {
  const fields = new URLSearchParams();
  for (const [name, value] of session.hidden) fields.append(name, value);
  fields.append(`q_${questions.nps}`, String(i % 11));
  fields.append(`q_${questions.rating}`, String(1 + (i % 5)));
  fields.append(`q_${questions.text}`, TEXTS[i % TEXTS.length]);
  return fields.toString();
}
