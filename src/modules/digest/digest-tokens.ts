import { timingSafeEqual } from 'node:crypto';
import { keyedHash } from '../../common/crypto/sealing';

const PURPOSE = 'digest-unsubscribe';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The unsubscribe token of a person: their account id and an HMAC of it under a key derived
 * from APP_SECRET. It only ever switches that person's digest off or on again, so it need not
 * expire; it is made when a mail is sent, never stored.
 */
export function unsubscribeToken(appSecret: string, userId: string): string {
  return `${userId}.${keyedHash(appSecret, PURPOSE, userId).subarray(0, 16).toString('base64url')}`;
}

/** The account id a token is for, or undefined when it is not one of ours. */
export function readUnsubscribeToken(appSecret: string, token: string): string | undefined {
  const [userId, mac, ...rest] = token.split('.');
  if (rest.length > 0 || !userId || !mac || !UUID.test(userId)) return undefined;
  const expected = keyedHash(appSecret, PURPOSE, userId).subarray(0, 16);
  const given = Buffer.from(mac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? userId : undefined;
}
