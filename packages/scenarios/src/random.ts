import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

/** A seeded source of the draws a scenario needs; the same seed gives the same scenario. */
export class Random {
  readonly #rng: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.#rng = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#rng);
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return uniformInt(this.#rng, min, max);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)]!;
  }

  /** Draws from a table prepared by `cumulative()`. */
  pickWeighted<T>(table: CumulativeTable<T>): T {
    const target = this.float() * table.total;
    const { bounds, values } = table;
    let low = 0;
    let high = bounds.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (bounds[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return values[low]!;
  }

  /** Standard normal by Box-Muller. */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A version-4 UUID made from this generator's draws. */
  uuid(): string {
    let hex = '';
    for (let i = 0; i < 4; i++) hex += (this.int(0, 0xffffffff) >>> 0).toString(16).padStart(8, '0');
    const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

export interface CumulativeTable<T> {
  readonly values: readonly T[];
  readonly bounds: readonly number[];
  readonly total: number;
}

export function cumulative<T>(entries: readonly Weighted<T>[]): CumulativeTable<T> {
  const values: T[] = [];
  const bounds: number[] = [];
  let total = 0;
  for (const { value, weight } of entries) {
    total += weight;
    values.push(value);
    bounds.push(total);
  }
  return { values, bounds, total };
}
