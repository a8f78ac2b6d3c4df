import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IntegrationKind } from './entities/integration.entity';
import { time } from './normalisers/ticket-event';
import type { TicketErrorCode } from './tickets.errors';

/** How far a signed timestamp may be from our clock, either way. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/** The header carrying the secret itself, for senders that cannot sign (and Jira Automation). */
export const SECRET_HEADER = 'x-inpulse-secret';

export type Headers = Record<string, string | string[] | undefined>;

export type Verified =
  { ok: true; eventId: string | undefined } | { ok: false; code: TicketErrorCode; message: string };

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Constant-time equality of two byte strings (false at once when their lengths differ). */
function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hmac(key: Buffer | string, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

const refused = (code: TicketErrorCode, message: string): Verified => ({
  ok: false,
  code,
  message,
});

/** Whether a signed time (ms) is within the tolerance of `now`; why not, otherwise. */
export function timestampProblem(at: number, now: number): Verified | undefined {
  if (!Number.isFinite(at))
    return refused('webhook.timestamp_invalid', 'The signature timestamp is not a valid time.');
  if (at < now - TIMESTAMP_TOLERANCE_MS)
    return refused(
      'webhook.timestamp_stale',
      'The signature timestamp is more than 5 minutes old: a replay, or a clock far off.',
    );
  if (at > now + TIMESTAMP_TOLERANCE_MS)
    return refused(
      'webhook.timestamp_future',
      'The signature timestamp is more than 5 minutes in the future: check the sender’s clock.',
    );
  return undefined;
}

/** The key bytes of a Standard Webhooks secret (`whsec_<base64>`). */
function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** The secret sent as it is, compared through digests: equal lengths, constant time. */
function secretHeaderMatches(given: string, secrets: string[]): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  let match = false;
  for (const secret of secrets) match = safeEqual(digest(given), digest(secret)) || match;
  return match;
}

/**
 * Checks a delivery against each of `secrets` (the current one, and the previous one during a
 * rotation), on the exact bytes received, before anything parses them:
 * - generic: Standard Webhooks — `webhook-id`, `webhook-timestamp` (seconds), `webhook-signature`
 *   holding one or more space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`;
 * - zendesk: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256 of timestamp + body, with
 *   `X-Zendesk-Webhook-Signature-Timestamp`;
 * - jira: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` (its time is the payload's
 *   `timestamp`, checked once the verified body is parsed: see `jiraTimestampProblem`), or, from
 *   an Automation rule's "Send web request", the secret in `X-Inpulse-Secret`;
 * - servicenow, freshservice: the secret in `X-Inpulse-Secret` (they have no signing scheme).
 * Every comparison is constant-time.
 */
export function verifyDelivery(
  kind: IntegrationKind,
  secrets: string[],
  headers: Headers,
  body: Buffer,
  now: number,
): Verified {
  const missing = (names: string) =>
    refused('webhook.signature_missing', `This integration needs the ${names} header(s).`);
  const forged = () =>
    refused(
      'webhook.signature_invalid',
      'The signature does not match this integration’s signing secret.',
    );
  switch (kind) {
    case 'generic': {
      const id = header(headers, 'webhook-id');
      const timestamp = header(headers, 'webhook-timestamp');
      const signature = header(headers, 'webhook-signature');
      if (!id || !timestamp || !signature)
        return missing('webhook-id, webhook-timestamp and webhook-signature');
      if (!/^\d{1,12}$/.test(timestamp))
        return refused(
          'webhook.timestamp_invalid',
          'webhook-timestamp must be whole seconds since 1970.',
        );
      const late = timestampProblem(Number(timestamp) * 1000, now);
      if (late) return late;
      const given = signature
        .split(' ')
        .filter((s) => s.startsWith('v1,'))
        .map((s) => Buffer.from(s.slice(3), 'base64'));
      for (const secret of secrets) {
        const expected = hmac(standardWebhooksKey(secret), `${id}.${timestamp}.`, body);
        if (given.some((g) => safeEqual(g, expected))) return { ok: true, eventId: id };
      }
      return forged();
    }
    case 'zendesk': {
      const signature = header(headers, 'x-zendesk-webhook-signature');
      const timestamp = header(headers, 'x-zendesk-webhook-signature-timestamp');
      if (!signature || !timestamp)
        return missing('X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp');
      const late = timestampProblem(Date.parse(timestamp), now);
      if (late) return late;
      const given = Buffer.from(signature, 'base64');
      for (const secret of secrets) {
        if (safeEqual(given, hmac(secret, timestamp, body)))
          return { ok: true, eventId: header(headers, 'x-zendesk-webhook-invocation-id') };
      }
      return forged();
    }
    case 'jira': {
      const eventId = header(headers, 'x-atlassian-webhook-identifier');
      const signature = header(headers, 'x-hub-signature');
      if (!signature) {
        const given = header(headers, SECRET_HEADER);
        if (!given) return missing('X-Hub-Signature (or, from Automation, X-Inpulse-Secret)');
        return secretHeaderMatches(given, secrets) ? { ok: true, eventId } : forged();
      }
      const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature);
      const given = match ? Buffer.from(match[1], 'hex') : Buffer.alloc(0);
      for (const secret of secrets) {
        if (safeEqual(given, hmac(secret, body))) return { ok: true, eventId };
      }
      return forged();
    }
    case 'servicenow':
    case 'freshservice': {
      const given = header(headers, SECRET_HEADER);
      if (!given) return missing('X-Inpulse-Secret');
      return secretHeaderMatches(given, secrets) ? { ok: true, eventId: undefined } : forged();
    }
  }
}

/**
 * Jira signs no time: the payload's `timestamp` (milliseconds from a Jira webhook, or `{{now}}`
 * from an Automation rule) is checked once the verified body is parsed.
 */
export function jiraTimestampProblem(payload: unknown, now: number): Verified | undefined {
  const timestamp = time((payload as { timestamp?: unknown } | null)?.timestamp);
  if (timestamp === null)
    return refused(
      'webhook.timestamp_invalid',
      'The Jira payload needs a "timestamp" (milliseconds, or a date and time).',
    );
  return timestampProblem(timestamp.getTime(), now);
}

/** Standard Webhooks signature header for a body (tests, the benchmark, the README example). */
export function standardWebhooksSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  return `v1,${hmac(standardWebhooksKey(secret), `${id}.${timestamp}.`, body).toString('base64')}`;
}

export function zendeskSignature(secret: string, timestamp: string, body: string | Buffer): string {
  return hmac(secret, timestamp, body).toString('base64');
}

export function jiraSignature(secret: string, body: string | Buffer): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}
