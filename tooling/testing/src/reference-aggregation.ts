import { defaultEventTimeBounds, WINDOW_MS } from '@paymetrics/metric-engine';
import { validateTransaction } from '@paymetrics/schemas';
import pg from 'pg';

/**
 * The oracle for end-to-end tests: payment_metrics_5m computed the plain way, straight from the
 * input lines, sharing nothing with the engine but the contract validator. Rows are keyed by
 * `window|merchant|method|brand|currency|country|channel` with measures as strings (exact).
 */
export type MetricsTable = Map<string, Record<string, string>>;

export interface ReferenceOptions {
  readonly nowMs?: number;
  readonly maxLatenessMs?: number;
  readonly maxFutureMs?: number;
}

export interface ReferenceResult {
  readonly table: MetricsTable;
  /** Lines (1-based) that must be dead-lettered. */
  readonly badLines: number[];
  readonly counted: number;
  readonly duplicates: number;
}

export function referenceAggregation(
  lines: readonly string[],
  options: ReferenceOptions = {},
): ReferenceResult {
  const nowMs = options.nowMs ?? Date.now();
  const table: MetricsTable = new Map();
  const seen = new Set<string>();
  const badLines: number[] = [];
  let counted = 0;
  let duplicates = 0;
  lines.forEach((line, index) => {
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch {
      badLines.push(index + 1);
      return;
    }
    const result = validateTransaction(body);
    if (!result.ok) {
      badLines.push(index + 1);
      return;
    }
    if (
      result.occurredAtMs < nowMs - (options.maxLatenessMs ?? defaultEventTimeBounds.maxLatenessMs) ||
      result.occurredAtMs > nowMs + (options.maxFutureMs ?? defaultEventTimeBounds.maxFutureMs)
    ) {
      badLines.push(index + 1);
      return;
    }
    const t = result.transaction;
    if (seen.has(t.eventId)) {
      duplicates++;
      return;
    }
    seen.add(t.eventId);
    counted++;
    const windowStart = new Date(result.occurredAtMs - (result.occurredAtMs % WINDOW_MS)).toISOString();
    const key = [
      windowStart,
      t.merchantId,
      t.paymentMethod,
      t.cardBrand ?? 'none',
      t.currency,
      t.country,
      t.channel,
    ].join('|');
    const row = table.get(key) ?? {
      txn_count: '0',
      approved_count: '0',
      declined_count: '0',
      error_count: '0',
      amount_minor_sum: '0',
      approved_amount_minor_sum: '0',
      latency_ms_sum: '0',
      latency_ms_min: String(Number.POSITIVE_INFINITY),
      latency_ms_max: String(Number.NEGATIVE_INFINITY),
    };
    const add = (field: string, by: bigint) => {
      row[field] = (BigInt(row[field]!) + by).toString();
    };
    add('txn_count', 1n);
    add(`${t.status}_count`, 1n);
    add('amount_minor_sum', BigInt(t.amountMinor));
    if (t.status === 'approved') add('approved_amount_minor_sum', BigInt(t.amountMinor));
    row.latency_ms_sum = String(Number(row.latency_ms_sum) + t.processorLatencyMs);
    row.latency_ms_min = String(Math.min(Number(row.latency_ms_min), t.processorLatencyMs));
    row.latency_ms_max = String(Math.max(Number(row.latency_ms_max), t.processorLatencyMs));
    table.set(key, row);
  });
  return { table, badLines, counted, duplicates };
}

/** payment_metrics_5m as stored, in the reference's shape. */
export async function readPaymentMetrics(
  query: (text: string) => Promise<{ rows: unknown[] }>,
): Promise<MetricsTable> {
  const { rows } = await query(`
    select to_char(window_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as window_start,
           merchant_id, payment_method, card_brand, currency, country, channel,
           txn_count::text, approved_count::text, declined_count::text, error_count::text,
           amount_minor_sum::text, approved_amount_minor_sum::text,
           latency_ms_sum::float8 as latency_ms_sum, latency_ms_min::float8 as latency_ms_min,
           latency_ms_max::float8 as latency_ms_max
      from payment_metrics_5m`);
  const table: MetricsTable = new Map();
  for (const row of rows as Record<string, string | number>[]) {
    const key = [
      row.window_start,
      row.merchant_id,
      row.payment_method,
      row.card_brand,
      row.currency,
      row.country,
      row.channel,
    ].join('|');
    table.set(key, {
      txn_count: String(row.txn_count),
      approved_count: String(row.approved_count),
      declined_count: String(row.declined_count),
      error_count: String(row.error_count),
      amount_minor_sum: String(row.amount_minor_sum),
      approved_amount_minor_sum: String(row.approved_amount_minor_sum),
      latency_ms_sum: String(row.latency_ms_sum),
      latency_ms_min: String(row.latency_ms_min),
      latency_ms_max: String(row.latency_ms_max),
    });
  }
  return table;
}

/**
 * Differences between two tables; latency sums compare within floating-point rounding (their
 * order of addition differs), everything else exactly. Empty when equal.
 */
export function diffMetricsTables(actual: MetricsTable, expected: MetricsTable): string[] {
  const problems: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) {
      problems.push(`missing row ${key}`);
      continue;
    }
    for (const [field, value] of Object.entries(want)) {
      const ok =
        field === 'latency_ms_sum'
          ? Math.abs(Number(got[field]) - Number(value)) <= 1e-9 * Math.max(1, Math.abs(Number(value)))
          : Number(got[field]) === Number(value) && (field.includes('latency') || got[field] === value);
      if (!ok) problems.push(`${key} ${field}: got ${got[field]}, expected ${value}`);
    }
  }
  for (const key of actual.keys()) if (!expected.has(key)) problems.push(`unexpected row ${key}`);
  return problems;
}

/** A pg query function over a connection string, for readPaymentMetrics. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
