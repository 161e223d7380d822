import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  mergeStoredSketches,
  storedSketchQuantile,
} from '@paymetrics/metric-engine';
import { type ValidTransaction, validateTransaction } from '@paymetrics/schemas';
import { createPostgresMetricsStore } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase, validEvent } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const START = Date.parse('2026-11-27T09:00:00.000Z');
let database: TestDatabase;
let pool: pg.Pool;
let transactions: ValidTransaction[];

beforeAll(async () => {
  database = await createSchemaDatabase('analytics_views');
  pool = new pg.Pool({ connectionString: database.url });
  transactions = Array.from({ length: 3_000 }, (_, i) => {
    const result = validateTransaction(
      validEvent(i, { occurredAt: new Date(START + ((i * 7_919) % 7_200_000)).toISOString() }),
    );
    if (!result.ok) throw new Error(result.message);
    return { transaction: result.transaction, occurredAtMs: result.occurredAtMs };
  });
  const store = createPostgresMetricsStore({ pool: new pg.Pool({ connectionString: database.url }) });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  for (let i = 0; i < transactions.length; i += 500) {
    await store.transaction((writer) => writer.writeMetrics(engine.derive(transactions.slice(i, i + 500))));
  }
  await store.close();
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('analytics views', () => {
  it('payment_approval_rates gives each scope its approval rate at every grain', async () => {
    const { rows } = await pool.query<{
      grain: string;
      scope_value: string;
      txn_count: string;
      approval_rate: number;
    }>(
      `SELECT grain, scope_value, txn_count::text, approval_rate FROM payment_approval_rates
        WHERE scope_kind = 'merchant_id' AND grain = '1d'`,
    );
    for (const row of rows) {
      const mine = transactions.filter((t) => t.transaction.merchantId === row.scope_value);
      const approved = mine.filter((t) => t.transaction.status === 'approved').length;
      expect(Number(row.txn_count)).toBe(mine.length);
      expect(row.approval_rate).toBeCloseTo(approved / mine.length, 12);
    }
    expect(rows.length).toBe(3);
    const { rows: grains } = await pool.query<{ grain: string; n: string }>(
      `SELECT grain, sum(txn_count)::text AS n FROM payment_approval_rates WHERE scope_kind = 'card_brand' GROUP BY grain ORDER BY grain`,
    );
    const cards = transactions.filter((t) => t.transaction.paymentMethod === 'card').length;
    expect(grains).toEqual(['1d', '1h', '5m'].map((grain) => ({ grain, n: String(cards) })));
  });

  it('decline_code_rates shares add up to 1 per scope and window', async () => {
    const { rows } = await pool.query<{ total: number }>(
      `SELECT sum(decline_share) AS total FROM decline_code_rates WHERE grain = '1h' GROUP BY window_start, scope_kind, scope_value`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.total).toBeCloseTo(1, 12);
    const { rows: overall } = await pool.query<{ n: string }>(
      `SELECT sum(declined_count)::text AS n FROM decline_code_rates WHERE grain = '1d' AND scope_kind = 'overall'`,
    );
    expect(Number(overall[0]!.n)).toBe(
      transactions.filter((t) => t.transaction.status === 'declined').length,
    );
  });

  it('latency_quantiles reads the same p95 as merging the sketches in the engine', async () => {
    const { rows: sketches } = await pool.query(
      `SELECT sketch FROM aggregate_histograms WHERE metric_name = 'processor_latency_ms'`,
    );
    const merged = sketches.map((row) => row.sketch).reduce((a, b) => mergeStoredSketches(a, b));
    const { rows } = await pool.query<{ p95_ms: number; txn_count: string }>(
      `SELECT p95_ms, txn_count::text FROM latency_quantiles WHERE grain = '1d' AND scope_kind = 'overall'`,
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.txn_count)).toBe(transactions.length);
    expect(rows[0]!.p95_ms).toBeCloseTo(storedSketchQuantile(merged, 0.95)!, 9);
  });
});
