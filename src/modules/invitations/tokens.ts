import { createHash, randomBytes } from 'node:crypto';
import { keyedHash } from '../../common/crypto/sealing';

/** 256 random bits, URL-safe: 43 characters of base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Cheap shape check before any database work: anything else is the same 404. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * The link token of one mail: HMAC-SHA256 of the mail's id under a key derived from APP_SECRET
 * (256 bits, as random as newToken() to anyone without the secret). The same mail gets the same
 * link on every attempt, so that the copy a crashed sender left at the server keeps working when
 * the mail goes again; another mail (a reminder) gets another link. Someone holding the secret
 * and the database could compute the link of an unanswered invitation, and answer in its name —
 * but they could already write a sealed pending answer, so this gives them nothing new.
 */
export function mailLinkToken(appSecret: string, mailId: string): string {
  return keyedHash(appSecret, 'mail-link-token', mailId).toString('base64url');
}
