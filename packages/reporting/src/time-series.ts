import { sql } from 'kysely';
import { bucketStarts, type ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';
import { latencyQuantiles, mergedLatencySketches } from './sketches.js';
import { bucketOf, inRange, merchantCondition, paymentMetricsTable, ratio, toNumber } from './sql-parts.js';

/** Column-wise series, one entry per bucket of the range (empty buckets hold zeros and nulls). */
export interface TimeSeries {
  readonly bucketStartsMs: readonly number[];
  readonly transactions: readonly number[];
  readonly approved: readonly number[];
  readonly declined: readonly number[];
  readonly errors: readonly number[];
  readonly approvalRate: ReadonlyArray<number | null>;
  readonly latencyP50Ms: ReadonlyArray<number | null>;
  readonly latencyP95Ms: ReadonlyArray<number | null>;
  readonly latencyP99Ms: ReadonlyArray<number | null>;
}

export async function readTimeSeries(
  db: ReportingDatabase,
  range: ReportRange,
  filter: ReportFilter = {},
): Promise<TimeSeries> {
  const table = await paymentMetricsTable(db, range.grain);
  const bucket = bucketOf(range);
  const [counts, sketches] = await Promise.all([
    sql<{ bucket: number; txn: number; approved: number; declined: number; errors: number }>`
      select ${bucket} as bucket, sum(txn_count)::float8 as txn, sum(approved_count)::float8 as approved,
             sum(declined_count)::float8 as declined, sum(error_count)::float8 as errors
        from ${table} where ${inRange(range.from, range.to)} and ${merchantCondition(filter)}
       group by 1`.execute(db),
    mergedLatencySketches(
      db,
      range.grain,
      sql`${bucket}::bigint`,
      sql`${inRange(range.from, range.to)} and ${merchantCondition(filter, sql`dimensions ->> 'merchant_id'`)}`,
    ),
  ]);
  const byBucket = new Map(counts.rows.map((row) => [Number(row.bucket), row]));
  const starts = bucketStarts(range);
  const column = (pick: (row: (typeof counts.rows)[number]) => unknown) =>
    starts.map((start) => toNumber(byBucket.has(start) ? pick(byBucket.get(start)!) : 0));
  const transactions = column((r) => r.txn);
  const approved = column((r) => r.approved);
  const quantiles = starts.map((start) => latencyQuantiles(sketches.get(String(start))));
  return {
    bucketStartsMs: starts,
    transactions,
    approved,
    declined: column((r) => r.declined),
    errors: column((r) => r.errors),
    approvalRate: starts.map((_, i) => ratio(approved[i]!, transactions[i]!)),
    latencyP50Ms: quantiles.map((q) => q.p50),
    latencyP95Ms: quantiles.map((q) => q.p95),
    latencyP99Ms: quantiles.map((q) => q.p99),
  };
}
