/**
 * Sums of integer amounts (each at most 1e12) kept exact without a BigInt operation per event:
 * the running total stays a double while it cannot lose precision and is folded into a bigint
 * before it could. Below FOLD_AT plus one more amount of at most 1e12 is still below 2^53.
 */
const FOLD_AT = Number.MAX_SAFE_INTEGER - 1e12;

export class ExactSum {
  small = 0;
  big = 0n;

  add(amount: number): void {
    this.small += amount;
    if (this.small > FOLD_AT) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  total(): bigint {
    return this.big + BigInt(this.small);
  }
}
