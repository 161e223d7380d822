import { DDSketch } from '@datadog/sketches-js';
import { Random } from '@paymetrics/scenarios';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredSketch } from './rows.js';
import { sketchMapping } from './sketch-mapping.js';
import {
  DEFAULT_RELATIVE_ACCURACY,
  mergeStoredSketches,
  SketchAccumulator,
  storedSketchCount,
  storedSketchQuantile,
} from './stored-sketch.js';

function sketchOf(values: readonly number[], accuracy = DEFAULT_RELATIVE_ACCURACY): StoredSketch {
  const sketch = new SketchAccumulator(accuracy);
  for (const value of values) sketch.add(value);
  return sketch.toStored();
}

function logNormal(count: number, seed: number, mu = 5, sigma = 1): number[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => random.logNormal(Math.exp(mu), sigma));
}

const quantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

describe('sketch mapping', () => {
  it('computes the same index and representative value as @datadog/sketches-js', () => {
    const reference = new DDSketch({ relativeAccuracy: 0.01 }).mapping;
    const ours = sketchMapping(0.01);
    const random = new Random(3);
    for (let i = 0; i < 20_000; i++) {
      const value = 10 ** (random.float() * 16 - 4);
      expect(ours.index(value)).toBe(reference.key(value));
    }
    for (let index = -500; index <= 3000; index += 7) expect(ours.value(index)).toBe(reference.value(index));
  });

  it('uses gamma = (1 + a) / (1 - a), index = ceil(log_gamma(v))', () => {
    const mapping = sketchMapping(0.01);
    expect(mapping.gamma).toBeCloseTo(1.01 / 0.99, 15);
    expect(mapping.index(1)).toBe(0);
    expect(mapping.index(mapping.gamma ** 10 * 1.000001)).toBe(11);
    expect(mapping.value(5)).toBeCloseTo((2 * mapping.gamma ** 5) / (mapping.gamma + 1), 12);
  });
});

describe('stored sketches', () => {
  it('answers quantiles within 1% relative error of the exact values on log-normal data', () => {
    const values = logNormal(50_000, 11, 5, 1.2);
    const sketch = sketchOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of quantiles) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      const estimate = storedSketchQuantile(sketch, q)!;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('gives the same quantiles as @datadog/sketches-js for the same values', () => {
    const values = logNormal(5000, 5, 3, 2);
    const reference = new DDSketch({ relativeAccuracy: 0.01 });
    for (const value of values) reference.accept(value);
    const sketch = sketchOf(values);
    for (const q of quantiles) expect(storedSketchQuantile(sketch, q)).toBe(reference.getValueAtQuantile(q));
  });

  it('merges 288 five-minute sketches into exactly one sketch over the same values', () => {
    const days = logNormal(288 * 40, 23, 4, 1.5);
    const slices = Array.from({ length: 288 }, (_, i) => days.slice(i * 40, (i + 1) * 40));
    slices[17] = [0, 0, ...slices[17]!];
    const all = slices.flat();
    const merged = slices.map((slice) => sketchOf(slice)).reduce(mergeStoredSketches);
    const single = sketchOf(all);
    expect(merged).toEqual(single);
    expect(storedSketchCount(merged)).toBe(all.length);
    for (const q of quantiles) expect(storedSketchQuantile(merged, q)).toBe(storedSketchQuantile(single, q));
  });

  it('merges commutatively and associatively', () => {
    const values = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e12, noNaN: true })), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const [sa, sb, sc] = [sketchOf(a), sketchOf(b), sketchOf(c)];
        expect(mergeStoredSketches(sa, sb)).toEqual(mergeStoredSketches(sb, sa));
        expect(mergeStoredSketches(mergeStoredSketches(sa, sb), sc)).toEqual(
          mergeStoredSketches(sa, mergeStoredSketches(sb, sc)),
        );
        expect(mergeStoredSketches(mergeStoredSketches(sa, sb), sc)).toEqual(sketchOf([...a, ...b, ...c]));
      }),
    );
  });

  it('refuses to merge sketches of different accuracy', () => {
    expect(() => mergeStoredSketches(sketchOf([1]), sketchOf([1], 0.02))).toThrow(
      /relative accuracy 0.01 and 0.02/,
    );
  });

  it('returns undefined for an empty sketch and 0 for ranks in the zero bin', () => {
    expect(storedSketchQuantile(sketchOf([]), 0.5)).toBeUndefined();
    const sketch = sketchOf([0, 0, 0, 100]);
    expect(sketch.zeroCount).toBe(3);
    expect(storedSketchQuantile(sketch, 0.5)).toBe(0);
    expect(storedSketchQuantile(sketch, 1)! / 100).toBeCloseTo(1, 1);
    expect(() => storedSketchQuantile(sketch, 1.5)).toThrow(RangeError);
  });

  it('stores bins keyed by the decimal index', () => {
    const sketch = sketchOf([0.5, 1, 1, 150]);
    const mapping = sketchMapping(0.01);
    expect(sketch.bins).toEqual({
      [String(mapping.index(0.5))]: 1,
      '0': 2,
      [String(mapping.index(150))]: 1,
    });
    expect(mapping.index(0.5)).toBeLessThan(0);
  });
});
