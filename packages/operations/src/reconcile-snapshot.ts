import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

/** Windows `from <= window_start < to` (epoch ms): the part of the per-window tables read. */
export interface WindowRange {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface PositionRow {
  readonly source: string;
  readonly partition_id: string;
  readonly first_sequence: string;
  readonly last_sequence: string;
  readonly events_received: string;
  readonly events_counted: string;
  readonly events_dead_lettered: string;
  readonly events_duplicate: string;
  readonly batches_committed: string;
}

type WindowCount = { readonly window_ms: string; readonly n: string };

/** What reconciliation reads, all from one snapshot. */
export interface Snapshot {
  /** Every partition's counters: one row per partition, whatever the range. */
  readonly positions: readonly PositionRow[];
  readonly failed: readonly { readonly source: string; readonly partition_id: string; readonly n: string }[];
  /** sum(txn_count) over every window: one aggregate over the 5-minute table, never its rows. */
  readonly txnTotal: string;
  /** Failed items a retry counted (their metrics are in the tables; no partition counted them). */
  readonly retriedCounted: string;
  /** Per window of the range. */
  readonly payments: readonly {
    readonly window_ms: string;
    readonly txn: string;
    readonly declined: string;
  }[];
  readonly processed: readonly WindowCount[];
  readonly declines: readonly WindowCount[];
  readonly histograms: readonly (WindowCount & { readonly metric_name: string })[];
}

/**
 * Reads the counters, the failed items per partition and the metric tables per window of the
 * range in one REPEATABLE READ snapshot, so a pipeline writing meanwhile cannot produce a false
 * mismatch. processed_events (billions of rows at scale) is read only inside the range, through
 * its BRIN index on window_start, so the snapshot stays short and vacuum is not held back.
 */
export async function readSnapshot(
  db: Kysely<Database>,
  range: WindowRange,
  declineMetric: string | null,
): Promise<Snapshot> {
  const from = new Date(range.fromMs);
  const to = new Date(range.toMs);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const rows = async <R>(query: ReturnType<typeof sql<R>>) => (await query.execute(trx)).rows;
      const windowMs = sql`(extract(epoch from window_start) * 1000)::bigint::text`;
      const inRange = sql`window_start >= ${from} AND window_start < ${to}`;
      const [total] = await rows(sql<{ n: string | null }>`
        SELECT sum(txn_count)::text AS n FROM payment_metrics_5m`);
      return {
        positions: await rows(sql<PositionRow>`
          SELECT source, partition_id, first_sequence::text, last_sequence::text,
                 events_received::text, events_counted::text, events_dead_lettered::text,
                 events_duplicate::text, batches_committed::text
            FROM source_positions`),
        failed: await rows(sql<{ source: string; partition_id: string; n: string }>`
          SELECT source, partition_id, count(*)::text AS n FROM failed_items GROUP BY source, partition_id`),
        txnTotal: total?.n ?? '0',
        retriedCounted: (
          await rows(sql<{ n: string }>`
            SELECT count(*)::text AS n FROM failed_items WHERE resolution = 'counted'`)
        )[0]!.n,
        payments: await rows(sql<{ window_ms: string; txn: string; declined: string }>`
          SELECT ${windowMs} AS window_ms, sum(txn_count)::text AS txn, sum(declined_count)::text AS declined
            FROM payment_metrics_5m WHERE ${inRange} GROUP BY window_start`),
        processed: await rows(sql<WindowCount>`
          SELECT ${windowMs} AS window_ms, count(*)::text AS n FROM processed_events
           WHERE ${inRange} GROUP BY window_start`),
        declines:
          declineMetric === null
            ? []
            : await rows(sql<WindowCount>`
                SELECT ${windowMs} AS window_ms, sum(value_count)::text AS n FROM dynamic_metrics
                 WHERE metric_name = ${declineMetric} AND ${inRange} GROUP BY window_start`),
        histograms: await rows(sql<WindowCount & { metric_name: string }>`
          SELECT ${windowMs} AS window_ms, metric_name, sum(count)::text AS n FROM aggregate_histograms
           WHERE metric_name IN ('processor_latency_ms', 'amount_minor') AND ${inRange}
           GROUP BY window_start, metric_name`),
      };
    });
}
