import { parseLsn } from './replica-health';

describe('parseLsn', () => {
  it('orders WAL positions as PostgreSQL does, past 32 bits', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/31AA268')).toBe(0x31aa268n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });
});
