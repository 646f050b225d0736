import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countText } from '../../../shared/count-text';

describe('countText', () => {
  it('writes any whole number as en-US toLocaleString does', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 999, 1000, -1000, 999_999, 1_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)), (n) => {
      expect(countText(n)).toBe(n.toLocaleString('en-US'));
    }), { numRuns: 5000 });
    expect(countText(4_934_186)).toBe('4,934,186');
  });

  it('leaves other numbers to toLocaleString', () => {
    for (const n of [12.5, 1234.5678, -0.25, NaN, Infinity, 2 ** 60]) expect(countText(n)).toBe(n.toLocaleString('en-US'));
  });
});
