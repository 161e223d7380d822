import type { StoredSketch } from '@paymetrics/metric-engine';
import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

/** A scope as metric_anomalies stores it: one dimension, or `{}` for all traffic. */
export type ScopeKind = 'overall' | 'merchant_id' | 'country' | 'region' | 'card_brand' | 'payment_method';

/** `overall` or `kind=value`: a Map key for a scope. */
export function scopeKey(kind: ScopeKind, value: string | null): string {
  return kind === 'overall' ? 'overall' : `${kind}=${value}`;
}

export function scopeObject(key: string): Record<string, string> {
  if (key === 'overall') return {};
  const at = key.indexOf('=');
  return { [key.slice(0, at)]: key.slice(at + 1) };
}

export interface Counts {
  txn: number;
  approved: number;
}

/** Per scope key, per window start (epoch ms): transactions and approvals. */
export type CountSeries = Map<string, Map<number, Counts>>;

/** The map stored under `key`, created empty on first use. */
function entry<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function add(series: CountSeries, key: string, windowMs: number, txn: number, approved: number): void {
  const byWindow = entry(series, key);
  const counts = byWindow.get(windowMs);
  if (counts) {
    counts.txn += txn;
    counts.approved += approved;
  } else byWindow.set(windowMs, { txn, approved });
}

/**
 * Counts per scope and window from a payment_metrics table (5m windows, or 1h rollup rows for
 * the time-of-day baseline, through the view that adds hours awaiting a rollup refresh). Regions are summed from countries.
 */
export async function loadCounts(
  db: Kysely<Database>,
  table: 'payment_metrics_5m' | 'payment_metrics_1h_current',
  range: { readonly fromMs: number; readonly toMs: number },
  regionOf: ReadonlyMap<string, string>,
): Promise<CountSeries> {
  const { rows } = await sql<{
    w: Date;
    kind: ScopeKind;
    value: string | null;
    txn: string;
    approved: string;
  }>`
    WITH r AS (
      SELECT * FROM ${sql.table(table)}
       WHERE window_start >= ${new Date(range.fromMs)} AND window_start < ${new Date(range.toMs)}
    )
    SELECT window_start AS w, 'overall' AS kind, NULL AS value, sum(txn_count)::text AS txn, sum(approved_count)::text AS approved
      FROM r GROUP BY window_start
    UNION ALL
    SELECT window_start, 'merchant_id', merchant_id, sum(txn_count)::text, sum(approved_count)::text FROM r GROUP BY 1, 3
    UNION ALL
    SELECT window_start, 'country', country, sum(txn_count)::text, sum(approved_count)::text FROM r GROUP BY 1, 3
    UNION ALL
    SELECT window_start, 'card_brand', card_brand, sum(txn_count)::text, sum(approved_count)::text
      FROM r WHERE payment_method = 'card' GROUP BY 1, 3
    UNION ALL
    SELECT window_start, 'payment_method', payment_method, sum(txn_count)::text, sum(approved_count)::text
      FROM r GROUP BY 1, 3`.execute(db);
  const series: CountSeries = new Map();
  for (const row of rows) {
    const windowMs = new Date(row.w).getTime();
    const txn = Number(row.txn);
    const approved = Number(row.approved);
    add(series, scopeKey(row.kind, row.value), windowMs, txn, approved);
    const region = row.kind === 'country' ? regionOf.get(row.value!) : undefined;
    if (region) add(series, scopeKey('region', region), windowMs, txn, approved);
  }
  return series;
}

/** Per scope key, per window: declines per decline code. */
export type DeclineSeries = Map<string, Map<number, Map<string, number>>>;

export async function loadDeclines(
  db: Kysely<Database>,
  range: { readonly fromMs: number; readonly toMs: number },
): Promise<DeclineSeries> {
  const { rows } = await sql<{ w: Date; kind: ScopeKind; value: string | null; code: string; n: string }>`
    SELECT window_start AS w,
           CASE WHEN metric_name = 'decline_count' THEN 'merchant_id' ELSE 'card_brand' END AS kind,
           coalesce(dimensions ->> 'merchant_id', dimensions ->> 'card_brand') AS value,
           dimensions ->> 'decline_code' AS code, value_count::text AS n
      FROM dynamic_metrics
     WHERE metric_name IN ('decline_count', 'declines_by_card_brand')
       AND window_start >= ${new Date(range.fromMs)} AND window_start < ${new Date(range.toMs)}`.execute(db);
  const series: DeclineSeries = new Map();
  const addCode = (key: string, windowMs: number, code: string, n: number) => {
    const codes = entry(entry(series, key), windowMs);
    codes.set(code, (codes.get(code) ?? 0) + n);
  };
  for (const row of rows) {
    const windowMs = new Date(row.w).getTime();
    const n = Number(row.n);
    addCode(scopeKey(row.kind, row.value), windowMs, row.code, n);
    if (row.kind === 'merchant_id') addCode('overall', windowMs, row.code, n);
  }
  return series;
}

/** Per scope key (overall and merchants), per window or hour: the latency sketch. */
export type SketchSeries = Map<string, Map<number, StoredSketch>>;

export async function loadLatencySketches(
  db: Kysely<Database>,
  table: 'aggregate_histograms' | 'aggregate_histograms_1h_current',
  range: { readonly fromMs: number; readonly toMs: number },
  minCount: number,
): Promise<SketchSeries> {
  const { rows } = await sql<{ w: Date; merchant: string | null; sketch: StoredSketch }>`
    WITH r AS (
      SELECT window_start, dimensions ->> 'merchant_id' AS merchant, count, sketch FROM ${sql.table(table)}
       WHERE metric_name = 'processor_latency_ms'
         AND window_start >= ${new Date(range.fromMs)} AND window_start < ${new Date(range.toMs)}
    )
    SELECT window_start AS w, NULL AS merchant, paymetrics_sketch_merge(sketch) AS sketch FROM r GROUP BY window_start
    UNION ALL
    SELECT window_start, merchant, sketch FROM r WHERE count >= ${minCount}`.execute(db);
  const series: SketchSeries = new Map();
  for (const row of rows) {
    const key = row.merchant === null ? 'overall' : scopeKey('merchant_id', row.merchant);
    entry(series, key).set(new Date(row.w).getTime(), row.sketch);
  }
  return series;
}
