import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

/** One rollup table's comparison with the sum of its 5-minute rows. */
export interface RollupMismatch {
  readonly table: string;
  /** Rollup keys whose row differs from (or is missing for) the sum of its 5-minute rows. */
  readonly mismatchedRows: number;
  /** A few of them, for the report. */
  readonly examples: readonly string[];
}

/** Latency sums are doubles updated by differences; anything beyond rounding is a real mismatch. */
const DOUBLE_TOLERANCE = 1e-9;

/**
 * The windows compared, widened to whole UTC days so that every hour and day row in it is
 * compared with all of its 5-minute rows.
 */
export interface RollupRange {
  readonly fromMs: number;
  readonly toMs: number;
}

const DAY_MS = 86_400_000;

function wholeDays(range: RollupRange): { from: Date; to: Date } {
  return {
    from: new Date(Math.floor(range.fromMs / DAY_MS) * DAY_MS),
    to: new Date(Math.ceil(range.toMs / DAY_MS) * DAY_MS),
  };
}

/**
 * The hours (or days) whose 5-minute rows changed since the last `refreshRollups`: their rollup
 * rows are rebuilt by the next refresh, so they are not compared yet.
 */
function pendingRollups(unit: 'hour' | 'day') {
  return sql`pending AS (SELECT DISTINCT date_trunc(${unit}, window_start, 'UTC') AS window_start FROM rollup_pending)`;
}

function paymentMetricsQuery(
  table: 'payment_metrics_1h' | 'payment_metrics_1d',
  unit: 'hour' | 'day',
  { from, to }: { from: Date; to: Date },
) {
  return sql<{ key: string }>`
    WITH expected AS (
      SELECT date_trunc(${unit}, window_start, 'UTC') AS window_start, merchant_id, payment_method, card_brand,
             currency, country, channel, sum(txn_count) AS txn_count, sum(approved_count) AS approved_count,
             sum(declined_count) AS declined_count, sum(error_count) AS error_count,
             sum(amount_minor_sum) AS amount_minor_sum, sum(approved_amount_minor_sum) AS approved_amount_minor_sum,
             sum(latency_ms_sum) AS latency_ms_sum, min(latency_ms_min) AS latency_ms_min,
             max(latency_ms_max) AS latency_ms_max
        FROM payment_metrics_5m
       WHERE window_start >= ${from} AND window_start < ${to}
       GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), rolled AS (
      SELECT * FROM ${sql.table(table)} WHERE window_start >= ${from} AND window_start < ${to}
    ), ${pendingRollups(unit)}
    SELECT concat_ws('/', coalesce(e.window_start, r.window_start), coalesce(e.merchant_id, r.merchant_id),
                     coalesce(e.payment_method, r.payment_method), coalesce(e.card_brand, r.card_brand),
                     coalesce(e.currency, r.currency), coalesce(e.country, r.country),
                     coalesce(e.channel, r.channel)) AS key
      FROM expected e
      FULL JOIN rolled r
        USING (window_start, merchant_id, payment_method, card_brand, currency, country, channel)
     WHERE coalesce(e.window_start, r.window_start) NOT IN (SELECT window_start FROM pending)
       AND (e.txn_count IS DISTINCT FROM r.txn_count
        OR e.approved_count IS DISTINCT FROM r.approved_count
        OR e.declined_count IS DISTINCT FROM r.declined_count
        OR e.error_count IS DISTINCT FROM r.error_count
        OR e.amount_minor_sum IS DISTINCT FROM r.amount_minor_sum
        OR e.approved_amount_minor_sum IS DISTINCT FROM r.approved_amount_minor_sum
        OR e.latency_ms_min IS DISTINCT FROM r.latency_ms_min
        OR e.latency_ms_max IS DISTINCT FROM r.latency_ms_max
        OR NOT (abs(e.latency_ms_sum - r.latency_ms_sum) <= ${DOUBLE_TOLERANCE} * greatest(abs(e.latency_ms_sum), 1)))
     ORDER BY 1`;
}

function histogramQuery(
  table: 'aggregate_histograms_1h' | 'aggregate_histograms_1d',
  unit: 'hour' | 'day',
  { from, to }: { from: Date; to: Date },
) {
  return sql<{ key: string }>`
    WITH expected AS (
      SELECT date_trunc(${unit}, window_start, 'UTC') AS window_start, metric_name, dimensions,
             sum(count) AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
             paymetrics_sketch_merge(sketch) AS sketch
        FROM aggregate_histograms
       WHERE window_start >= ${from} AND window_start < ${to}
       GROUP BY 1, 2, 3
    ), rolled AS (
      SELECT * FROM ${sql.table(table)} WHERE window_start >= ${from} AND window_start < ${to}
    ), ${pendingRollups(unit)}
    SELECT concat_ws('/', coalesce(e.window_start, r.window_start), coalesce(e.metric_name, r.metric_name),
                     coalesce(e.dimensions, r.dimensions)::text) AS key
      FROM expected e
      FULL JOIN rolled r USING (window_start, metric_name, dimensions)
     WHERE coalesce(e.window_start, r.window_start) NOT IN (SELECT window_start FROM pending)
       AND (e.count IS DISTINCT FROM r.count
        OR e.min IS DISTINCT FROM r.min
        OR e.max IS DISTINCT FROM r.max
        OR NOT (abs(e.sum - r.sum) <= ${DOUBLE_TOLERANCE}::numeric * greatest(abs(e.sum), 1))
        OR (e.sketch -> 'zeroCount')::numeric IS DISTINCT FROM (r.sketch -> 'zeroCount')::numeric
        OR e.sketch -> 'bins' IS DISTINCT FROM r.sketch -> 'bins')
     ORDER BY 1`;
}

export interface RollupCheck {
  readonly mismatches: readonly RollupMismatch[];
  /** Hours of the range with changes the next refresh will fold in: not compared. */
  readonly pendingHours: number;
}

/**
 * Compares every hour and day rollup row of the range (widened to whole days) with the sum of
 * its 5-minute rows (sketches: merged bins), except the hours and days a refresh is pending for.
 * No mismatches means the rollups hold.
 */
export async function checkRollups(db: Kysely<Database>, range: RollupRange): Promise<RollupCheck> {
  const days = wholeDays(range);
  const checks = [
    ['payment_metrics_1h', paymentMetricsQuery('payment_metrics_1h', 'hour', days)],
    ['payment_metrics_1d', paymentMetricsQuery('payment_metrics_1d', 'day', days)],
    ['aggregate_histograms_1h', histogramQuery('aggregate_histograms_1h', 'hour', days)],
    ['aggregate_histograms_1d', histogramQuery('aggregate_histograms_1d', 'day', days)],
  ] as const;
  const mismatches: RollupMismatch[] = [];
  for (const [table, query] of checks) {
    const { rows } = await query.execute(db);
    if (rows.length > 0) {
      mismatches.push({
        table,
        mismatchedRows: rows.length,
        examples: rows.slice(0, 5).map((row) => row.key),
      });
    }
  }
  const { rows } = await sql<{ hours: number }>`
    SELECT count(DISTINCT date_trunc('hour', window_start, 'UTC'))::int AS hours FROM rollup_pending
     WHERE window_start >= ${days.from} AND window_start < ${days.to}`.execute(db);
  return { mismatches, pendingHours: rows[0]?.hours ?? 0 };
}
