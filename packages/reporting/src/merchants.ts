import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportingDatabase } from './reporting-database.js';
import { latencyQuantiles, mergedLatencySketches } from './sketches.js';
import {
  inRange,
  iso,
  merchantCondition,
  paymentMetricsTable,
  ratio,
  tableExists,
  toNumber,
} from './sql-parts.js';
import type { CurrencyVolume } from './summary.js';

export interface MerchantRow {
  readonly merchantId: string;
  readonly transactions: number;
  readonly approved: number;
  readonly declined: number;
  readonly errors: number;
  readonly approvalRate: number | null;
  readonly previousApprovalRate: number | null;
  readonly previousTransactions: number;
  /** Amounts per currency, largest by transactions first. */
  readonly volume: readonly CurrencyVolume[];
  readonly latencyP95Ms: number | null;
  /** The merchant's latest segment label on or before the range's end; null when not segmented. */
  readonly segment: string | null;
  readonly openAnomalies: number;
}

/** One row per merchant with payments in the range or the period before, largest first. */
export async function readMerchants(
  db: ReportingDatabase,
  range: ReportRange,
  options: { readonly merchantId?: string | undefined } = {},
): Promise<MerchantRow[]> {
  const table = await paymentMetricsTable(db, range.grain);
  const filter = merchantCondition(options);
  const isCurrent = sql`window_start >= ${iso(range.from)}::timestamptz`;
  const [counts, volumes, sketches, segments, anomalies] = await Promise.all([
    sql<{
      merchant_id: string;
      txn: number;
      approved: number;
      declined: number;
      errors: number;
      prev_txn: number;
      prev_approved: number;
    }>`
      select merchant_id,
             coalesce(sum(txn_count) filter (where ${isCurrent}), 0)::float8 as txn,
             coalesce(sum(approved_count) filter (where ${isCurrent}), 0)::float8 as approved,
             coalesce(sum(declined_count) filter (where ${isCurrent}), 0)::float8 as declined,
             coalesce(sum(error_count) filter (where ${isCurrent}), 0)::float8 as errors,
             coalesce(sum(txn_count) filter (where not ${isCurrent}), 0)::float8 as prev_txn,
             coalesce(sum(approved_count) filter (where not ${isCurrent}), 0)::float8 as prev_approved
        from ${table} where ${inRange(range.previousFrom, range.to)} and ${filter}
       group by 1`.execute(db),
    sql<{ merchant_id: string; currency: string; amount: string; txn: number }>`
      select merchant_id, currency, sum(amount_minor_sum)::text as amount, sum(txn_count)::float8 as txn
        from ${table} where ${inRange(range.from, range.to)} and ${filter}
       group by 1, 2 order by 1, sum(txn_count) desc, 2`.execute(db),
    mergedLatencySketches(
      db,
      range.grain,
      sql`dimensions ->> 'merchant_id'`,
      sql`${inRange(range.from, range.to)} and ${merchantCondition(options, sql`dimensions ->> 'merchant_id'`)}`,
    ),
    readSegmentLabels(db, range),
    readOpenAnomalyCounts(db),
  ]);
  const volumeByMerchant = new Map<string, CurrencyVolume[]>();
  for (const row of volumes.rows) {
    const list = volumeByMerchant.get(row.merchant_id) ?? [];
    list.push({ currency: row.currency, amountMinor: row.amount, transactions: toNumber(row.txn) });
    volumeByMerchant.set(row.merchant_id, list);
  }
  return counts.rows
    .map((row) => ({
      merchantId: row.merchant_id,
      transactions: toNumber(row.txn),
      approved: toNumber(row.approved),
      declined: toNumber(row.declined),
      errors: toNumber(row.errors),
      approvalRate: ratio(toNumber(row.approved), toNumber(row.txn)),
      previousTransactions: toNumber(row.prev_txn),
      previousApprovalRate: ratio(toNumber(row.prev_approved), toNumber(row.prev_txn)),
      volume: volumeByMerchant.get(row.merchant_id) ?? [],
      latencyP95Ms: latencyQuantiles(sketches.get(row.merchant_id)).p95,
      segment: segments.get(row.merchant_id) ?? null,
      openAnomalies: anomalies.get(row.merchant_id) ?? 0,
    }))
    .sort((a, b) => b.transactions - a.transactions || a.merchantId.localeCompare(b.merchantId));
}

async function readSegmentLabels(db: ReportingDatabase, range: ReportRange): Promise<Map<string, string>> {
  if (!(await tableExists(db, 'merchant_segments'))) return new Map();
  const { rows } = await sql<{ merchant_id: string; segment: string }>`
    select distinct on (merchant_id) merchant_id, segment
      from merchant_segments where as_of <= (${iso(range.to)}::timestamptz at time zone 'UTC')::date
     order by merchant_id, as_of desc`.execute(db);
  return new Map(rows.map((r) => [r.merchant_id, r.segment]));
}

async function readOpenAnomalyCounts(db: ReportingDatabase): Promise<Map<string, number>> {
  if (!(await tableExists(db, 'metric_anomalies'))) return new Map();
  const { rows } = await sql<{ merchant_id: string; n: number }>`
    select scope ->> 'merchant_id' as merchant_id, count(*)::float8 as n
      from metric_anomalies where status = 'open' and scope ? 'merchant_id'
     group by 1`.execute(db);
  return new Map(rows.map((r) => [r.merchant_id, toNumber(r.n)]));
}
