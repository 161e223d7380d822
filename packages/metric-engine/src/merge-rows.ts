import type { DynamicMetricRow, HistogramRow, PaymentMetricsRow } from './rows.js';
import { mergeStoredSketches } from './stored-sketch.js';

/**
 * How two rows with the same key combine, exactly as the stores' upserts combine a row with the
 * one already stored: counts and sums add, minimums and maximums fold, sketches merge.
 */
export function mergePaymentMetricsRows(a: PaymentMetricsRow, b: PaymentMetricsRow): PaymentMetricsRow {
  return {
    ...a,
    txnCount: a.txnCount + b.txnCount,
    approvedCount: a.approvedCount + b.approvedCount,
    declinedCount: a.declinedCount + b.declinedCount,
    errorCount: a.errorCount + b.errorCount,
    amountMinorSum: a.amountMinorSum + b.amountMinorSum,
    approvedAmountMinorSum: a.approvedAmountMinorSum + b.approvedAmountMinorSum,
    latencyMsSum: a.latencyMsSum + b.latencyMsSum,
    latencyMsMin: Math.min(a.latencyMsMin, b.latencyMsMin),
    latencyMsMax: Math.max(a.latencyMsMax, b.latencyMsMax),
  };
}

export function mergeDynamicMetricRows(a: DynamicMetricRow, b: DynamicMetricRow): DynamicMetricRow {
  return {
    ...a,
    valueCount: a.valueCount + b.valueCount,
    valueSum: a.valueSum + b.valueSum,
    valueMin: Math.min(a.valueMin, b.valueMin),
    valueMax: Math.max(a.valueMax, b.valueMax),
  };
}

export function mergeHistogramRows(a: HistogramRow, b: HistogramRow): HistogramRow {
  return {
    ...a,
    count: a.count + b.count,
    sum: addSums(a.sum, b.sum),
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sketch: mergeStoredSketches(a.sketch, b.sketch),
  };
}

/** Amount sums are bigint (exact), latency sums doubles: the sum keeps the type the engine gave it. */
function addSums(a: number | bigint, b: number | bigint): number | bigint {
  return typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a) + BigInt(b) : a + b;
}
