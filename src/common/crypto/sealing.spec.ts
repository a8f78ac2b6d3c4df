import { openJson, sealJsonAtSize } from './sealing';

const SECRET = 'a-secret-for-this-test-0123456789abcdef';

describe('sealJsonAtSize', () => {
  it('seals every value at one length, and opens it back', () => {
    const values = [{}, { text: 'あ'.repeat(100) }, { text: '"\\'.repeat(100) }];
    const sealed = values.map((v) => sealJsonAtSize(SECRET, 'test', v, 512));
    expect(sealed.map((s) => s?.length)).toEqual([540, 540, 540]); // IV, tag, 512 bytes
    expect(sealed.map((s) => openJson(SECRET, 'test', s!))).toEqual(values);
  });

  it('fills the size exactly, and refuses what does not fit', () => {
    const exact = { t: 'x'.repeat(504) }; // {"t":""} is 8 bytes
    expect(openJson(SECRET, 'test', sealJsonAtSize(SECRET, 'test', exact, 512)!)).toEqual(exact);
    expect(sealJsonAtSize(SECRET, 'test', { t: 'x'.repeat(505) }, 512)).toBeUndefined();
  });
});
