import { csrfToken, csrfValid, newCsrfNonce } from './csrf';

describe('csrf', () => {
  const secret = 's'.repeat(40);
  it('accepts the token made for the same nonce and scope only', () => {
    const nonce = newCsrfNonce();
    const token = csrfToken(secret, nonce, '/s/abc');
    expect(csrfValid(secret, nonce, '/s/abc', token)).toBe(true);
    expect(csrfValid(secret, nonce, '/s/abd', token)).toBe(false);
    expect(csrfValid(secret, newCsrfNonce(), '/s/abc', token)).toBe(false);
    expect(csrfValid('t'.repeat(40), nonce, '/s/abc', token)).toBe(false);
    expect(csrfValid(secret, nonce, '/s/abc', token.slice(1))).toBe(false);
    expect(csrfValid(secret, undefined, '/s/abc', token)).toBe(false);
    expect(csrfValid(secret, nonce, '/s/abc', ['x'])).toBe(false);
  });
});
