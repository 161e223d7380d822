import { mergeStoredSketches, type StoredSketch, storedSketchQuantile } from '@paymetrics/metric-engine';
import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';
import type { RunTotals } from './sinks/local-sink.js';

export interface DatabaseSummary {
  readonly transactions: number;
  readonly approved: number;
  readonly declined: number;
  readonly errors: number;
  readonly windows: number;
  readonly merchants: number;
  readonly firstWindow: Date | null;
  readonly lastWindow: Date | null;
  readonly topDeclineCodes: ReadonlyArray<{ readonly code: string; readonly count: number }>;
  readonly latencyP50Ms: number | undefined;
  readonly latencyP95Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly failedByCode: ReadonlyArray<{ readonly code: string; readonly count: number }>;
}

/** Reads what the metric tables now hold, over the windows a run touched (all windows when none given). */
export async function summarizeDatabase(
  db: Kysely<Database>,
  windows?: { readonly fromMs: number; readonly toMs: number },
): Promise<DatabaseSummary> {
  const range = windows
    ? sql`window_start between ${new Date(windows.fromMs).toISOString()}::timestamptz and ${new Date(windows.toMs).toISOString()}::timestamptz`
    : sql`true`;
  const totals = await sql<{
    transactions: string;
    approved: string;
    declined: string;
    errors: string;
    windows: string;
    merchants: string;
    first_window: Date | null;
    last_window: Date | null;
  }>`select coalesce(sum(txn_count), 0)::text as transactions, coalesce(sum(approved_count), 0)::text as approved,
            coalesce(sum(declined_count), 0)::text as declined, coalesce(sum(error_count), 0)::text as errors,
            count(distinct window_start)::text as windows, count(distinct merchant_id)::text as merchants,
            min(window_start) as first_window, max(window_start) as last_window
       from payment_metrics_5m where ${range}`.execute(db);
  const declines = await sql<{ code: string; count: string }>`
      select dimensions ->> 'decline_code' as code, sum(value_count)::text as count
        from dynamic_metrics where metric_name = 'decline_count' and ${range}
       group by 1 order by sum(value_count) desc, 1 limit 5`.execute(db);
  const sketches = await sql<{ sketch: StoredSketch | string }>`
      select sketch from aggregate_histograms where metric_name = 'processor_latency_ms' and ${range}`.execute(
    db,
  );
  const failed = await sql<{ code: string; count: string }>`
      select error_code as code, count(*)::text as count from failed_items group by 1 order by count(*) desc, 1`.execute(
    db,
  );

  let latency: StoredSketch | undefined;
  for (const row of sketches.rows) {
    const sketch = typeof row.sketch === 'string' ? (JSON.parse(row.sketch) as StoredSketch) : row.sketch;
    latency = latency ? mergeStoredSketches(latency, sketch) : sketch;
  }
  const t = totals.rows[0]!;
  return {
    transactions: Number(t.transactions),
    approved: Number(t.approved),
    declined: Number(t.declined),
    errors: Number(t.errors),
    windows: Number(t.windows),
    merchants: Number(t.merchants),
    firstWindow: t.first_window ? new Date(t.first_window) : null,
    lastWindow: t.last_window ? new Date(t.last_window) : null,
    topDeclineCodes: declines.rows.map((r) => ({ code: r.code, count: Number(r.count) })),
    latencyP50Ms: latency ? storedSketchQuantile(latency, 0.5) : undefined,
    latencyP95Ms: latency ? storedSketchQuantile(latency, 0.95) : undefined,
    latencyP99Ms: latency ? storedSketchQuantile(latency, 0.99) : undefined,
    failedByCode: failed.rows.map((r) => ({ code: r.code, count: Number(r.count) })),
  };
}

const number = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2 });
const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(0)} ms`);

/** A summary a payments person can read. */
export function formatSummary(run: RunTotals, db: DatabaseSummary, where: readonly string[]): string {
  const seconds = run.elapsedMs / 1000;
  const rate = db.transactions > 0 ? db.approved / db.transactions : 0;
  const lines = [
    '',
    'paymetrics run summary',
    '',
    `  events received        ${number.format(run.received)}`,
    `  counted                ${number.format(run.counted)}`,
    `  dead-lettered          ${number.format(run.deadLettered)}`,
    `  duplicates skipped     ${number.format(run.duplicates)}`,
    `  already processed      ${number.format(run.replaySkipped)}`,
    `  throughput             ${number.format(Math.round(run.received / Math.max(seconds, 1e-9)))} events/s (${seconds.toFixed(1)} s, ${run.batches} batches)`,
    '',
    `  in the windows this run touched (${db.windows} five-minute windows, ${db.merchants} merchants${
      db.firstWindow && db.lastWindow
        ? `, ${db.firstWindow.toISOString().slice(0, 16)}Z to ${db.lastWindow.toISOString().slice(11, 16)}Z`
        : ''
    }):`,
    `  transactions           ${number.format(db.transactions)}`,
    `  approval rate          ${percent.format(rate)}  (${number.format(db.declined)} declined, ${number.format(db.errors)} errors)`,
    `  processor latency      p50 ${ms(db.latencyP50Ms)}, p95 ${ms(db.latencyP95Ms)}, p99 ${ms(db.latencyP99Ms)} (DDSketch, 1% relative error)`,
    `  top decline codes      ${db.topDeclineCodes.map((d) => `${d.code} (${number.format(d.count)})`).join(', ') || 'none'}`,
    '',
    `  failed items by code (all time): ${db.failedByCode.map((f) => `${f.code} ${number.format(f.count)}`).join(', ') || 'none'}`,
    '',
    ...where.map((line) => `  ${line}`),
    '',
  ];
  return lines.join('\n');
}
