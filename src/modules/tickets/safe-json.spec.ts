import { parseWebhookJson, WEBHOOK_JSON_LIMITS } from './safe-json';

describe('parsing a verified webhook body', () => {
  it('accepts a JSON object', () => {
    expect(parseWebhookJson(Buffer.from('{"a":[1,{"b":"c"}]}'))).toEqual({
      value: { a: [1, { b: 'c' }] },
    });
  });

  const { arrayLength, stringLength, keys } = WEBHOOK_JSON_LIMITS;
  const manyKeys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',')}}`;

  it('accepts a body at each limit', () => {
    for (const body of [
      `{"a":[${Array(arrayLength).fill(0).join(',')}]}`,
      `{"a":"${'x'.repeat(stringLength)}"}`,
      manyKeys(keys),
    ])
      expect(parseWebhookJson(Buffer.from(body))).toHaveProperty('value');
  });

  it.each([
    ['malformed JSON', '{"a":', 'webhook.malformed_json', 'invalid'],
    ['a JSON array', '[1,2]', 'webhook.malformed_json', 'invalid'],
    [
      'invalid UTF-8',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      'webhook.malformed_json',
      'invalid',
    ],
    [
      'deep nesting',
      `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`,
      'webhook.rejected_input',
      'invalid',
    ],
    ['a NUL character', '{"a":"x\\u0000y"}', 'webhook.rejected_input', 'invalid'],
    ['__proto__', '{"ticket":{"__proto__":{"admin":true}}}', 'webhook.forbidden_key', 'invalid'],
    ['constructor', '{"constructor":{"prototype":{"x":1}}}', 'webhook.forbidden_key', 'invalid'],
    [
      'an array one element too long',
      `{"a":{"b":[${Array(arrayLength + 1)
        .fill(0)
        .join(',')}]}}`,
      'webhook.array_too_long',
      'too_large',
    ],
    [
      'a string one character too long',
      `{"a":["${'x'.repeat(stringLength + 1)}"]}`,
      'webhook.string_too_long',
      'too_large',
    ],
    [
      'a key one character too long',
      `{"${'k'.repeat(stringLength + 1)}":1}`,
      'webhook.string_too_long',
      'too_large',
    ],
    ['one key too many', manyKeys(keys + 1), 'webhook.too_many_keys', 'too_large'],
  ])('refuses %s', (_, body, code, kind) => {
    const result = parseWebhookJson(Buffer.isBuffer(body) ? body : Buffer.from(body));
    expect(result).toMatchObject({ code, kind, problem: expect.any(String) });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('names the limit, and repeats nothing of the body', () => {
    const array = parseWebhookJson(
      Buffer.from(`{"a":[${Array(60_000).fill('"secret@example.com"').join(',')}]}`),
    );
    expect(array).toMatchObject({
      problem: 'The body has an array of 60,000 elements; at most 2,000 are accepted.',
    });
    for (const body of [
      '{"requester":"secret@example.com" "x":1}',
      '{"requester":"secret@example.com",}',
      '{"requester":secret@example.com}',
      '{"requester":"secret@example.com"',
    ]) {
      const result = parseWebhookJson(Buffer.from(body));
      expect(result).toMatchObject({ code: 'webhook.malformed_json' });
      expect(JSON.stringify(result)).not.toContain('secret');
    }
  });
});
