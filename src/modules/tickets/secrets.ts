import { randomBytes } from 'node:crypto';
import { keyedHash, open, seal } from '../../common/crypto/sealing';
import { hasControlCharacters } from '../../common/text';
import type { IntegrationKind } from './entities/integration.entity';

/**
 * Signing secrets must be readable again to verify an HMAC, so they are sealed with AES-256-GCM
 * under a key derived from APP_SECRET, never stored in clear.
 */
export function sealSecret(appSecret: string, secret: string): Buffer {
  return seal(appSecret, 'integration-secret', Buffer.from(secret, 'utf8'));
}

/** The secret, or undefined when it cannot be opened (e.g. sealed under another APP_SECRET). */
export function openSecret(appSecret: string, sealed: Buffer): string | undefined {
  return open(appSecret, 'integration-secret', sealed)?.toString('utf8');
}

/**
 * The requester's e-mail or id as the ticket keeps it until its survey is decided: sealed, so
 * that neither the row, its dead tuples nor the WAL show who asked. Null stays null.
 */
export function sealRequester(appSecret: string, value: string | null): Buffer | null {
  return value === null
    ? null
    : seal(appSecret, 'ticket-requester-sealed', Buffer.from(value, 'utf8'), 64);
}

export function openRequester(appSecret: string, sealed: Buffer | null): string | null {
  if (sealed === null) return null;
  const bytes = open(appSecret, 'ticket-requester-sealed', sealed);
  if (!bytes) return null;
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/**
 * A new signing secret: `whsec_<base64 of 32 random bytes>` for the Standard Webhooks scheme
 * (generic), 32 random bytes in base64url for the others (Jira signs with the text of the
 * secret; ServiceNow and Freshservice send it in a header). Zendesk makes its own: it is pasted in.
 */
export function newSigningSecret(kind: IntegrationKind): string {
  const bytes = randomBytes(32);
  return kind === 'generic' ? `whsec_${bytes.toString('base64')}` : bytes.toString('base64url');
}

/** What is wrong with a secret an administrator pasted in (Zendesk's), or undefined. */
export function signingSecretProblem(kind: IntegrationKind, secret: string): string | undefined {
  if (kind === 'generic') {
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
    if (!match || Buffer.from(match[1], 'base64').length < 24)
      return 'A Standard Webhooks secret looks like whsec_<base64 of at least 24 bytes>.';
    return undefined;
  }
  if (
    secret.length < 16 ||
    secret.length > 200 ||
    /\s/.test(secret) ||
    hasControlCharacters(secret)
  )
    return 'A signing secret has 16 to 200 characters, with no spaces or control characters.';
  return undefined;
}

/** 0–99, the same for the same ticket every time: a retried job samples the same way. */
export function samplingBucket(appSecret: string, integrationId: string, ticketId: string): number {
  return (
    keyedHash(appSecret, 'ticket-sampling', `${integrationId}\n${ticketId}`).readUInt32BE(0) % 100
  );
}
