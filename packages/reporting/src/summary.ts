import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';
import { latencyQuantiles, mergedLatencySketches } from './sketches.js';
import { inRange, iso, merchantCondition, paymentMetricsTable, ratio, toNumber } from './sql-parts.js';

export interface CurrencyVolume {
  readonly currency: string;
  /** Exact sum in the currency's minor unit, as a decimal string. */
  readonly amountMinor: string;
  readonly transactions: number;
}

export interface PeriodTotals {
  readonly transactions: number;
  readonly approved: number;
  readonly declined: number;
  readonly errors: number;
  readonly approvalRate: number | null;
  readonly volume: readonly CurrencyVolume[];
  readonly latencyP95Ms: number | null;
  /** Events dead-lettered during the period (by failed_at); null when narrowed to a merchant. */
  readonly deadLettered: number | null;
}

export interface Summary {
  readonly current: PeriodTotals;
  readonly previous: PeriodTotals;
}

/** Totals for the range and for the equally long period before it. */
export async function readSummary(
  db: ReportingDatabase,
  range: ReportRange,
  filter: ReportFilter = {},
): Promise<Summary> {
  const table = await paymentMetricsTable(db, range.grain);
  const both = sql`${inRange(range.previousFrom, range.to)} and ${merchantCondition(filter)}`;
  const isCurrent = sql<boolean>`window_start >= ${iso(range.from)}::timestamptz`;
  const [counts, volumes, sketches, deadLettered] = await Promise.all([
    sql<{ current: boolean; txn: number; approved: number; declined: number; errors: number }>`
      select ${isCurrent} as current, sum(txn_count)::float8 as txn, sum(approved_count)::float8 as approved,
             sum(declined_count)::float8 as declined, sum(error_count)::float8 as errors
        from ${table} where ${both} group by 1`.execute(db),
    sql<{ current: boolean; currency: string; amount: string; txn: number }>`
      select ${isCurrent} as current, currency, sum(amount_minor_sum)::text as amount, sum(txn_count)::float8 as txn
        from ${table} where ${both} group by 1, 2 order by 1, sum(txn_count) desc, 2`.execute(db),
    mergedLatencySketches(
      db,
      range.grain,
      isCurrent,
      sql`${inRange(range.previousFrom, range.to)} and ${merchantCondition(filter, sql`dimensions ->> 'merchant_id'`)}`,
    ),
    filter.merchantId === undefined
      ? sql<{ current: boolean; n: number }>`
          select failed_at >= ${iso(range.from)}::timestamptz as current, count(*)::float8 as n
            from failed_items where ${inRange(range.previousFrom, range.to, sql.ref('failed_at'))} group by 1`.execute(
          db,
        )
      : undefined,
  ]);

  const period = (current: boolean): PeriodTotals => {
    const row = counts.rows.find((r) => r.current === current);
    const transactions = toNumber(row?.txn);
    const approved = toNumber(row?.approved);
    return {
      transactions,
      approved,
      declined: toNumber(row?.declined),
      errors: toNumber(row?.errors),
      approvalRate: ratio(approved, transactions),
      volume: volumes.rows
        .filter((r) => r.current === current)
        .map((r) => ({ currency: r.currency, amountMinor: r.amount, transactions: toNumber(r.txn) })),
      latencyP95Ms: latencyQuantiles(sketches.get(String(current))).p95,
      deadLettered: deadLettered ? toNumber(deadLettered.rows.find((r) => r.current === current)?.n) : null,
    };
  };
  return { current: period(true), previous: period(false) };
}
