import {
  type BatchMetrics,
  compareStrings,
  type Dimensions,
  type DynamicMetricRow,
  type HistogramRow,
  mergeDynamicMetricRows,
  mergeHistogramRows,
  mergePaymentMetricsRows,
  type PaymentMetricsRow,
} from '@paymetrics/metric-engine';

/**
 * Rows as the upserts need them: one row per table key (PostgreSQL refuses an upsert that
 * touches the same row twice) and sorted by key, so that every writer takes row locks in the
 * same order and concurrent partitions cannot deadlock.
 */

/**
 * JSON text of the dimensions with keys sorted by code unit. Built by hand because a JS object
 * always lists integer-like keys ("1", "10") first, whatever order they were added in.
 */
export function canonicalDimensionsJson(dimensions: Dimensions): string {
  const keys = Object.keys(dimensions).sort(compareStrings);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(dimensions[key])}`).join(',')}}`;
}

type KeyPart = string | number;

/** Numbers by value, strings by UTF-16 code units (as compareStrings): the global lock order. */
const compareParts = (x: KeyPart, y: KeyPart): number => (x === y ? 0 : x < y ? -1 : 1);

function compareKeys(a: readonly KeyPart[], b: readonly KeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareParts(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Whether rows are strictly ascending by key, so already one per key and in lock order: the
 * engine derives them so, and one pass comparing neighbours is much cheaper than merging.
 */
function isStrictlyAscending(count: number, compare: (i: number, j: number) => number): boolean {
  for (let i = 1; i < count; i++) if (compare(i - 1, i) >= 0) return false;
  return true;
}

/** Rows in key order with equal keys merged: any caller's rows, not only the engine's. */
function mergeByKey<R>(
  rows: readonly R[],
  keyOf: (row: R) => readonly KeyPart[],
  merge: (a: R, b: R) => R,
): { readonly key: readonly KeyPart[]; readonly row: R }[] {
  const byKey = new Map<string, { key: readonly KeyPart[]; row: R }>();
  for (const row of rows) {
    const key = keyOf(row);
    // \u0000 cannot occur in PostgreSQL text, so the joined key is unambiguous.
    const id = key.join('\u0000');
    const seen = byKey.get(id);
    byKey.set(id, seen ? { key, row: merge(seen.row, row) } : { key, row });
  }
  return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key));
}

export interface PaymentMetricsColumns {
  readonly windowStart: string[];
  readonly merchantId: string[];
  readonly paymentMethod: string[];
  readonly cardBrand: string[];
  readonly currency: string[];
  readonly country: string[];
  readonly channel: string[];
  readonly txnCount: string[];
  readonly approvedCount: string[];
  readonly declinedCount: string[];
  readonly errorCount: string[];
  readonly amountMinorSum: string[];
  readonly approvedAmountMinorSum: string[];
  readonly latencyMsSum: string[];
  readonly latencyMsMin: string[];
  readonly latencyMsMax: string[];
}

/** Window starts travel as ISO text: exact to the millisecond, no float conversion in SQL. */
const isoCache = new Map<number, string>();

/** A batch touches a handful of windows, so the text per window start is built once, not per row. */
export function isoTimestamp(epochMs: number): string {
  let text = isoCache.get(epochMs);
  if (text === undefined) {
    text = new Date(epochMs).toISOString();
    // Bounded: a long-running process sees a new window every five minutes.
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(epochMs, text);
  }
  return text;
}

const paymentKey = (r: PaymentMetricsRow): KeyPart[] => [
  r.windowStartMs,
  r.merchantId,
  r.paymentMethod,
  r.cardBrand,
  r.currency,
  r.country,
  r.channel,
];

/**
 * compareKeys of two rows' paymentKey without building them: spelled out, because a loop over
 * the field names measured 5x slower (0.1 -> 0.5 ms per 5,000 rows). Keep the two in step.
 */
function comparePaymentKeys(a: PaymentMetricsRow, b: PaymentMetricsRow): number {
  return (
    compareParts(a.windowStartMs, b.windowStartMs) ||
    compareParts(a.merchantId, b.merchantId) ||
    compareParts(a.paymentMethod, b.paymentMethod) ||
    compareParts(a.cardBrand, b.cardBrand) ||
    compareParts(a.currency, b.currency) ||
    compareParts(a.country, b.country) ||
    compareParts(a.channel, b.channel)
  );
}

export function paymentMetricsColumns(rows: readonly PaymentMetricsRow[]): PaymentMetricsColumns {
  const merged = isStrictlyAscending(rows.length, (i, j) => comparePaymentKeys(rows[i]!, rows[j]!))
    ? rows
    : mergeByKey(rows, paymentKey, mergePaymentMetricsRows).map(({ row }) => row);
  const columns: PaymentMetricsColumns = {
    windowStart: [],
    merchantId: [],
    paymentMethod: [],
    cardBrand: [],
    currency: [],
    country: [],
    channel: [],
    txnCount: [],
    approvedCount: [],
    declinedCount: [],
    errorCount: [],
    amountMinorSum: [],
    approvedAmountMinorSum: [],
    latencyMsSum: [],
    latencyMsMin: [],
    latencyMsMax: [],
  };
  for (const row of merged) {
    columns.windowStart.push(isoTimestamp(row.windowStartMs));
    columns.merchantId.push(row.merchantId);
    columns.paymentMethod.push(row.paymentMethod);
    columns.cardBrand.push(row.cardBrand);
    columns.currency.push(row.currency);
    columns.country.push(row.country);
    columns.channel.push(row.channel);
    columns.txnCount.push(String(row.txnCount));
    columns.approvedCount.push(String(row.approvedCount));
    columns.declinedCount.push(String(row.declinedCount));
    columns.errorCount.push(String(row.errorCount));
    columns.amountMinorSum.push(row.amountMinorSum.toString());
    columns.approvedAmountMinorSum.push(row.approvedAmountMinorSum.toString());
    // String(number) is the shortest text that parses back to the same double.
    columns.latencyMsSum.push(String(row.latencyMsSum));
    columns.latencyMsMin.push(String(row.latencyMsMin));
    columns.latencyMsMax.push(String(row.latencyMsMax));
  }
  return columns;
}

export interface DynamicMetricsColumns {
  readonly windowStart: string[];
  readonly metricName: string[];
  readonly dimensions: string[];
  readonly valueCount: string[];
  readonly valueSum: string[];
  readonly valueMin: string[];
  readonly valueMax: string[];
}

/** Rule and histogram rows: keyed by window, metric name and the canonical JSON of their dimensions. */
interface LabelledRow {
  readonly windowStartMs: number;
  readonly metricName: string;
  readonly dimensions: Dimensions;
}

/** The rows in key order, one per key, each with its dimensions' canonical JSON. */
function labelledInKeyOrder<R extends LabelledRow>(
  rows: readonly R[],
  merge: (a: R, b: R) => R,
): { readonly rows: readonly R[]; readonly dimensions: readonly string[] } {
  const dimensions = rows.map((r) => canonicalDimensionsJson(r.dimensions));
  const ascending = isStrictlyAscending(
    rows.length,
    (i, j) =>
      compareParts(rows[i]!.windowStartMs, rows[j]!.windowStartMs) ||
      compareParts(rows[i]!.metricName, rows[j]!.metricName) ||
      compareParts(dimensions[i]!, dimensions[j]!),
  );
  if (ascending) return { rows, dimensions };
  const merged = mergeByKey(
    rows.map((row, i) => ({ row, dimensions: dimensions[i]! })),
    ({ row, dimensions }) => [row.windowStartMs, row.metricName, dimensions],
    (a, b) => ({ row: merge(a.row, b.row), dimensions: a.dimensions }),
  );
  return { rows: merged.map((m) => m.row.row), dimensions: merged.map((m) => m.row.dimensions) };
}

export function dynamicMetricsColumns(rows: readonly DynamicMetricRow[]): DynamicMetricsColumns {
  const merged = labelledInKeyOrder(rows, mergeDynamicMetricRows);
  const columns: DynamicMetricsColumns = {
    windowStart: [],
    metricName: [],
    dimensions: [],
    valueCount: [],
    valueSum: [],
    valueMin: [],
    valueMax: [],
  };
  for (let i = 0; i < merged.rows.length; i++) {
    const row = merged.rows[i]!;
    columns.windowStart.push(isoTimestamp(row.windowStartMs));
    columns.metricName.push(row.metricName);
    columns.dimensions.push(merged.dimensions[i]!);
    columns.valueCount.push(String(row.valueCount));
    columns.valueSum.push(String(row.valueSum));
    columns.valueMin.push(String(row.valueMin));
    columns.valueMax.push(String(row.valueMax));
  }
  return columns;
}

export interface HistogramColumns {
  readonly windowStart: string[];
  readonly metricName: string[];
  readonly dimensions: string[];
  readonly relativeAccuracy: string[];
  readonly count: string[];
  readonly sum: string[];
  readonly min: string[];
  readonly max: string[];
  readonly sketch: string[];
}

export function histogramColumns(rows: readonly HistogramRow[]): HistogramColumns {
  const merged = labelledInKeyOrder(rows, mergeHistogramRows);
  const columns: HistogramColumns = {
    windowStart: [],
    metricName: [],
    dimensions: [],
    relativeAccuracy: [],
    count: [],
    sum: [],
    min: [],
    max: [],
    sketch: [],
  };
  for (let i = 0; i < merged.rows.length; i++) {
    const row = merged.rows[i]!;
    columns.windowStart.push(isoTimestamp(row.windowStartMs));
    columns.metricName.push(row.metricName);
    columns.dimensions.push(merged.dimensions[i]!);
    columns.relativeAccuracy.push(String(row.sketch.relativeAccuracy));
    columns.count.push(String(row.count));
    columns.sum.push(row.sum.toString());
    columns.min.push(String(row.min));
    columns.max.push(String(row.max));
    columns.sketch.push(JSON.stringify(row.sketch));
  }
  return columns;
}

/** What needs quotes in an array literal: delimiters, quotes, backslashes, blanks, the word NULL. */
const NEEDS_QUOTES = /[{}",\\\s]|^$|^null$/i;

/**
 * A PostgreSQL `text[]` literal of `values`, as node-postgres would send a string[], but quoting
 * and escaping only the elements that need it (numbers and codes do not; JSON does).
 */
export function textArrayLiteral(values: readonly string[]): string {
  const elements = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    elements[i] = NEEDS_QUOTES.test(value) ? `"${value.replace(/[\\"]/g, '\\$&')}"` : value;
  }
  return `{${elements.join(',')}}`;
}

type ArrayLiterals<Columns> = { readonly [Column in keyof Columns]: string };

/**
 * Columns whose text never needs quotes in an array literal: numbers and ISO timestamps (digits,
 * signs, dots, letters). Their literal is a plain join, without a pattern test per element.
 */
const UNQUOTED_COLUMNS: ReadonlySet<string> = new Set([
  'windowStart',
  'txnCount',
  'approvedCount',
  'declinedCount',
  'errorCount',
  'amountMinorSum',
  'approvedAmountMinorSum',
  'latencyMsSum',
  'latencyMsMin',
  'latencyMsMax',
  'valueCount',
  'valueSum',
  'valueMin',
  'valueMax',
  'relativeAccuracy',
  'count',
  'sum',
  'min',
  'max',
]);

function arrayLiterals<Columns extends object>(columns: Columns): ArrayLiterals<Columns> {
  const literals: Record<string, string> = {};
  for (const [name, values] of Object.entries(columns) as [string, string[]][]) {
    literals[name] = UNQUOTED_COLUMNS.has(name) ? `{${values.join(',')}}` : textArrayLiteral(values);
  }
  return literals as ArrayLiterals<Columns>;
}

/**
 * A batch's metric rows as the three upserts' parameters (merged, sorted, one text[] literal per
 * column), or undefined for a table the batch does not touch.
 */
export interface EncodedMetricRows {
  readonly kind: 'encoded-metric-rows';
  readonly payment: ArrayLiterals<PaymentMetricsColumns> | undefined;
  readonly histograms: ArrayLiterals<HistogramColumns> | undefined;
  readonly dynamic: ArrayLiterals<DynamicMetricsColumns> | undefined;
}

/**
 * Encodes a batch's metrics for `BatchWriter.writeMetrics` ahead of its transaction: this is
 * the batch's largest piece of CPU work in the commit, and done beforehand (while the previous
 * batch commits) it no longer keeps the transaction, and its row locks, open.
 */
export function encodeMetricRows(metrics: BatchMetrics): EncodedMetricRows {
  const { paymentMetrics, histograms, dynamicMetrics } = metrics;
  return {
    kind: 'encoded-metric-rows',
    payment: paymentMetrics.length > 0 ? arrayLiterals(paymentMetricsColumns(paymentMetrics)) : undefined,
    histograms: histograms.length > 0 ? arrayLiterals(histogramColumns(histograms)) : undefined,
    dynamic: dynamicMetrics.length > 0 ? arrayLiterals(dynamicMetricsColumns(dynamicMetrics)) : undefined,
  };
}
