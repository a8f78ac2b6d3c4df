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

export type PasswordProblem = 'not_text' | 'too_short' | 'too_long' | 'has_email_name';

/** Which rule a new password breaks (pages translate it by this name), or undefined. */
export function passwordProblemKind(
  password: unknown,
  email?: string,
): PasswordProblem | undefined {
  if (typeof password !== 'string') return 'not_text';
  if ([...password].length < PASSWORD_MIN) return 'too_short';
  if (password.length > PASSWORD_MAX) return 'too_long';
  if (
    email &&
    password.toLowerCase().includes(email.toLowerCase().split('@')[0]) &&
    email.split('@')[0].length >= 4
  ) {
    return 'has_email_name';
  }
  return undefined;
}

const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  not_text: 'The password must be text.',
  too_short: `The password must be at least ${PASSWORD_MIN} characters long.`,
  too_long: `The password must be at most ${PASSWORD_MAX} characters long.`,
  has_email_name: 'The password must not contain your e-mail name.',
};

/** What is wrong with a new password, or undefined. */
export function passwordProblem(password: unknown, email?: string): string | undefined {
  const kind = passwordProblemKind(password, email);
  return kind && PASSWORD_PROBLEMS[kind];
}

/** A readable random password, for accounts created from the command line or the demo. */
export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}
