import { type RawBuilder, sql } from 'kysely';
import { type Grain, grainMs, type ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';

/** Whether a table exists: the analytics tables arrive with later schema files. */
export async function tableExists(db: ReportingDatabase, name: string): Promise<boolean> {
  const { rows } = await sql<{
    present: boolean;
  }>`select to_regclass(${name}) is not null as present`.execute(db);
  return rows[0]?.present === true;
}

/**
 * The payment metrics table to read at a grain: the hourly rollup when it exists (through the view
 * that sums the hours still awaiting a rollup refresh), else the 5-minute rows.
 */
export async function paymentMetricsTable(db: ReportingDatabase, grain: Grain): Promise<RawBuilder<unknown>> {
  if (grain === '1h' && (await tableExists(db, 'payment_metrics_1h_current')))
    return sql.table('payment_metrics_1h_current');
  return sql.table('payment_metrics_5m');
}

/** The histogram table to read at a grain: the hourly merge when it exists (current, as above), else the 5-minute rows. */
export async function histogramsTable(db: ReportingDatabase, grain: Grain): Promise<RawBuilder<unknown>> {
  if (grain === '1h' && (await tableExists(db, 'aggregate_histograms_1h_current')))
    return sql.table('aggregate_histograms_1h_current');
  return sql.table('aggregate_histograms');
}

/** A window's bucket at the range's grain, as epoch milliseconds. */
export function bucketOf(range: ReportRange, column: RawBuilder<unknown> = sql.ref('window_start')) {
  const seconds = grainMs[range.grain] / 1000;
  return sql<number>`(extract(epoch from date_bin(make_interval(secs => ${seconds}), ${column}, timestamptz '1970-01-01 00:00:00+00')) * 1000)::float8`;
}

export const iso = (date: Date) => date.toISOString();

/** window_start within [from, to). */
export function inRange(from: Date, to: Date, column: RawBuilder<unknown> = sql.ref('window_start')) {
  return sql<boolean>`${column} >= ${iso(from)}::timestamptz and ${column} < ${iso(to)}::timestamptz`;
}

export function merchantCondition(
  filter: ReportFilter,
  column: RawBuilder<unknown> = sql.ref('merchant_id'),
) {
  return filter.merchantId === undefined
    ? sql<boolean>`true`
    : sql<boolean>`${column} = ${filter.merchantId}`;
}

/** A count or sum from SQL (bigint text, numeric text or a number) as a number. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
