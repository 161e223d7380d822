import padjust from '@stdlib/stats-padjust';

/** What the false-discovery control needs of a test. */
export interface FamilyMember {
  readonly pValue: number;
  readonly minPValue: number;
}

/**
 * Benjamini-Hochberg adjusted p-values over one window's tests, with Tarone's pruning for
 * discrete tests (Gilbert 2005): a test whose smallest possible p-value is above q / K cannot be
 * rejected, so it leaves the family, K being the smallest size with at most K tests able to
 * reach q / K; BH then runs over those tests with K as the family size. Tests left out get
 * adjusted p-value 1. A merchant with three transactions thus neither raises an alarm nor makes
 * every other test pay for it.
 */
export function adjustedPValues(tests: readonly FamilyMember[], q: number): number[] {
  const minima = tests.map((t) => t.minPValue).sort((a, b) => a - b);
  let size = 1;
  // Tests able to reach q / size, for increasing size: the first size that holds them all.
  while (size < minima.length && countAtMost(minima, q / size) > size) size++;
  const cutoff = q / size;
  const family = tests.flatMap((t, i) => (t.minPValue <= cutoff ? [i] : []));
  const adjusted = tests.map(() => 1);
  if (family.length === 0) return adjusted;
  const bh = padjust(
    family.map((i) => tests[i]!.pValue),
    'bh',
  );
  family.forEach((testIndex, j) => {
    adjusted[testIndex] = Math.min(1, (bh[j]! * size) / family.length);
  });
  return adjusted;
}

/** How many of the sorted values are at most x. */
function countAtMost(sorted: readonly number[], x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}
