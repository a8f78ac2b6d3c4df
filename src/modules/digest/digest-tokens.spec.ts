import { readUnsubscribeToken, unsubscribeToken } from './digest-tokens';

describe('unsubscribe tokens', () => {
  const secret = 'a-secret-of-at-least-thirty-two-characters!';
  const id = '3f2b8c1e-0a4d-4e6f-9b7a-1c2d3e4f5a6b';

  it('name the person they were made for', () => {
    expect(readUnsubscribeToken(secret, unsubscribeToken(secret, id))).toBe(id);
  });

  it('refuse a changed id, a changed mac, another secret and junk', () => {
    const token = unsubscribeToken(secret, id);
    const other = '3f2b8c1e-0a4d-4e6f-9b7a-1c2d3e4f5a6c';
    expect(readUnsubscribeToken(secret, `${other}.${token.split('.')[1]}`)).toBeUndefined();
    expect(readUnsubscribeToken(secret, `${token}x`)).toBeUndefined();
    expect(readUnsubscribeToken(`${secret}?`, token)).toBeUndefined();
    expect(readUnsubscribeToken(secret, 'nothing')).toBeUndefined();
    expect(readUnsubscribeToken(secret, `${token}.more`)).toBeUndefined();
  });
});
