import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane). */
const PARAMS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...PARAMS, outputType: 'encoded' });
}

export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || password.length === 0) {
    // Spend the same time when there is no such account, so timing does not tell who exists.
    await hashPassword(password || 'no password given');
    return false;
  }
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

/** What is wrong with a new password, or undefined. */
export function passwordProblem(password: unknown, email?: string): string | undefined {
  if (typeof password !== 'string') return 'The password must be text.';
  if ([...password].length < PASSWORD_MIN)
    return `The password must be at least ${PASSWORD_MIN} characters long.`;
  if (password.length > PASSWORD_MAX)
    return `The password must be at most ${PASSWORD_MAX} characters long.`;
  if (
    email &&
    password.toLowerCase().includes(email.toLowerCase().split('@')[0]) &&
    email.split('@')[0].length >= 4
  ) {
    return 'The password must not contain your e-mail name.';
  }
  return undefined;
}

/** A readable random password, for accounts created from the command line or the demo. */
export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}
