import { describe, expect, it } from 'vitest';
import { adjustedPValues } from './false-discoveries.js';

describe('adjustedPValues', () => {
  it('is Benjamini-Hochberg when every test can reach the level', () => {
    const tests = [0.0001, 0.0004, 0.02, 0.5].map((pValue) => ({ pValue, minPValue: 1e-12 }));
    // BH: p(i) * m / i, made monotone from the top.
    const expected = [0.0004, 0.0008, 0.02 * (4 / 3), 0.5];
    const adjusted = adjustedPValues(tests, 0.01);
    for (const [i, p] of adjusted.entries()) expect(p).toBeCloseTo(expected[i]!, 12);
  });

  it('leaves out tests that cannot reach the level, so they cost the others nothing', () => {
    const strong = { pValue: 0.004, minPValue: 1e-9 };
    // A thousand tiny scopes: even their most extreme outcome could not be significant.
    const powerless = Array.from({ length: 1_000 }, () => ({ pValue: 0.9, minPValue: 0.05 }));
    const adjusted = adjustedPValues([strong, ...powerless], 0.005);
    expect(adjusted[0]).toBeCloseTo(0.004, 12);
    expect(adjusted.slice(1).every((p) => p === 1)).toBe(true);
    // Counted in the family, the same test would drown.
    const counted = adjustedPValues([strong, ...powerless.map((t) => ({ ...t, minPValue: 1e-9 }))], 0.005);
    expect(counted[0]).toBeGreaterThan(0.005);
  });

  it('sizes the family by Tarone: tests able to reach q / K, K the smallest size that holds them', () => {
    // Three tests can reach 0.01 / 3; a fourth could reach only 0.01 / 2, so K = 3 leaves it out.
    const tests = [
      { pValue: 0.001, minPValue: 1e-6 },
      { pValue: 0.002, minPValue: 1e-6 },
      { pValue: 0.2, minPValue: 1e-6 },
      { pValue: 0.004, minPValue: 0.004 },
    ];
    const adjusted = adjustedPValues(tests, 0.01);
    expect(adjusted[3]).toBe(1);
    expect(adjusted[0]).toBeCloseTo(0.003, 12);
    expect(adjusted[1]).toBeCloseTo(0.003, 12);
  });

  it('returns ones when no test has power', () => {
    expect(adjustedPValues([{ pValue: 0.5, minPValue: 0.5 }], 0.001)).toEqual([1]);
    expect(adjustedPValues([], 0.001)).toEqual([]);
  });
});
