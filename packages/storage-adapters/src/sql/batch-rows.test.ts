import type { PaymentMetricsRow } from '@paymetrics/metric-engine';
import { describe, expect, it } from 'vitest';
import { canonicalDimensionsJson, histogramColumns, paymentMetricsColumns } from './batch-rows.js';

function row(merchantId: string, windowStartMs: number, amountMinorSum: bigint): PaymentMetricsRow {
  return {
    windowStartMs,
    merchantId,
    paymentMethod: 'card',
    cardBrand: 'visa',
    currency: 'EUR',
    country: 'DE',
    channel: 'pos',
    txnCount: 1,
    approvedCount: 1,
    declinedCount: 0,
    errorCount: 0,
    amountMinorSum,
    approvedAmountMinorSum: amountMinorSum,
    latencyMsSum: 1,
    latencyMsMin: 1,
    latencyMsMax: 1,
  };
}

describe('batch rows', () => {
  it('writes dimension keys in code-unit order, integer-like keys included', () => {
    expect(canonicalDimensionsJson({ merchant_id: 'm', '9': 'a', '10': 'b', Z: '"q"' })).toBe(
      '{"10":"b","9":"a","Z":"\\"q\\"","merchant_id":"m"}',
    );
    expect(canonicalDimensionsJson({})).toBe('{}');
  });

  it('sorts rows by key (window first) and merges equal keys exactly', () => {
    const big = 2n ** 62n;
    const columns = paymentMetricsColumns([
      row('b', 600_000, 1n),
      row('a', 900_000, 2n),
      row('b', 300_000, big),
      row('b', 600_000, big),
    ]);
    expect(columns.windowStart).toEqual([
      '1970-01-01T00:05:00.000Z',
      '1970-01-01T00:10:00.000Z',
      '1970-01-01T00:15:00.000Z',
    ]);
    expect(columns.merchantId).toEqual(['b', 'b', 'a']);
    expect(columns.amountMinorSum).toEqual([big.toString(), (big + 1n).toString(), '2']);
    expect(columns.txnCount).toEqual(['1', '2', '1']);
  });

  it('gives rows already in key order, one per key, the same columns as when it sorts them', () => {
    const ordered = [row('a', 300_000, 1n), row('b', 300_000, 2n), row('a', 600_000, 3n)];
    const fromOrdered = paymentMetricsColumns(ordered);
    expect(fromOrdered.merchantId).toEqual(['a', 'b', 'a']);
    expect(fromOrdered.amountMinorSum).toEqual(['1', '2', '3']);
    expect(paymentMetricsColumns([ordered[2]!, ordered[0]!, ordered[1]!])).toEqual(fromOrdered);
  });

  it('merges histogram rows whose dimensions differ only in key order', () => {
    const sketch = { relativeAccuracy: 0.01, zeroCount: 1, bins: { '5': 1 } };
    const columns = histogramColumns([
      {
        windowStartMs: 0,
        metricName: 'amount_minor',
        dimensions: { a: '1', b: '2' },
        count: 1,
        sum: 2n ** 60n,
        min: 3,
        max: 3,
        sketch,
      },
      {
        windowStartMs: 0,
        metricName: 'amount_minor',
        dimensions: { b: '2', a: '1' },
        count: 2,
        sum: 5,
        min: 1,
        max: 9,
        sketch,
      },
    ]);
    expect(columns.dimensions).toEqual(['{"a":"1","b":"2"}']);
    expect([columns.count, columns.sum, columns.min, columns.max]).toEqual([
      ['3'],
      [(2n ** 60n + 5n).toString()],
      ['1'],
      ['9'],
    ]);
    expect(JSON.parse(columns.sketch[0]!)).toEqual({
      relativeAccuracy: 0.01,
      zeroCount: 2,
      bins: { '5': 2 },
    });
  });
});
