import { sql } from 'kysely';
import { bucketStarts, type ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';
import { bucketOf, inRange, iso, merchantCondition, ratio, toNumber } from './sql-parts.js';

export interface DeclineCodeTotals {
  readonly code: string;
  readonly current: number;
  readonly previous: number;
  /** Share of all declines in the period. */
  readonly currentShare: number | null;
  readonly previousShare: number | null;
}

export interface DeclineReport {
  readonly bucketStartsMs: readonly number[];
  /** The most frequent codes of the range, each with a count per bucket; the rest summed as `other`. */
  readonly series: ReadonlyArray<{ readonly code: string; readonly counts: readonly number[] }>;
  readonly codes: readonly DeclineCodeTotals[];
  /** Codes whose share of declines moved most against the previous period. */
  readonly topMovers: readonly DeclineCodeTotals[];
}

const SERIES_CODES = 7;
const TOP_MOVERS = 5;

/** Declines by code, from the default rule `decline_count` (dimensions merchant_id, decline_code). */
export async function readDeclines(
  db: ReportingDatabase,
  range: ReportRange,
  filter: ReportFilter = {},
): Promise<DeclineReport> {
  const where = sql`metric_name = 'decline_count' and ${merchantCondition(filter, sql`dimensions ->> 'merchant_id'`)}`;
  const [totals, perBucket] = await Promise.all([
    sql<{ code: string; current: number; previous: number }>`
      select dimensions ->> 'decline_code' as code,
             coalesce(sum(value_count) filter (where window_start >= ${iso(range.from)}::timestamptz), 0)::float8 as current,
             coalesce(sum(value_count) filter (where window_start < ${iso(range.from)}::timestamptz), 0)::float8 as previous
        from dynamic_metrics where ${where} and ${inRange(range.previousFrom, range.to)}
       group by 1`.execute(db),
    sql<{ code: string; bucket: number; n: number }>`
      select dimensions ->> 'decline_code' as code, ${bucketOf(range)} as bucket, sum(value_count)::float8 as n
        from dynamic_metrics where ${where} and ${inRange(range.from, range.to)}
       group by 1, 2`.execute(db),
  ]);
  const currentAll = totals.rows.reduce((sum, r) => sum + toNumber(r.current), 0);
  const previousAll = totals.rows.reduce((sum, r) => sum + toNumber(r.previous), 0);
  const codes: DeclineCodeTotals[] = totals.rows
    .map((r) => ({
      code: r.code,
      current: toNumber(r.current),
      previous: toNumber(r.previous),
      currentShare: ratio(toNumber(r.current), currentAll),
      previousShare: ratio(toNumber(r.previous), previousAll),
    }))
    .sort((a, b) => b.current - a.current || b.previous - a.previous || a.code.localeCompare(b.code));

  const starts = bucketStarts(range);
  const index = new Map(starts.map((start, i) => [start, i]));
  const shown = codes.filter((c) => c.current > 0).slice(0, SERIES_CODES);
  const shownCodes = new Set(shown.map((c) => c.code));
  const series = new Map<string, number[]>(shown.map((c) => [c.code, starts.map(() => 0)]));
  const other = starts.map(() => 0);
  for (const row of perBucket.rows) {
    const i = index.get(Number(row.bucket));
    if (i === undefined) continue;
    const counts = shownCodes.has(row.code) ? series.get(row.code)! : other;
    counts[i]! += toNumber(row.n);
  }
  const shiftOf = (c: DeclineCodeTotals) => Math.abs((c.currentShare ?? 0) - (c.previousShare ?? 0));
  return {
    bucketStartsMs: starts,
    series: [
      ...shown.map((c) => ({ code: c.code, counts: series.get(c.code)! })),
      ...(other.some((n) => n > 0) ? [{ code: 'other', counts: other }] : []),
    ],
    codes,
    topMovers: [...codes]
      .sort((a, b) => shiftOf(b) - shiftOf(a) || b.current - a.current || a.code.localeCompare(b.code))
      .slice(0, TOP_MOVERS),
  };
}
