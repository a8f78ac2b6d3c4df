import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of a secret: what is stored of session ids, link tokens and API tokens. */
export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
/** A fresh random secret (256 bits, base64url). */
export const secret = () => randomBytes(32).toString('base64url');
