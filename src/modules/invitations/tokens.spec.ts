import { hashToken, looksLikeToken, mailLinkToken, newToken } from './tokens';

describe('link tokens', () => {
  it('carry 256 random bits and hash to 32 bytes', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(looksLikeToken(token)).toBe(true);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(hashToken('x')).toHaveLength(32);
  });

  it('refuses anything else before touching the database', () => {
    for (const bad of [
      '',
      'short',
      'a'.repeat(44),
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)}/`,
      "' OR 1=1 --".padEnd(43, 'x'),
    ]) {
      expect(looksLikeToken(bad)).toBe(false);
    }
  });
});

describe('mailLinkToken', () => {
  it('is the same for one mail on every attempt, another for another mail, and looks like any token', () => {
    const a = mailLinkToken('s'.repeat(32), '6f1c2a1e-0000-4000-8000-000000000001');
    expect(mailLinkToken('s'.repeat(32), '6f1c2a1e-0000-4000-8000-000000000001')).toBe(a);
    expect(mailLinkToken('s'.repeat(32), '6f1c2a1e-0000-4000-8000-000000000002')).not.toBe(a);
    expect(mailLinkToken('t'.repeat(32), '6f1c2a1e-0000-4000-8000-000000000001')).not.toBe(a);
    expect(looksLikeToken(a)).toBe(true);
  });
});
