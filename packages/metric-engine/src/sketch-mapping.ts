/**
 * The DDSketch logarithmic index mapping, owned here rather than imported.
 *
 * Why not @datadog/sketches-js's LogarithmicMapping: its package entry exports only DDSketch
 * (the mapping classes sit behind a deep CommonJS path with no `exports` map), and the index is
 * a persistent format: stored sketches are merged in SQL by adding counts per index, possibly
 * years apart, so the function must never change under a dependency upgrade. It is written out
 * with exactly the library's arithmetic (gamma = (1+a)/(1-a), index = ceil(log2(v) * ln2 /
 * log1p(gamma - 1)), i.e. ceil(log_gamma(v))), and stored-sketch.test.ts ('sketch mapping')
 * checks it matches the library's `DDSketch.mapping` index and value, value for value.
 */
export interface SketchMapping {
  readonly relativeAccuracy: number;
  readonly gamma: number;
  /** Values at or below this (and zero) are counted in the zero bin, as DDSketch does. */
  readonly minIndexableValue: number;
  index(value: number): number;
  /** Representative value of a bin: 2 * gamma^i / (gamma + 1), within the relative accuracy of every value in it. */
  value(index: number): number;
}

const MIN_NORMAL_DOUBLE = 2 ** -1023;
const mappings = new Map<number, SketchMapping>();

export function sketchMapping(relativeAccuracy: number): SketchMapping {
  const cached = mappings.get(relativeAccuracy);
  if (cached) return cached;
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new RangeError(`relative accuracy must be between 0 and 1 (exclusive), got ${relativeAccuracy}`);
  }
  const gammaMantissa = (2 * relativeAccuracy) / (1 - relativeAccuracy);
  const gamma = 1 + gammaMantissa;
  const multiplier = Math.log(2) / Math.log1p(gammaMantissa);
  const representativeFactor = 2 / (1 + gamma);
  const mapping: SketchMapping = {
    relativeAccuracy,
    gamma,
    minIndexableValue: MIN_NORMAL_DOUBLE * gamma,
    // `+ 0` turns ceil's -0 into 0, as the library's `+ offset` does.
    index: (value) => Math.ceil(Math.log2(value) * multiplier) + 0,
    value: (index) => 2 ** (index / multiplier) * representativeFactor,
  };
  mappings.set(relativeAccuracy, mapping);
  return mapping;
}
