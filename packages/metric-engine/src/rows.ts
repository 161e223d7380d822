/**
 * What the engine derives from a batch, one row per table key. Stores upsert these by key:
 * counts and sums are added, minimums and maximums folded, sketches merged, so a row derived
 * from part of a window merges into the row already stored for it.
 */

/** Exact integer money: amounts are at most 1e12 each, so sums outgrow a double; bigint keeps them exact. */
export type MinorUnits = bigint;

export interface PaymentMetricsKey {
  /** Epoch milliseconds of the window's start, a multiple of 300,000. */
  readonly windowStartMs: number;
  readonly merchantId: string;
  readonly paymentMethod: string;
  /** `'none'` for methods other than card. */
  readonly cardBrand: string;
  readonly currency: string;
  readonly country: string;
  readonly channel: string;
}

export interface PaymentMetricsRow extends PaymentMetricsKey {
  readonly txnCount: number;
  readonly approvedCount: number;
  readonly declinedCount: number;
  readonly errorCount: number;
  readonly amountMinorSum: MinorUnits;
  readonly approvedAmountMinorSum: MinorUnits;
  readonly latencyMsSum: number;
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
}

/** Dimension values by name; stores write them as jsonb with keys sorted. */
export type Dimensions = Readonly<Record<string, string>>;

export interface DynamicMetricRow {
  readonly windowStartMs: number;
  readonly metricName: string;
  readonly dimensions: Dimensions;
  readonly valueCount: number;
  readonly valueSum: number;
  readonly valueMin: number;
  readonly valueMax: number;
}

/**
 * A DDSketch in its stored form: sparse bins keyed by the logarithmic index of the mapping
 * with the given relative accuracy, plus the count of zeros. Two stored sketches with the same
 * accuracy merge by adding counts per key, which PostgreSQL can do without an extension.
 */
export interface StoredSketch {
  readonly relativeAccuracy: number;
  readonly zeroCount: number;
  readonly bins: Readonly<Record<string, number>>;
}

export type HistogramMetric = 'processor_latency_ms' | 'amount_minor';

export interface HistogramRow {
  readonly windowStartMs: number;
  readonly metricName: HistogramMetric;
  readonly dimensions: Dimensions;
  readonly count: number;
  /** Exact for amounts (integers), a double sum for latency. */
  readonly sum: number | bigint;
  readonly min: number;
  readonly max: number;
  readonly sketch: StoredSketch;
}

/** Everything one batch contributes to the metric tables. */
export interface BatchMetrics {
  readonly paymentMetrics: readonly PaymentMetricsRow[];
  readonly dynamicMetrics: readonly DynamicMetricRow[];
  readonly histograms: readonly HistogramRow[];
  /** Distinct window starts (epoch ms) the batch touched, ascending. */
  readonly windowsTouched: readonly number[];
}
