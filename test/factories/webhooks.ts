import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailService } from '../../src/modules/mail/mail.service';
import type { IntegrationKind } from '../../src/modules/tickets/entities/integration.entity';
import {
  type IntegrationInput,
  IntegrationsService,
} from '../../src/modules/tickets/integrations.service';
import {
  jiraSignature,
  standardWebhooksSignature,
  zendeskSignature,
} from '../../src/modules/tickets/signatures';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import type { TestApp } from '../setup/test-app';

/** Helpers for webhook deliveries: real-shaped fixtures, signed the way each system signs. */

export type Json = Record<string, unknown>;

/** The fixture payloads of test/fixtures/webhooks, one file per system and event. */
export const FIXTURES: Record<IntegrationKind, string> = {
  jira: 'jira/issue-resolved.json',
  zendesk: 'zendesk/trigger-solved.json',
  servicenow: 'servicenow/incident-resolved.json',
  freshservice: 'freshservice/ticket-resolved.json',
  generic: 'generic/ticket-resolved.json',
};

/** The requester's e-mail in each system's main fixture. */
export const FIXTURE_REQUESTERS: Record<IntegrationKind, string> = {
  jira: 'mia.hoffmann@example.com',
  zendesk: 'lena.novak@example.com',
  servicenow: 'abel.tuter@example.com',
  freshservice: 'priya.raman@example.com',
  generic: 'omar.haddad@example.com',
};

export function fixture(path: string): Json {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/webhooks', path), 'utf8'));
}

const SERVICENOW_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_MS = (v: unknown): v is number => typeof v === 'number' && v > 1.6e12 && v < 2e12;

function timeOf(value: unknown): number | undefined {
  if (EPOCH_MS(value)) return value;
  if (typeof value !== 'string') return undefined;
  if (SERVICENOW_TIME.test(value)) return Date.parse(`${value.replace(' ', 'T')}Z`);
  if (ISO_TIME.test(value)) return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return undefined;
}

function mapTimes(value: unknown, shift: (ms: number) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => mapTimes(v, shift));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTimes(v, shift)]));
  const at = timeOf(value);
  if (at === undefined) return value;
  const moved = new Date(shift(at));
  if (EPOCH_MS(value)) return moved.getTime();
  if (SERVICENOW_TIME.test(value as string))
    return moved.toISOString().slice(0, 19).replace('T', ' ');
  return moved.toISOString();
}

/**
 * The payload with every time in it moved by the same amount, so that its latest time (the
 * event itself) falls at `latest` (default: 30 seconds ago). Formats are kept per family.
 */
export function retimed(payload: Json, latest = Date.now() - 30_000): Json {
  let max = 0;
  mapTimes(payload, (ms) => {
    max = Math.max(max, ms);
    return ms;
  });
  return mapTimes(payload, (ms) => ms + (latest - max)) as Json;
}

/** The headers a system sends with `body`, signed with `secret` at `at`. */
export function signedHeaders(
  kind: IntegrationKind,
  secret: string,
  body: string | Buffer,
  options: { at?: number; id?: string } = {},
): Record<string, string> {
  const at = options.at ?? Date.now();
  const json = { 'content-type': 'application/json' };
  switch (kind) {
    case 'generic': {
      const id = options.id ?? `msg_${randomUUID()}`;
      const ts = Math.floor(at / 1000);
      return {
        ...json,
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': standardWebhooksSignature(secret, id, ts, body),
      };
    }
    case 'zendesk': {
      const ts = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return {
        ...json,
        'x-zendesk-webhook-id': '01HQ7Z5W9VSV3B5S1Y3A0M2N4P',
        'x-zendesk-webhook-invocation-id': options.id ?? String(Math.floor(Math.random() * 1e10)),
        'x-zendesk-webhook-signature': zendeskSignature(secret, ts, body),
        'x-zendesk-webhook-signature-timestamp': ts,
      };
    }
    case 'jira':
      return {
        ...json,
        'x-atlassian-webhook-identifier': options.id ?? String(Math.floor(Math.random() * 1e12)),
        'x-hub-signature': jiraSignature(secret, body),
      };
    case 'servicenow':
    case 'freshservice':
      return { ...json, 'x-inpulse-secret': secret };
  }
}

export interface TestIntegration {
  id: string;
  kind: IntegrationKind;
  secret: string;
}

/** An integration made through the service, as HR would; its secret as shown once. */
export async function createIntegration(
  t: TestApp,
  kind: IntegrationKind,
  settings: IntegrationInput & { defaultTeam: string },
): Promise<TestIntegration> {
  const { integration, secret } = await t.get(IntegrationsService).create(undefined, {
    kind,
    name: `${kind} test`,
    ...(kind === 'zendesk' ? { signingSecret: `zendesk-${randomUUID().replace(/-/g, '')}` } : {}),
    ...settings,
  });
  return { id: integration.id, kind, secret };
}

/** POSTs `payload` (an object, or exact text) to the integration, signed as its system signs. */
export function deliver(
  t: TestApp,
  integration: TestIntegration,
  payload: Json | string,
  options: { at?: number; id?: string; headers?: Record<string, string>; secret?: string } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return t.request({
    method: 'POST',
    url: `/webhooks/${integration.id}`,
    headers: {
      ...signedHeaders(integration.kind, options.secret ?? integration.secret, body, options),
      ...(options.headers ?? {}),
    },
    payload: body,
  });
}

/** How many rows the webhook path writes: events, receipts, survey jobs. */
export async function webhookRows(t: TestApp) {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM ticket_event) AS tickets,
            (SELECT count(*)::int FROM ticket_event_receipt) AS receipts,
            (SELECT count(*)::int FROM pgboss.job WHERE name = 'ticket.survey') AS jobs`,
  );
  return row as { tickets: number; receipts: number; jobs: number };
}

/** The row id (the survey job's data) of a ticket of an integration. */
export async function ticketRowId(t: TestApp, integrationId: string, ticket: string) {
  const [row] = await t.dataSource.query(
    'SELECT id FROM ticket_event WHERE integration_id = $1 AND external_ticket_id = $2',
    [integrationId, ticket],
  );
  return row?.id as string | undefined;
}

/** Sends the mail the pipeline holds (as its `mail.sweep` job would); returns how many went. */
export async function sendQueuedMail(t: TestApp): Promise<number> {
  return (await t.get(MailService).sendDue()).sent;
}

/**
 * Each person resolves a ticket with the integration's team, is surveyed about it (the survey
 * job, then the invitation batch) and receives the mail: returns each person's link token.
 */
export async function ticketSurveyTokens(
  t: TestApp,
  integration: TestIntegration,
  people: { email: string }[],
): Promise<string[]> {
  const surveys = t.get(TicketSurveysService);
  for (const person of people) {
    const at = Date.now() - 60_000;
    const ticket = `T-${randomUUID().slice(0, 8)}`;
    const res = await deliver(t, integration, {
      type: 'ticket.resolved',
      occurredAt: new Date(at).toISOString(),
      ticket: {
        id: ticket,
        requester: { email: person.email },
        assignee: { email: 'agent@example.com' },
        createdAt: new Date(at - 3_600_000).toISOString(),
        resolvedAt: new Date(at).toISOString(),
      },
    });
    if (res.statusCode !== 202) throw new Error(`webhook answered ${res.statusCode}`);
    const outcome = await surveys.run((await ticketRowId(t, integration.id, ticket)) as string);
    if (outcome !== 'sent') throw new Error(`ticket survey ${outcome}`);
  }
  // However few they are: the batch as it runs once the longest wait has passed.
  await surveys.inviteDecided(
    new Date(Date.now() + (t.config.tickets.inviteMaxWaitHours + 1) * 3_600_000),
  );
  await sendQueuedMail(t);
  const mails: { to_address: string; text: string }[] = await t.dataSource.query(
    'SELECT to_address, text FROM outbox_message WHERE to_address = ANY($1::text[])',
    [people.map((p) => p.email)],
  );
  return people.map((person) => {
    const token = mails
      .find((m) => m.to_address === person.email)
      ?.text.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1];
    if (!token) throw new Error(`no survey mail for ${person.email}`);
    return token;
  });
}
