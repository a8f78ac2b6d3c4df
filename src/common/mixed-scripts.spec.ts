import { mixedScripts } from './mixed-scripts';

describe('addresses that mix scripts (UTS #39, highly restrictive, per part)', () => {
  it.each([
    ['plain ASCII', 'maria.lopez+it@example.com'],
    ['one script per part', 'иван@пример.рф'],
    ['Latin local part, Cyrillic domain', 'ivan@пример.рф'],
    ['Greek with digits and punctuation', 'αλέξης.7@example.gr'],
    ['Latin with accents (combining marks are inherited)', 'jose\u0301@example.es'],
    ['Japanese: Han, Hiragana, Katakana and Latin', '山田たろうタロウ.taro@example.jp'],
    ['Korean: Hangul, Han and Latin', '김민준kim@example.kr'],
    ['Persian', 'مریم@example.ir'],
  ])('accepts %s', (_, address) => {
    expect(mixedScripts(address)).toBeUndefined();
  });

  it.each([
    ['a Cyrillic "а" among Latin letters', 'm\u0430ria@example.com', ['Latin', 'Cyrillic']],
    ['a Cyrillic "о" in a domain label', 'maria@ex\u0430mple.com', ['Latin', 'Cyrillic']],
    ['a Greek "ο" among Latin letters', 'b\u03bfb@example.com', ['Latin', 'Greek']],
    ['Cyrillic with Greek', '\u0430\u03b1@example.com', ['Cyrillic', 'Greek']],
    ['Hangul with Katakana', '김タ@example.kr', ['Hangul', 'Katakana']],
    [
      'an unassigned code point among Latin letters',
      'ma\u0378ria@example.com',
      ['Latin', 'Unknown'],
    ],
  ])('refuses %s', (_, address, scripts) => {
    expect(mixedScripts(address)).toEqual(scripts);
  });
});
