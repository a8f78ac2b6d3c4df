import { Client } from 'pg';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { FollowUpsService } from '../../src/modules/tickets/follow-ups.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import {
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  openSurvey,
  submitSurvey,
} from '../factories';
import { createIntegration, deliver, sendQueuedMail, ticketRowId } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';
import { urlFor } from '../setup/test-database';

/**
 * The database reader of the threat model: someone with a logical dump or SQL access to the live
 * database — system columns, dead tuples (pageinspect), the WAL (pg_walinspect), the job tables —
 * and the directory. After a realistic workload (a small team, two surveys at once, a survey that
 * closes with few answers, surveys after tickets with the requester erased, follow-ups), they try
 * every join this file knows to tie an answer to fewer than m people, or a ticket to its
 * requester. Every attack here worked on the data model before the release redesign.
 */
const M = 5; // MIX_BATCH_SIZE
const DAY = 86_400_000;

interface Person {
  id: string;
  email: string;
}

describe('a database reader', () => {
  let t: TestApp;
  let admin: Client;
  let walStart: string;
  /** Every comment and follow-up message written, and every requester address. */
  const comments: string[] = [];
  const requesters: string[] = [];
  /** Who wrote each comment: the adversary's joins must keep the true author among the candidates. */
  const authorOf = new Map<string, string>();

  async function people(count: number, tag: string): Promise<Person[]> {
    const directory = t.get(DirectoryService);
    const departments = ['Sales', 'Legal', 'Finance', 'Ops', 'Design', 'Support', 'Data', 'Audit'];
    const locations = ['Madrid', 'Lisbon', 'Osaka', 'Tehran', 'Quito', 'Oslo', 'Lima', 'Kobe'];
    const made: Person[] = [];
    for (let i = 0; i < count; i++) {
      // Everyone with a tuple of their own: the segments a join would use.
      const employee = await directory.create({
        email: `${tag}.${i}.${Math.random().toString(36).slice(2, 8)}@example.com`,
        name: `${tag} ${i}`,
        department: departments[i % departments.length],
        location: locations[(i * 3) % locations.length],
        hireDate: new Date(Date.now() - (100 + i * 400) * DAY).toISOString().slice(0, 10),
        locale: ['en', 'es', 'ja', 'fa'][i % 4],
      });
      made.push({ id: employee.id, email: employee.email });
    }
    return made;
  }

  /** A pulse survey about a new team, sent to `invited`; the first `answering` answer. */
  async function pulse(tag: string, invited: number) {
    const team = await createTeam(t, `Team ${tag}`);
    const { survey, questions } = await createSurvey(t, { teamSlug: team.slug });
    const who = await people(invited, tag);
    const tokens = await inviteAndCollectTokens(t, survey.id, who);
    const nps = questions.find((q) => q.type === 'nps')!;
    const why = questions.find((q) => q.type === 'text')!;
    const answer = async (i: number) => {
      const comment = `comment-${tag}-${i}-${Math.random().toString(36).slice(2, 10)}`;
      comments.push(comment);
      authorOf.set(comment, who[i].id);
      const res = await submitSurvey(t, tokens[i], {
        [`q_${nps.id}`]: String((i * 7) % 11),
        [`q_${why.id}`]: comment,
      });
      expect(res.statusCode).toBe(200);
    };
    return { survey, answer };
  }

  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: String(M),
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
    });
    admin = new Client({ connectionString: urlFor(t.db.name) });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
    walStart = (await admin.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;

    // A small team: 6 invited, 5 answer (each with a segment tuple of their own).
    const small = await pulse('small', 6);
    for (let i = 0; i < 5; i++) await small.answer(i);
    await t.get(ResponsesService).mix();

    // Two surveys at once, their answers interleaved: B gets 3, C gets 6.
    const b = await pulse('bee', 6);
    const c = await pulse('cee', 7);
    for (let i = 0; i < 6; i++) {
      if (i < 3) await b.answer(i);
      await c.answer(i);
    }
    await t.get(ResponsesService).mix();

    // A survey that closes with few answers.
    const few = await pulse('few', 6);
    await few.answer(0);
    await few.answer(1);

    // Surveys after tickets: seven requesters, each ticket with attributes of its own; six
    // answer, two of them asking to be contacted.
    const ticketTeam = await createTeam(t, 'Payroll');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: ticketTeam.slug,
      delayMinutes: 0,
      throttleDays: 30,
    });
    const requesterPeople = await people(7, 'req');
    const categories = ['Payslip', 'Leave', 'Benefits', 'Tax', 'Pension', 'Expenses', 'Travel'];
    for (let i = 0; i < requesterPeople.length; i++) {
      requesters.push(requesterPeople[i].email);
      const at = Date.now() - 60_000;
      const res = await deliver(t, integration, {
        type: 'ticket.resolved',
        occurredAt: new Date(at).toISOString(),
        ticket: {
          id: `PAY-${i}`,
          requester: { email: requesterPeople[i].email },
          assignee: { email: 'agent@example.com' },
          group: { name: 'Payroll' },
          category: categories[i],
          priority: ['low', 'high'][i % 2],
          channel: ['portal', 'email', 'chat'][i % 3],
          createdAt: new Date(at - (1 + i * 9) * 3_600_000).toISOString(),
          resolvedAt: new Date(at).toISOString(),
        },
      });
      expect(res.statusCode).toBe(202);
    }
    const surveysJob = t.get(TicketSurveysService);
    for (let i = 0; i < requesterPeople.length; i++)
      expect(
        await surveysJob.run((await ticketRowId(t, integration.id, `PAY-${i}`)) as string),
      ).toBe('sent');
    // Decided tickets are handed over and invited in batches (a no-op where the job invites).
    await (surveysJob as unknown as { inviteDecided?: () => Promise<unknown> }).inviteDecided?.();
    await sendQueuedMail(t);
    const mails: { to_address: string; text: string }[] = await t.dataSource.query(
      'SELECT to_address, text FROM outbox_message WHERE to_address = ANY($1::text[])',
      [requesters],
    );
    for (let i = 0; i < 6; i++) {
      const token = mails
        .find((m) => m.to_address === requesters[i])
        ?.text.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1];
      expect(token).toBeDefined();
      const session = await openSurvey(t, token as string);
      const fields: Record<string, string> = {};
      for (const [, name] of session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g))
        fields[name] ??= '';
      const [npsField, whyField] = Object.keys(fields);
      const comment = `ticket-comment-${i}-${Math.random().toString(36).slice(2, 10)}`;
      comments.push(comment);
      authorOf.set(comment, requesterPeople[i].id);
      const contact: Record<string, string> =
        i < 2 ? { contact: 'yes', contact_message: `call me about ${categories[i]}` } : {};
      const res = await submitSurvey(
        t,
        token as string,
        { [npsField]: String(i + 4), [whyField]: comment, ...contact },
        session,
      );
      expect(res.statusCode).toBe(200);
    }

    // Time passes: every pulse closes, the ticket period closes, every job runs.
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '5 minutes' WHERE source = 'pulse'`,
    );
    await t.get(ResponsesService).mix(new Date(Date.now() + 8 * DAY));
    await (t.get(FollowUpsService) as unknown as { release?: () => Promise<unknown> }).release?.();
  }, 120_000);

  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  /** Rows of a table with their system columns, through the superuser connection. */
  async function rows(table: string): Promise<Record<string, unknown>[]> {
    return (await admin.query(`SELECT xmin::text::bigint AS xmin_, * FROM ${table}`)).rows;
  }

  async function columns(table: string): Promise<{ name: string; type: string }[]> {
    return (
      await admin.query(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      )
    ).rows;
  }

  it('cannot narrow any stored answer to fewer than m people by joining what is stored', async () => {
    const responseColumns = await columns('response');
    const invitationColumns = await columns('invitation');
    // Every attribute the two tables share (segments, ticket attributes, the rated team).
    const shared = responseColumns
      .map((c) => c.name)
      .filter((name) => invitationColumns.some((c) => c.name === name))
      .filter((name) => !['id', 'survey_id', 'created_at'].includes(name));
    const responseDay = responseColumns.find((c) =>
      ['responded_on', 'released_on'].includes(c.name),
    )?.name;
    const invitationDay = invitationColumns.find((c) => c.name === 'answered_on')?.name;
    const responses = await rows('response');
    const invitations = await rows('invitation');
    const employees = new Map((await rows('employee')).map((e) => [e.id as string, e]));
    const texts = new Map(
      (await rows('answer'))
        .filter((a) => a.text !== null)
        .map((a) => [a.response_id as string, a.text as string]),
    );
    const answered = (i: Record<string, unknown>) =>
      i.answered === true || (i.answered_on !== undefined && i.answered_on !== null);
    expect(responses.length).toBeGreaterThan(0);

    // The mixer's transactions of each survey, in commit order.
    const releasesOf = new Map<string, number[]>();
    for (const r of responses) {
      const list = releasesOf.get(r.survey_id as string) ?? [];
      if (!list.includes(Number(r.xmin_))) list.push(Number(r.xmin_));
      releasesOf.set(
        r.survey_id as string,
        list.sort((a, b) => a - b),
      );
    }

    const narrowest: { response: string; candidates: number; survey: string }[] = [];
    for (const r of responses) {
      const releases = releasesOf.get(r.survey_id as string) as number[];
      const xmin = Number(r.xmin_);
      const previous = releases[releases.indexOf(xmin) - 1] ?? 0;
      const candidates = new Set<string>();
      for (const i of invitations) {
        if (i.survey_id !== r.survey_id || !answered(i)) continue;
        // Same segment, ticket attribute or team wherever both record one.
        if (shared.some((c) => r[c] !== null && i[c] !== null && String(r[c]) !== String(i[c])))
          continue;
        // The day it was answered, where both keep one (an answer after a ticket is dated by
        // the first day of its week, within its month).
        if (responseDay && invitationDay && i[invitationDay] !== null) {
          const day = (d: unknown) => new Date(d as string).toISOString().slice(0, 10);
          const [on, was] = [day(r[responseDay]), day(i[invitationDay])];
          const within = was >= on && Date.parse(was) - Date.parse(on) < 7 * DAY;
          if (on !== was && !(within && on.slice(0, 7) === was.slice(0, 7))) continue;
        }
        // The person's language.
        const employee = employees.get(i.employee_id as string);
        if (r.locale !== undefined && employee && r.locale !== employee.locale) continue;
        // The invitation's own row version: written by the claim (before this release and after
        // the previous one) or by the release itself.
        const ix = Number(i.xmin_);
        if (!(ix === xmin || (ix > previous && ix < xmin))) continue;
        candidates.add(i.employee_id as string);
      }
      // The joins are sound: the true author is always among the candidates.
      const author = authorOf.get(texts.get(r.id as string) ?? '');
      if (author)
        expect({ response: r.id, author: candidates.has(author) }).toEqual({
          response: r.id,
          author: true,
        });
      narrowest.push({
        response: r.id as string,
        candidates: candidates.size,
        survey: r.survey_id as string,
      });
    }
    narrowest.sort((a, b) => a.candidates - b.candidates);
    expect(narrowest[0]).toEqual({ ...narrowest[0], candidates: expect.any(Number) });
    expect({ narrowest: narrowest[0], atLeastM: narrowest[0].candidates >= M }).toEqual({
      narrowest: narrowest[0],
      atLeastM: true,
    });
  });

  it('finds no answer and no erased address in dead tuples or free space (pageinspect)', async () => {
    const leaks: string[] = [];
    for (const table of ['pending_response', 'ticket_event', 'invitation']) {
      const { rows: sized } = await admin.query(
        `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int AS blocks`,
        [table],
      );
      for (let block = 0; block < Number(sized[0].blocks); block++) {
        const { rows: page } = await admin.query('SELECT get_raw_page($1, $2) AS page', [
          table,
          block,
        ]);
        const bytes = page[0].page as Buffer;
        for (const secret of [...comments, ...requesters])
          if (bytes.includes(Buffer.from(secret, 'utf8'))) leaks.push(`${table}: ${secret}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('finds no answer and no erased address in the WAL of the pending and ticket tables', async () => {
    const { rows: version } = await admin.query(
      `SELECT current_setting('server_version_num')::int AS v`,
    );
    if (version[0].v < 160000) return; // pg_get_wal_block_info needs PostgreSQL 16
    const { rows: nodes } = await admin.query(
      `SELECT relname, pg_relation_filenode(oid)::bigint AS node FROM pg_class
        WHERE relname IN ('pending_response', 'ticket_event') AND relkind = 'r'`,
    );
    const leaks: string[] = [];
    for (const { relname, node } of nodes) {
      const { rows: blocks } = await admin.query(
        `SELECT block_data, block_fpi_data FROM pg_get_wal_block_info($1::pg_lsn, pg_current_wal_lsn(), true)
          WHERE relfilenode = $2`,
        [walStart, node],
      );
      for (const block of blocks)
        for (const bytes of [block.block_data, block.block_fpi_data] as (Buffer | null)[])
          for (const secret of [...comments, ...requesters])
            if (bytes?.includes(Buffer.from(secret, 'utf8'))) leaks.push(`${relname}: ${secret}`);
    }
    expect([...new Set(leaks)]).toEqual([]);
  });

  it('cannot tie a ticket to the invitation of its requester (timestamps, transactions, jobs)', async () => {
    const tickets = await rows('ticket_event');
    const decided = tickets.filter((x) => x.survey_state === 'sent');
    expect(decided.length).toBe(7);
    const stamps = (row: Record<string, unknown>) =>
      Object.values(row)
        .filter((v): v is Date => v instanceof Date)
        .map((d) => d.getTime());
    const links: string[] = [];
    for (const table of ['invitation', 'mail_message', 'ticket_survey_throttle', 'follow_up']) {
      const exists = (await admin.query('SELECT to_regclass($1) AS r', [table])).rows[0].r;
      if (!exists) continue;
      for (const row of await rows(table))
        for (const ticket of decided) {
          if (row.xmin_ === ticket.xmin_) links.push(`${table} shares the transaction of a ticket`);
          const theirs = stamps(ticket);
          if (stamps(row).some((s) => theirs.includes(s)))
            links.push(`${table} shares a timestamp with a ticket`);
        }
    }
    expect([...new Set(links)]).toEqual([]);
    // The throttle, if any, holds no keyed hash tied to a time.
    const throttle = (await admin.query(`SELECT to_regclass('ticket_survey_throttle') AS r`))
      .rows[0].r;
    if (throttle) expect(await rows('ticket_survey_throttle')).toEqual([]);
    // No job, done or waiting, carries a decided ticket's id.
    const jobs: string[] = [];
    for (const table of ['pgboss.job', 'pgboss.archive']) {
      const exists = (await admin.query('SELECT to_regclass($1) AS r', [table])).rows[0].r;
      if (!exists) continue;
      const { rows: found } = await admin.query(
        `SELECT name FROM ${table} WHERE data::text LIKE ANY($1::text[])`,
        [decided.map((x) => `%${x.id}%`)],
      );
      jobs.push(...found.map((j) => `${table}: ${j.name}`));
    }
    expect(jobs).toEqual([]);
  });

  it('cannot tie a follow-up to an answer through the transactions around it', async () => {
    const followUps = await rows('follow_up');
    expect(followUps).toHaveLength(2);
    // Every tuple that holds an answer, live or dead, with the transaction that wrote it.
    const tuples: { table: string; xmin: number; readable: boolean }[] = [];
    for (const table of ['pending_response', 'response']) {
      const { rows: items } = await admin.query(
        `SELECT p.t_xmin::text::bigint AS xmin, p.t_data IS NOT NULL AS readable
           FROM generate_series(0, (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int - 1) AS b,
                LATERAL heap_page_items(get_raw_page($1::text, b)) p
          WHERE p.t_xmin IS NOT NULL`,
        [table],
      );
      tuples.push(...items.map((i) => ({ table, xmin: Number(i.xmin), readable: i.readable })));
    }
    const batchSize = (xmin: number) =>
      tuples.filter((x) => x.table === 'response' && x.xmin === xmin).length;
    const near: string[] = [];
    for (const f of followUps) {
      const x = Number(f.xmin_);
      for (const tuple of tuples) {
        if (Math.abs(tuple.xmin - x) > 2 || !tuple.readable) continue;
        // A release of at least m answers is what the follow-up may sit beside; a pending row
        // (the claim's own transaction) is not.
        if (tuple.table === 'response' && batchSize(tuple.xmin) >= M) continue;
        near.push(`${tuple.table} ${tuple.xmin} beside follow-up ${x}`);
      }
    }
    expect([...new Set(near)]).toEqual([]);
  });

  it('runs as a database role that is not a superuser', async () => {
    const [role] = await t.dataSource.query(
      'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    expect(role.rolsuper).toBe(false);
  });
});
