import { parseWebhookJson } from './safe-json';

describe('parsing a verified webhook body', () => {
  it('accepts a JSON object', () => {
    expect(parseWebhookJson(Buffer.from('{"a":[1,{"b":"c"}]}'))).toEqual({
      value: { a: [1, { b: 'c' }] },
    });
  });

  it.each([
    ['malformed JSON', '{"a":', 'webhook.malformed_json'],
    ['a JSON array', '[1,2]', 'webhook.malformed_json'],
    [
      'invalid UTF-8',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      'webhook.malformed_json',
    ],
    ['deep nesting', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`, 'webhook.rejected_input'],
    ['a NUL character', '{"a":"x\\u0000y"}', 'webhook.rejected_input'],
    ['__proto__', '{"ticket":{"__proto__":{"admin":true}}}', 'webhook.forbidden_key'],
    ['constructor', '{"constructor":{"prototype":{"x":1}}}', 'webhook.forbidden_key'],
  ])('refuses %s', (_, body, code) => {
    const result = parseWebhookJson(Buffer.isBuffer(body) ? body : Buffer.from(body));
    expect(result).toMatchObject({ code, problem: expect.any(String) });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
