import { hashToken, looksLikeToken, newToken } from './tokens';

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
