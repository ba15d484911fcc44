import { boundaryBase } from './mail-transport';

describe('boundaryBase (the random part of multipart boundaries)', () => {
  it('gives 16 hex digits, different for every message', () => {
    const bases = Array.from({ length: 2000 }, () => boundaryBase());
    expect(bases.every((b) => /^[0-9a-f]{16}$/.test(b))).toBe(true);
    expect(new Set(bases).size).toBe(bases.length);
  });
});
