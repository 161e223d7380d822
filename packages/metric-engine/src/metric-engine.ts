import type { ValidTransaction } from '@paymetrics/schemas';
import { TransactionBindings } from './cel-bindings.js';
import { compareStrings } from './compare-strings.js';
import type { CompiledRule, CompiledRuleSet } from './compile-rule-set.js';
import { ExactSum } from './exact-sum.js';
import type {
  BatchMetrics,
  Dimensions,
  DynamicMetricRow,
  HistogramMetric,
  HistogramRow,
  PaymentMetricsKey,
  PaymentMetricsRow,
} from './rows.js';
import { DEFAULT_RELATIVE_ACCURACY, SketchAccumulator } from './stored-sketch.js';
import { windowStartMs } from './windows.js';

export interface MetricEngineOptions {
  readonly rules: CompiledRuleSet;
  /** Relative accuracy of the histogram sketches; default 0.01 (1%). */
  readonly relativeAccuracy?: number;
}

/** One batch being aggregated: see MetricEngine.startBatch. */
export interface MetricBatch {
  add(events: readonly ValidTransaction[]): void;
  rows(): BatchMetrics;
}

export interface MetricEngine {
  /**
   * Aggregates a batch. Rows come out sorted by key: payment metrics by (window, merchant,
   * payment method, card brand, currency, country, channel); dynamic metrics and histograms
   * by (window, metric name, dimension values in dimension-name order). Strings compare by
   * UTF-16 code units, so every writer derives the same lock order.
   */
  derive(events: readonly ValidTransaction[]): BatchMetrics;
  /**
   * The same aggregation fed in slices: `add` any number of times, then `rows()` once. What
   * `derive` does in one call, for a caller that yields between slices of a large batch.
   */
  startBatch(): MetricBatch;
  /**
   * Rule evaluations that failed for one event (a CEL runtime error, a non-boolean condition, a
   * non-numeric value or a non-string dimension), since the engine was created. Such an event
   * contributes nothing to that rule and everything else as usual.
   */
  readonly ruleErrors: number;
  /** The same failures by rule name. */
  readonly ruleErrorsByRule: ReadonlyMap<string, number>;
}

/**
 * Accumulators are found through nested Maps keyed by the event's own strings rather than one
 * concatenated key: a string from JSON.parse caches its hash, so each level is a cheap probe,
 * while a concatenated key is built, flattened and hashed for every event. Walking the levels in
 * sorted key order also yields rows already in key order, and no separator can collide with a
 * dimension value.
 */
type Trie<T> = Map<string, Trie<T> | T>;

function subTrie<T>(trie: Trie<T>, key: string): Trie<T> {
  let child = trie.get(key) as Trie<T> | undefined;
  if (child === undefined) {
    child = new Map();
    trie.set(key, child);
  }
  return child;
}

function sortedKeys<K extends string | number>(map: ReadonlyMap<K, unknown>): K[] {
  const keys = [...map.keys()];
  return typeof keys[0] === 'number' ? keys.sort((a, b) => (a as number) - (b as number)) : keys.sort();
}

/** Leaves of a trie `depth` levels deep, in key order. */
function collectSorted<T>(trie: Trie<T>, depth: number, out: T[]): void {
  for (const key of sortedKeys(trie)) {
    const child = trie.get(key)!;
    if (depth === 1) out.push(child as T);
    else collectSorted(child as Trie<T>, depth - 1, out);
  }
}

class PaymentAccumulator {
  txnCount = 0;
  approvedCount = 0;
  declinedCount = 0;
  errorCount = 0;
  readonly amount = new ExactSum();
  readonly approvedAmount = new ExactSum();
  latencySum = 0;
  latencyMin = Number.POSITIVE_INFINITY;
  latencyMax = Number.NEGATIVE_INFINITY;
  readonly key: PaymentMetricsKey;

  constructor(key: PaymentMetricsKey) {
    this.key = key;
  }
}

class DynamicAccumulator {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly dimensions: Dimensions;

  constructor(dimensions: Dimensions) {
    this.dimensions = dimensions;
  }
}

class HistogramAccumulator {
  count = 0;
  latencySum = 0;
  readonly amountSum = new ExactSum();
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly sketch: SketchAccumulator;
  readonly dimensions: Dimensions;

  constructor(dimensions: Dimensions, relativeAccuracy: number) {
    this.dimensions = dimensions;
    this.sketch = new SketchAccumulator(relativeAccuracy);
  }

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.add(value);
  }
}

class MerchantBucket {
  readonly latency: HistogramAccumulator;
  readonly amounts = new Map<string, HistogramAccumulator>();
  /** paymentMethod -> cardBrand -> currency -> country -> channel: the key order of payment rows. */
  readonly payments: Trie<PaymentAccumulator> = new Map();

  constructor(latency: HistogramAccumulator) {
    this.latency = latency;
  }
}

class WindowBucket {
  readonly merchants = new Map<string, MerchantBucket>();
  /** Per rule: its accumulator when it has no dimensions, else a trie over dimension values in name order. */
  readonly rules: (Trie<DynamicAccumulator> | DynamicAccumulator | undefined)[] = [];
}

function toMetricValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  // A CEL `uint` arrives as the library's UnsignedInt, which carries its bigint in `.value`.
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { value?: unknown }).value === 'bigint'
  ) {
    return Number((value as { value: bigint }).value);
  }
  return undefined;
}

export function createMetricEngine(options: MetricEngineOptions): MetricEngine {
  const rules = options.rules.rules;
  const relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  // Fails now on a bad accuracy rather than on the first event.
  new SketchAccumulator(relativeAccuracy);
  const rulesByName = rules
    .map((_, index) => index)
    .sort((a, b) => (rules[a]!.name < rules[b]!.name ? -1 : 1));
  const bindings = new TransactionBindings();
  const errorsByRule = new Map<string, number>();
  let ruleErrors = 0;
  const dimensionValues: string[] = [];

  function ruleFailed(rule: CompiledRule): void {
    ruleErrors++;
    errorsByRule.set(rule.name, (errorsByRule.get(rule.name) ?? 0) + 1);
  }

  /**
   * The value the bound event adds to `rule`, with its dimension values left in
   * `dimensionValues`; undefined when the rule does not match or fails (a failure is counted).
   */
  function evaluateRule(rule: CompiledRule): number | undefined {
    try {
      const matched = rule.when(bindings);
      if (matched !== true) {
        if (matched !== false) ruleFailed(rule);
        return undefined;
      }
      let value = rule.constantValue;
      if (rule.value !== undefined) {
        const computed = toMetricValue(rule.value(bindings));
        if (computed === undefined) {
          ruleFailed(rule);
          return undefined;
        }
        value = computed;
      }
      for (let i = 0; i < rule.dimensions.length; i++) {
        const dimension = rule.dimensions[i]!(bindings);
        if (typeof dimension !== 'string') {
          ruleFailed(rule);
          return undefined;
        }
        dimensionValues[i] = dimension;
      }
      return value;
    } catch {
      ruleFailed(rule);
      return undefined;
    }
  }

  function applyRule(rule: CompiledRule, ruleIndex: number, bucket: WindowBucket): void {
    const value = evaluateRule(rule);
    if (value === undefined) return;
    const names = rule.dimensionNames;
    let acc: DynamicAccumulator | undefined;
    if (names.length === 0) {
      acc = bucket.rules[ruleIndex] as DynamicAccumulator | undefined;
      if (acc === undefined) {
        acc = new DynamicAccumulator({});
        bucket.rules[ruleIndex] = acc;
      }
    } else {
      let trie = bucket.rules[ruleIndex] as Trie<DynamicAccumulator> | undefined;
      if (trie === undefined) {
        trie = new Map();
        bucket.rules[ruleIndex] = trie;
      }
      const last = names.length - 1;
      for (let i = 0; i < last; i++) trie = subTrie(trie, dimensionValues[i]!);
      acc = trie.get(dimensionValues[last]!) as DynamicAccumulator | undefined;
      if (acc === undefined) {
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < names.length; i++) dimensions[names[i]!] = dimensionValues[i]!;
        acc = new DynamicAccumulator(dimensions);
        trie.set(dimensionValues[last]!, acc);
      }
    }
    acc.count++;
    acc.sum += value;
    if (value < acc.min) acc.min = value;
    if (value > acc.max) acc.max = value;
  }

  function startBatch(): MetricBatch {
    const windows = new Map<number, WindowBucket>();
    return {
      add: (events) => accumulate(windows, events),
      rows: () => collectRows(windows),
    };
  }

  function derive(events: readonly ValidTransaction[]): BatchMetrics {
    const batch = startBatch();
    batch.add(events);
    return batch.rows();
  }

  function accumulate(windows: Map<number, WindowBucket>, events: readonly ValidTransaction[]): void {
    // Events of a batch mostly share a window: then even the window lookup is skipped.
    let lastWindow = Number.NaN;
    let bucket: WindowBucket | undefined;

    for (const event of events) {
      const txn = event.transaction;
      const window = windowStartMs(event.occurredAtMs);
      if (window !== lastWindow || bucket === undefined) {
        bucket = windows.get(window);
        if (bucket === undefined) {
          bucket = new WindowBucket();
          windows.set(window, bucket);
        }
        lastWindow = window;
      }

      const merchantId = txn.merchantId;
      let merchant = bucket.merchants.get(merchantId);
      if (merchant === undefined) {
        merchant = new MerchantBucket(
          new HistogramAccumulator({ merchant_id: merchantId }, relativeAccuracy),
        );
        bucket.merchants.set(merchantId, merchant);
      }
      const currency = txn.currency;
      let amountHistogram = merchant.amounts.get(currency);
      if (amountHistogram === undefined) {
        amountHistogram = new HistogramAccumulator({ currency, merchant_id: merchantId }, relativeAccuracy);
        merchant.amounts.set(currency, amountHistogram);
      }

      const cardBrand = txn.cardBrand ?? 'none';
      const byChannel = subTrie(subTrie(subTrie(merchant.payments, txn.paymentMethod), cardBrand), currency);
      const byCountry = subTrie(byChannel, txn.country);
      let payment = byCountry.get(txn.channel) as PaymentAccumulator | undefined;
      if (payment === undefined) {
        payment = new PaymentAccumulator({
          windowStartMs: window,
          merchantId,
          paymentMethod: txn.paymentMethod,
          cardBrand,
          currency,
          country: txn.country,
          channel: txn.channel,
        });
        byCountry.set(txn.channel, payment);
      }

      const amountMinor = txn.amountMinor;
      payment.txnCount++;
      payment.amount.add(amountMinor);
      if (txn.status === 'approved') {
        payment.approvedCount++;
        payment.approvedAmount.add(amountMinor);
      } else if (txn.status === 'declined') {
        payment.declinedCount++;
      } else {
        payment.errorCount++;
      }
      const latencyMs = txn.processorLatencyMs;
      payment.latencySum += latencyMs;
      if (latencyMs < payment.latencyMin) payment.latencyMin = latencyMs;
      if (latencyMs > payment.latencyMax) payment.latencyMax = latencyMs;

      merchant.latency.add(latencyMs);
      merchant.latency.latencySum += latencyMs;
      amountHistogram.add(amountMinor);
      amountHistogram.amountSum.add(amountMinor);

      if (rules.length > 0) {
        bindings.transaction = txn;
        bindings.occurredAtMs = event.occurredAtMs;
        for (let r = 0; r < rules.length; r++) applyRule(rules[r]!, r, bucket);
      }
    }
    bindings.transaction = undefined;
  }

  function collectRows(windows: ReadonlyMap<number, WindowBucket>): BatchMetrics {
    const paymentMetrics: PaymentMetricsRow[] = [];
    const dynamicMetrics: DynamicMetricRow[] = [];
    const histograms: HistogramRow[] = [];
    const windowsTouched = sortedKeys(windows);
    const payments: PaymentAccumulator[] = [];
    const dynamic: DynamicAccumulator[] = [];
    for (const window of windowsTouched) {
      const bucket = windows.get(window)!;
      const merchantIds = sortedKeys(bucket.merchants);

      // Histogram metric names sort as amount_minor < processor_latency_ms; amount dimensions
      // sort as (currency, merchant_id), so amount rows go by currency first.
      const amountRows: HistogramRow[] = [];
      for (const merchantId of merchantIds) {
        const merchant = bucket.merchants.get(merchantId)!;
        for (const amount of merchant.amounts.values()) {
          amountRows.push(toHistogramRow(window, 'amount_minor', amount, amount.amountSum.total()));
        }
      }
      amountRows.sort(
        (a, b) =>
          compareStrings(a.dimensions.currency!, b.dimensions.currency!) ||
          compareStrings(a.dimensions.merchant_id!, b.dimensions.merchant_id!),
      );
      histograms.push(...amountRows);

      for (const merchantId of merchantIds) {
        const merchant = bucket.merchants.get(merchantId)!;
        histograms.push(
          toHistogramRow(window, 'processor_latency_ms', merchant.latency, merchant.latency.latencySum),
        );
        payments.length = 0;
        collectSorted(merchant.payments, 5, payments);
        for (const payment of payments) paymentMetrics.push(toPaymentRow(payment));
      }

      for (const ruleIndex of rulesByName) {
        const rule = rules[ruleIndex]!;
        const root = bucket.rules[ruleIndex];
        if (root === undefined) continue;
        dynamic.length = 0;
        if (root instanceof DynamicAccumulator) dynamic.push(root);
        else collectSorted(root, rule.dimensionNames.length, dynamic);
        for (const acc of dynamic) dynamicMetrics.push(toDynamicRow(window, rule.name, acc));
      }
    }
    return { paymentMetrics, dynamicMetrics, histograms, windowsTouched };
  }

  return {
    derive,
    startBatch,
    get ruleErrors() {
      return ruleErrors;
    },
    get ruleErrorsByRule() {
      return errorsByRule;
    },
  };
}

function toPaymentRow(acc: PaymentAccumulator): PaymentMetricsRow {
  return {
    ...acc.key,
    txnCount: acc.txnCount,
    approvedCount: acc.approvedCount,
    declinedCount: acc.declinedCount,
    errorCount: acc.errorCount,
    amountMinorSum: acc.amount.total(),
    approvedAmountMinorSum: acc.approvedAmount.total(),
    latencyMsSum: acc.latencySum,
    latencyMsMin: acc.latencyMin,
    latencyMsMax: acc.latencyMax,
  };
}

function toDynamicRow(windowStartMs: number, metricName: string, acc: DynamicAccumulator): DynamicMetricRow {
  return {
    windowStartMs,
    metricName,
    dimensions: acc.dimensions,
    valueCount: acc.count,
    valueSum: acc.sum,
    valueMin: acc.min,
    valueMax: acc.max,
  };
}

function toHistogramRow(
  windowStartMs: number,
  metricName: HistogramMetric,
  acc: HistogramAccumulator,
  sum: number | bigint,
): HistogramRow {
  return {
    windowStartMs,
    metricName,
    dimensions: acc.dimensions,
    count: acc.count,
    sum,
    min: acc.min,
    max: acc.max,
    sketch: acc.sketch.toStored(),
  };
}
