import type { StoredSketch } from './rows.js';
import { sketchMapping } from './sketch-mapping.js';

export const DEFAULT_RELATIVE_ACCURACY = 0.01;

/**
 * An empty bins object that V8 keeps in dictionary mode. Bin indexes are integer-like keys, so a
 * plain `{}` would store them as array elements: the first bin at index 700 allocates a holey
 * array of ~700 slots, about 6 KB for a sketch of a few bins (a batch of 5,000 new keys held
 * 48 MB of histogram rows). One huge index, deleted again, switches the object to a hash table.
 */
function sparseBins(): Record<string, number> {
  const bins: Record<string, number> = {};
  bins[2 ** 30] = 0;
  delete bins[2 ** 30];
  return bins;
}

/** Builds one sketch from values (never negative, per the event contract). */
export class SketchAccumulator {
  readonly #mapping;
  readonly #bins = new Map<number, number>();
  zeroCount = 0;

  constructor(relativeAccuracy: number) {
    this.#mapping = sketchMapping(relativeAccuracy);
  }

  add(value: number): void {
    if (value > this.#mapping.minIndexableValue) {
      const index = this.#mapping.index(value);
      this.#bins.set(index, (this.#bins.get(index) ?? 0) + 1);
    } else {
      this.zeroCount++;
    }
  }

  /** Bins are inserted in ascending index order so the JSON text is deterministic (jsonb reorders keys anyway). */
  toStored(): StoredSketch {
    const bins = sparseBins();
    for (const index of [...this.#bins.keys()].sort((a, b) => a - b))
      bins[String(index)] = this.#bins.get(index)!;
    return { relativeAccuracy: this.#mapping.relativeAccuracy, zeroCount: this.zeroCount, bins };
  }
}

/** Adds counts per bin index: exact, commutative and associative, like paymetrics_merge_sketches in SQL. */
export function mergeStoredSketches(a: StoredSketch, b: StoredSketch): StoredSketch {
  if (a.relativeAccuracy !== b.relativeAccuracy) {
    throw new RangeError(
      `cannot merge sketches with relative accuracy ${a.relativeAccuracy} and ${b.relativeAccuracy}`,
    );
  }
  const totals = new Map<number, number>();
  for (const sketch of [a, b]) {
    for (const key of Object.keys(sketch.bins)) {
      const index = Number(key);
      totals.set(index, (totals.get(index) ?? 0) + sketch.bins[key]!);
    }
  }
  const bins = sparseBins();
  for (const index of [...totals.keys()].sort((x, y) => x - y)) bins[String(index)] = totals.get(index)!;
  return { relativeAccuracy: a.relativeAccuracy, zeroCount: a.zeroCount + b.zeroCount, bins };
}

export function storedSketchCount(sketch: StoredSketch): number {
  let count = sketch.zeroCount;
  for (const key of Object.keys(sketch.bins)) count += sketch.bins[key]!;
  return count;
}

/**
 * The DDSketch rank rule: the representative value of the bin holding rank q * (count - 1),
 * counting the zero bin first. Undefined for an empty sketch.
 */
export function storedSketchQuantile(sketch: StoredSketch, q: number): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be between 0 and 1, got ${q}`);
  const count = storedSketchCount(sketch);
  if (count === 0) return undefined;
  const rank = q * (count - 1);
  if (rank < sketch.zeroCount) return 0;
  const mapping = sketchMapping(sketch.relativeAccuracy);
  const indexes = Object.keys(sketch.bins)
    .map(Number)
    .sort((x, y) => x - y);
  let seen = sketch.zeroCount;
  for (const index of indexes) {
    seen += sketch.bins[String(index)]!;
    if (seen > rank) return mapping.value(index);
  }
  // Only reachable through floating-point rounding of rank; the last bin holds the maximum.
  return mapping.value(indexes[indexes.length - 1]!);
}
