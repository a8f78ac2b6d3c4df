import { inputProblem, MAX_INPUT_DEPTH } from './input-guard.pipe';

describe('inputProblem', () => {
  it('accepts ordinary input', () => {
    expect(inputProblem({ a: ['x', { b: 1 }], c: null, d: 'héllo\nworld' })).toBeUndefined();
  });

  it('finds a NUL character in values and keys, at any depth', () => {
    expect(inputProblem('a\u0000b')).toMatch(/NUL/);
    expect(inputProblem({ list: [{ name: 'x\u0000' }] })).toMatch(/NUL/);
    expect(inputProblem({ ['k\u0000']: 1 })).toMatch(/NUL/);
  });

  it('finds a lone surrogate, and accepts characters written as surrogate pairs', () => {
    for (const lone of ['a\ud800b', '\udfff', 'x\ud83d', '\ude00y', '\ud800\ud800\udc00'])
      expect(inputProblem({ text: lone })).toMatch(/lone surrogate/);
    expect(inputProblem({ text: 'fine 😀 \ud83d\ude00 あ گ' })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without walking it all', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inputProblem(deep)).toMatch(/nested more than/);
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) ok = [ok];
    expect(inputProblem(ok)).toBeUndefined();
  });
});
