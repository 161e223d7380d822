import {
  type BatchMetrics,
  compareStrings,
  type DynamicMetricRow,
  type HistogramRow,
  mergeDynamicMetricRows,
  mergeHistogramRows,
  mergePaymentMetricsRows,
  type PaymentMetricsRow,
} from '../src/index.js';

/**
 * Merges batch outputs row by row the way a store upserts them (counts and sums added,
 * min/max folded, sketches merged), then sorts like derive() does.
 */
export function mergeBatches(batches: readonly BatchMetrics[]): BatchMetrics {
  const payments = new Map<string, PaymentMetricsRow>();
  const dynamic = new Map<string, DynamicMetricRow>();
  const histograms = new Map<string, HistogramRow>();
  const windows = new Set<number>();
  for (const batch of batches) {
    for (const row of batch.paymentMetrics) {
      const key = JSON.stringify([
        row.windowStartMs,
        row.merchantId,
        row.paymentMethod,
        row.cardBrand,
        row.currency,
        row.country,
        row.channel,
      ]);
      const old = payments.get(key);
      payments.set(key, old === undefined ? row : mergePaymentMetricsRows(old, row));
    }
    for (const row of batch.dynamicMetrics) {
      const key = JSON.stringify([row.windowStartMs, row.metricName, row.dimensions]);
      const old = dynamic.get(key);
      dynamic.set(key, old === undefined ? row : mergeDynamicMetricRows(old, row));
    }
    for (const row of batch.histograms) {
      const key = JSON.stringify([row.windowStartMs, row.metricName, row.dimensions]);
      const old = histograms.get(key);
      histograms.set(key, old === undefined ? row : mergeHistogramRows(old, row));
    }
    for (const window of batch.windowsTouched) windows.add(window);
  }
  const byKey = <T>(map: Map<string, T>) =>
    [...map.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, row]) => row);
  return {
    paymentMetrics: byKey(payments),
    dynamicMetrics: byKey(dynamic),
    histograms: byKey(histograms),
    windowsTouched: [...windows].sort((a, b) => a - b),
  };
}

/** The same rows in a canonical order, to compare two outputs regardless of how each was sorted. */
export function canonical(metrics: BatchMetrics): BatchMetrics {
  return mergeBatches([metrics]);
}
