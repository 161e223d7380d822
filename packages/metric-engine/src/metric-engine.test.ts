import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, mergeBatches } from '../test/merge-batches.js';
import { syntheticTransactions, validTransaction } from '../test/transaction-fixture.js';
import { compileRuleSet } from './compile-rule-set.js';
import { defaultRuleSet } from './default-rules.js';
import { createMetricEngine } from './metric-engine.js';
import type { PaymentMetricsRow } from './rows.js';
import { parseRuleSet } from './rule-set.js';
import { storedSketchCount } from './stored-sketch.js';

const defaultEngine = () => createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
const engineWith = (rules: unknown) => createMetricEngine({ rules: compileRuleSet(parseRuleSet({ rules })) });
const ms = (iso: string) => Date.parse(iso);

describe('payment_metrics_5m rows', () => {
  it('splits events at the window boundary', () => {
    const { paymentMetrics, windowsTouched } = defaultEngine().derive([
      validTransaction({ occurredAt: '2026-11-27T10:04:59.999Z' }),
      validTransaction({ occurredAt: '2026-11-27T10:05:00.000Z' }),
      validTransaction({ occurredAt: '2026-11-27T10:05:00.001Z' }),
    ]);
    expect(windowsTouched).toEqual([ms('2026-11-27T10:00:00Z'), ms('2026-11-27T10:05:00Z')]);
    expect(paymentMetrics.map((row) => [row.windowStartMs, row.txnCount])).toEqual([
      [ms('2026-11-27T10:00:00Z'), 1],
      [ms('2026-11-27T10:05:00Z'), 2],
    ]);
  });

  it('places offset timestamps in their UTC window', () => {
    const { paymentMetrics } = defaultEngine().derive([
      validTransaction({ occurredAt: '2026-11-27T15:34:59.999+05:30' }), // 10:04:59.999Z
      validTransaction({ occurredAt: '2026-11-27T02:05:00-08:00' }), // 10:05:00Z
    ]);
    expect(paymentMetrics.map((row) => new Date(row.windowStartMs).toISOString())).toEqual([
      '2026-11-27T10:00:00.000Z',
      '2026-11-27T10:05:00.000Z',
    ]);
  });

  it('keeps currencies, methods and brands apart, with card_brand none for non-card methods', () => {
    const { paymentMetrics } = defaultEngine().derive([
      validTransaction({ currency: 'EUR', amountMinor: 100 }),
      validTransaction({ currency: 'USD', amountMinor: 200 }),
      validTransaction({ currency: 'USD', amountMinor: 300 }),
      validTransaction({ paymentMethod: 'wallet', cardBrand: null, amountMinor: 400 }),
      validTransaction({ paymentMethod: 'bnpl', cardBrand: null, amountMinor: 500 }),
      validTransaction({ cardBrand: 'amex', amountMinor: 600 }),
    ]);
    const summary = paymentMetrics.map((row) => [
      row.paymentMethod,
      row.cardBrand,
      row.currency,
      row.txnCount,
      row.amountMinorSum,
    ]);
    expect(summary).toEqual([
      ['bnpl', 'none', 'EUR', 1, 500n],
      ['card', 'amex', 'EUR', 1, 600n],
      ['card', 'visa', 'EUR', 1, 100n],
      ['card', 'visa', 'USD', 2, 500n],
      ['wallet', 'none', 'EUR', 1, 400n],
    ]);
  });

  it('counts statuses, approved amounts and latency sum, min and max', () => {
    const { paymentMetrics } = defaultEngine().derive([
      validTransaction({ status: 'approved', amountMinor: 1000, processorLatencyMs: 120.5 }),
      validTransaction({ status: 'approved', amountMinor: 2500, processorLatencyMs: 80 }),
      validTransaction({
        status: 'declined',
        declineCode: '05',
        amountMinor: 9000,
        processorLatencyMs: 300.25,
      }),
      validTransaction({ status: 'error', amountMinor: 7, processorLatencyMs: 0 }),
    ]);
    expect(paymentMetrics).toEqual<PaymentMetricsRow[]>([
      {
        windowStartMs: ms('2026-11-27T10:00:00Z'),
        merchantId: 'm_1',
        paymentMethod: 'card',
        cardBrand: 'visa',
        currency: 'EUR',
        country: 'DE',
        channel: 'ecommerce',
        txnCount: 4,
        approvedCount: 2,
        declinedCount: 1,
        errorCount: 1,
        amountMinorSum: 12_507n,
        approvedAmountMinorSum: 3500n,
        latencyMsSum: 500.75,
        latencyMsMin: 0,
        latencyMsMax: 300.25,
      },
    ]);
  });

  it('sums amounts exactly beyond 2^53', () => {
    const events = Array.from({ length: 10_000 }, () => validTransaction({ amountMinor: 1e12 }));
    events.push(validTransaction({ amountMinor: 1 }));
    const { paymentMetrics, histograms } = defaultEngine().derive(events);
    expect(paymentMetrics[0]!.amountMinorSum).toBe(10_000_000_000_000_001n);
    expect(paymentMetrics[0]!.approvedAmountMinorSum).toBe(10_000_000_000_000_001n);
    expect(10_000_000_000_000_001n > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const amount = histograms.find((row) => row.metricName === 'amount_minor')!;
    expect(amount.sum).toBe(10_000_000_000_000_001n);
    expect([amount.count, amount.min, amount.max]).toEqual([10_001, 1, 1e12]);
  });
});

describe('histogram rows', () => {
  it('gives latency per merchant and amount per merchant and currency, with exact summaries', () => {
    const { histograms } = defaultEngine().derive([
      validTransaction({ merchantId: 'm_b', currency: 'USD', amountMinor: 0, processorLatencyMs: 10 }),
      validTransaction({ merchantId: 'm_a', currency: 'USD', amountMinor: 300, processorLatencyMs: 0.5 }),
      validTransaction({ merchantId: 'm_a', currency: 'EUR', amountMinor: 100, processorLatencyMs: 30 }),
    ]);
    expect(
      histograms.map((row) => [row.metricName, row.dimensions, row.count, row.sum, row.min, row.max]),
    ).toEqual([
      ['amount_minor', { currency: 'EUR', merchant_id: 'm_a' }, 1, 100n, 100, 100],
      ['amount_minor', { currency: 'USD', merchant_id: 'm_a' }, 1, 300n, 300, 300],
      ['amount_minor', { currency: 'USD', merchant_id: 'm_b' }, 1, 0n, 0, 0],
      ['processor_latency_ms', { merchant_id: 'm_a' }, 2, 30.5, 0.5, 30],
      ['processor_latency_ms', { merchant_id: 'm_b' }, 1, 10, 10, 10],
    ]);
    const zeroAmount = histograms[2]!.sketch;
    expect(zeroAmount).toEqual({ relativeAccuracy: 0.01, zeroCount: 1, bins: {} });
    for (const row of histograms) expect(storedSketchCount(row.sketch)).toBe(row.count);
  });

  it('uses the configured relative accuracy', () => {
    const engine = createMetricEngine({ rules: compileRuleSet({ rules: [] }), relativeAccuracy: 0.02 });
    const { histograms } = engine.derive([validTransaction()]);
    expect(histograms.every((row) => row.sketch.relativeAccuracy === 0.02)).toBe(true);
    expect(() => createMetricEngine({ rules: compileRuleSet({ rules: [] }), relativeAccuracy: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('rule-defined dynamic metrics', () => {
  it('derives decline_count by merchant_id and decline_code from the default rules', () => {
    const { dynamicMetrics } = defaultEngine().derive([
      validTransaction({ merchantId: 'm_2', status: 'declined', declineCode: '51' }),
      validTransaction({ merchantId: 'm_1', status: 'declined', declineCode: '51' }),
      validTransaction({ merchantId: 'm_1', status: 'declined', declineCode: '05' }),
      validTransaction({ merchantId: 'm_1', status: 'declined', declineCode: '51' }),
      validTransaction({ merchantId: 'm_1', status: 'approved' }),
    ]);
    const declines = dynamicMetrics.filter((row) => row.metricName === 'decline_count');
    expect(declines.map((row) => [row.dimensions, row.valueCount, row.valueSum])).toEqual([
      [{ decline_code: '05', merchant_id: 'm_1' }, 1, 1],
      [{ decline_code: '51', merchant_id: 'm_1' }, 2, 2],
      [{ decline_code: '51', merchant_id: 'm_2' }, 1, 1],
    ]);
  });

  it('derives the other default metrics', () => {
    const { dynamicMetrics } = defaultEngine().derive([
      validTransaction({ amountMinor: 1_000_000, currency: 'USD', riskScore: 80 }),
      validTransaction({ amountMinor: 2_500_000, currency: 'USD', riskScore: 49.9 }),
      validTransaction({ amountMinor: 999_999, riskScore: 50 }),
      validTransaction({ paymentMethod: 'wallet', cardBrand: null, status: 'declined', declineCode: '05' }),
      validTransaction({ cardBrand: 'amex', status: 'declined', declineCode: '05' }),
      validTransaction({ status: 'error' }),
    ]);
    const by = (name: string) =>
      dynamicMetrics
        .filter((row) => row.metricName === name)
        .map((row) => [row.dimensions, row.valueCount, row.valueSum, row.valueMin, row.valueMax]);
    expect(by('high_value_amount')).toEqual([
      [{ currency: 'USD', merchant_id: 'm_1' }, 2, 3_500_000, 1_000_000, 2_500_000],
    ]);
    expect(by('risk_score_band')).toEqual([
      [{ band: 'high' }, 1, 80, 80, 80],
      [{ band: 'low' }, 1, 49.9, 49.9, 49.9],
      [{ band: 'medium' }, 1, 50, 50, 50],
    ]);
    expect(by('declines_by_card_brand')).toEqual([[{ card_brand: 'amex', decline_code: '05' }, 1, 1, 1, 1]]);
    expect(by('error_count')).toEqual([[{ merchant_id: 'm_1' }, 1, 1, 1, 1]]);
    // Rows are sorted by metric name within the window.
    const names = dynamicMetrics.map((row) => row.metricName);
    expect(names).toEqual([...names].sort());
  });

  it('outputs dimension keys sorted whatever order the rule lists them in', () => {
    const engine = engineWith([
      { name: 'by_three', when: 'true', dimensions: { zeta: 'country', alpha: 'currency', mid: 'channel' } },
    ]);
    const [row] = engine.derive([validTransaction()]).dynamicMetrics;
    expect(Object.keys(row!.dimensions)).toEqual(['alpha', 'mid', 'zeta']);
    expect(row!.dimensions).toEqual({ alpha: 'EUR', mid: 'ecommerce', zeta: 'DE' });
  });

  it('keeps dimension values containing any characters apart', () => {
    const engine = engineWith([
      { name: 'tagged', when: 'true', dimensions: { a: 'metadata.a', b: 'metadata.b' } },
    ]);
    const { dynamicMetrics } = engine.derive([
      validTransaction({ metadata: { a: 'x\u0001', b: 'y' } }),
      validTransaction({ metadata: { a: 'x', b: '\u0001y' } }),
      validTransaction({ metadata: { a: 'x', b: '\u0001y' } }),
    ]);
    expect(dynamicMetrics.map((row) => [row.dimensions, row.valueCount])).toEqual([
      [{ a: 'x', b: '\u0001y' }, 2],
      [{ a: 'x\u0001', b: 'y' }, 1],
    ]);
  });

  it('skips a rule for an event whose evaluation fails, counts it, and keeps going', () => {
    const engine = engineWith([
      { name: 'ratio', when: 'true', value: '100 / (amountMinor - 5)' },
      { name: 'by_partner', when: 'true', dimensions: { partner: 'metadata.partner' } },
      { name: 'by_decline', when: 'true', dimensions: { code: 'declineCode' } },
      { name: 'all', when: 'true' },
    ]);
    const events = [
      validTransaction({ amountMinor: 5, metadata: { partner: 'p1' } }),
      validTransaction({ amountMinor: 15, status: 'declined', declineCode: '05' }),
    ];
    const result = engine.derive(events);
    expect(
      result.dynamicMetrics.map((row) => [row.metricName, row.dimensions, row.valueCount, row.valueSum]),
    ).toEqual([
      ['all', {}, 2, 2],
      ['by_decline', { code: '05' }, 1, 1],
      ['by_partner', { partner: 'p1' }, 1, 1],
      ['ratio', {}, 1, 10],
    ]);
    expect(result.paymentMetrics[0]!.txnCount).toBe(2);
    expect(engine.ruleErrors).toBe(3);
    expect(Object.fromEntries(engine.ruleErrorsByRule)).toEqual({ ratio: 1, by_partner: 1, by_decline: 1 });
  });

  it('binds fields as documented: ints as CEL int, optional fields as null, metadata as a map, occurredAt as a timestamp', () => {
    const engine = engineWith([
      { name: 'no_brand', when: 'cardBrand == null && riskScore == null && !has(metadata.x)' },
      { name: 'integers', when: 'amountMinor % 100 == 0 && schemaVersion == 1', value: 'amountMinor / 100' },
      { name: 'late_evening', when: 'occurredAt.getHours("UTC") == 22', value: 'processorLatencyMs * 2.0' },
      {
        name: 'risky',
        when: 'riskScore != null && riskScore >= 80.0',
        dimensions: { tier: 'metadata.tier' },
      },
    ]);
    const { dynamicMetrics } = engine.derive([
      validTransaction({ paymentMethod: 'wallet', cardBrand: null, amountMinor: 1234 }),
      validTransaction({
        amountMinor: 5000,
        occurredAt: '2026-11-27T23:10:00+01:00',
        processorLatencyMs: 12.5,
      }),
      validTransaction({ riskScore: 80, metadata: { tier: 'gold' } }),
    ]);
    // The 23:10+01:00 event falls in the 22:10Z window, after the 10:00Z rows.
    expect(
      dynamicMetrics.map((row) => [
        new Date(row.windowStartMs).toISOString().slice(11, 16),
        row.metricName,
        row.dimensions,
        row.valueCount,
        row.valueSum,
      ]),
    ).toEqual([
      ['10:00', 'integers', {}, 1, 10],
      ['10:00', 'no_brand', {}, 1, 1],
      ['10:00', 'risky', { tier: 'gold' }, 1, 1],
      ['22:10', 'integers', {}, 1, 50],
      ['22:10', 'late_evening', {}, 1, 25],
    ]);
    expect(engine.ruleErrors).toBe(0);
  });
});

describe('batching', () => {
  it('sorts every table by key', () => {
    const result = defaultEngine().derive(syntheticTransactions(3000, 7));
    const paymentKeys = result.paymentMetrics.map((row) => [
      row.windowStartMs,
      row.merchantId,
      row.paymentMethod,
      row.cardBrand,
      row.currency,
      row.country,
      row.channel,
    ]);
    const compareTuples = (a: readonly (string | number)[], b: readonly (string | number)[]) => {
      for (let i = 0; i < a.length; i++) {
        if (a[i]! < b[i]!) return -1;
        if (a[i]! > b[i]!) return 1;
      }
      return 0;
    };
    expect(paymentKeys).toEqual([...paymentKeys].sort(compareTuples));
    for (const rows of [result.dynamicMetrics, result.histograms]) {
      const keys = rows.map((row) => [
        row.windowStartMs,
        row.metricName,
        ...Object.keys(row.dimensions)
          .sort()
          .map((name) => row.dimensions[name]!),
      ]);
      expect(keys).toEqual([...keys].sort(compareTuples));
    }
  });

  it('derives the same metrics from any split into batches or slices as from all events at once', () => {
    const arbitraryTransaction = fc
      .record({
        minute: fc.integer({ min: 0, max: 14 }),
        merchant: fc.constantFrom('m_1', 'm_2'),
        currency: fc.constantFrom('EUR', 'USD'),
        method: fc.constantFrom('card', 'wallet'),
        status: fc.constantFrom('approved', 'declined', 'error'),
        amountMinor: fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.constant(1e12)),
        // Multiples of 1/4 add exactly, so latency sums do not depend on the order of addition.
        latencyQuarters: fc.integer({ min: 0, max: 40_000 }),
        riskScore: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      })
      .map((t) =>
        validTransaction({
          occurredAt: new Date(Date.parse('2026-11-27T10:00:00Z') + t.minute * 60_000 + 17).toISOString(),
          merchantId: t.merchant,
          currency: t.currency,
          paymentMethod: t.method as 'card' | 'wallet',
          cardBrand: t.method === 'card' ? 'visa' : null,
          status: t.status as 'approved' | 'declined' | 'error',
          declineCode: t.status === 'declined' ? '05' : null,
          amountMinor: t.amountMinor,
          processorLatencyMs: t.latencyQuarters / 4,
          ...(t.riskScore === undefined ? {} : { riskScore: t.riskScore }),
        }),
      );
    fc.assert(
      fc.property(
        fc.array(arbitraryTransaction, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }),
        (events, cuts) => {
          const engine = defaultEngine();
          const bounds = [
            0,
            ...cuts.map((cut) => cut % (events.length + 1)).sort((a, b) => a - b),
            events.length,
          ];
          const batches = bounds.slice(1).map((end, i) => engine.derive(events.slice(bounds[i], end)));
          const whole = engine.derive(events);
          expect(mergeBatches(batches)).toEqual(canonical(whole));
          // The same slices fed to one batch give exactly the rows of one derive call, in order.
          const sliced = engine.startBatch();
          for (const [i, end] of bounds.slice(1).entries()) sliced.add(events.slice(bounds[i], end));
          expect(sliced.rows()).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
