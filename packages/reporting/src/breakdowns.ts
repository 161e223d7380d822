import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';
import { inRange, iso, merchantCondition, paymentMetricsTable, ratio, toNumber } from './sql-parts.js';

export const breakdownDimensions = ['country', 'card_brand', 'payment_method', 'channel'] as const;
export type BreakdownDimension = (typeof breakdownDimensions)[number];

export interface BreakdownRow {
  readonly value: string;
  readonly transactions: number;
  readonly approved: number;
  /** Share of the range's transactions. */
  readonly share: number | null;
  readonly approvalRate: number | null;
  readonly previousApprovalRate: number | null;
}

export type Breakdowns = Record<BreakdownDimension, BreakdownRow[]>;

/** Transactions and approval rate by country, card brand, payment method and channel. */
export async function readBreakdowns(
  db: ReportingDatabase,
  range: ReportRange,
  filter: ReportFilter = {},
): Promise<Breakdowns> {
  const table = await paymentMetricsTable(db, range.grain);
  const isCurrent = sql`window_start >= ${iso(range.from)}::timestamptz`;
  const { rows } = await sql<{
    dimension: BreakdownDimension;
    value: string;
    txn: number;
    approved: number;
    prev_txn: number;
    prev_approved: number;
  }>`
    with scoped as (
      select country, card_brand, payment_method, channel, ${isCurrent} as current, txn_count, approved_count
        from ${table} where ${inRange(range.previousFrom, range.to)} and ${merchantCondition(filter)}
    ), unpivoted as (
      select d.dimension, d.value, current, txn_count, approved_count
        from scoped cross join lateral (values ('country', country), ('card_brand', card_brand),
                                               ('payment_method', payment_method), ('channel', channel))
             as d(dimension, value)
    )
    select dimension, value,
           coalesce(sum(txn_count) filter (where current), 0)::float8 as txn,
           coalesce(sum(approved_count) filter (where current), 0)::float8 as approved,
           coalesce(sum(txn_count) filter (where not current), 0)::float8 as prev_txn,
           coalesce(sum(approved_count) filter (where not current), 0)::float8 as prev_approved
      from unpivoted group by 1, 2`.execute(db);
  const result = Object.fromEntries(breakdownDimensions.map((d) => [d, [] as BreakdownRow[]])) as Breakdowns;
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.dimension, (totals.get(row.dimension) ?? 0) + toNumber(row.txn));
  for (const row of rows) {
    if (toNumber(row.txn) === 0) continue;
    result[row.dimension].push({
      value: row.value,
      transactions: toNumber(row.txn),
      approved: toNumber(row.approved),
      share: ratio(toNumber(row.txn), totals.get(row.dimension) ?? 0),
      approvalRate: ratio(toNumber(row.approved), toNumber(row.txn)),
      previousApprovalRate: ratio(toNumber(row.prev_approved), toNumber(row.prev_txn)),
    });
  }
  for (const list of Object.values(result))
    list.sort((a, b) => b.transactions - a.transactions || a.value.localeCompare(b.value));
  return result;
}
