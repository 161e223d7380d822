import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './score.js';

describe('adjustedRandIndex', () => {
  it('is 1 for the same partition under other names, about 0 for an unrelated one', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b', 'c'], ['x', 'x', 'y', 'y', 'z'])).toBe(1);
    // The textbook example (Hubert and Arabie's formula): 0.24242...
    expect(adjustedRandIndex(['0', '0', '0', '1', '1', '1'], ['0', '0', '1', '1', '2', '2'])).toBeCloseTo(
      0.2424242,
      6,
    );
    expect(adjustedRandIndex(['a', 'b', 'a', 'b'], ['x', 'x', 'y', 'y'])).toBeLessThan(0);
  });
});
