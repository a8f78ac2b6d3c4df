import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { hasControlCharacters } from '../../common/text';
import type { IntegrationKind } from './entities/integration.entity';

/** A key for one purpose, derived (HKDF-SHA256) from APP_SECRET. */
function keyOf(appSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', appSecret, 'inpulse', purpose, 32));
}

/**
 * Signing secrets must be readable again to verify an HMAC, so they are sealed with AES-256-GCM
 * under a key derived from APP_SECRET, never stored in clear.
 */
export function sealSecret(appSecret: string, secret: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(appSecret, 'integration-secret'), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
}

/** The secret, or undefined when it cannot be opened (e.g. sealed under another APP_SECRET). */
export function openSecret(appSecret: string, sealed: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyOf(appSecret, 'integration-secret'),
      sealed.subarray(0, 12),
    );
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
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

/**
 * The requester as a keyed hash (HMAC-SHA256 under a key derived from APP_SECRET): enough to
 * recognise the same person for the throttle, useless to anyone without the key.
 */
export function requesterHash(appSecret: string, requester: string): Buffer {
  return createHmac('sha256', keyOf(appSecret, 'ticket-requester'))
    .update(requester.trim().toLowerCase(), 'utf8')
    .digest();
}

/** 0–99, the same for the same ticket every time: a retried job samples the same way. */
export function samplingBucket(appSecret: string, integrationId: string, ticketId: string): number {
  const digest = createHmac('sha256', keyOf(appSecret, 'ticket-sampling'))
    .update(`${integrationId}\n${ticketId}`, 'utf8')
    .digest();
  return digest.readUInt32BE(0) % 100;
}
