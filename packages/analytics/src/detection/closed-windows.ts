import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

export const WINDOW_MS = 5 * 60_000;

export interface ClosedWindowOptions {
  /** How long after a window's end late events may still arrive; default 10 minutes. */
  readonly allowedLatenessMs?: number;
  /** A partition that committed nothing for this long (processing time) no longer holds windows open; default 15 minutes. */
  readonly idleTimeoutMs?: number;
  /** Processing time now (epoch ms); injected by tests. */
  readonly nowMs?: number;
}

/**
 * The event time up to which every window is closed: the lowest event-time watermark of the
 * active partitions (those that committed within the idle timeout), minus the allowed lateness.
 * When every partition is idle, the highest watermark stands: the stream has stopped, and what
 * arrived is what there is. Undefined before anything was committed.
 */
export async function closedHorizonMs(
  db: Kysely<Database>,
  options: ClosedWindowOptions = {},
): Promise<number | undefined> {
  const lateness = options.allowedLatenessMs ?? 10 * 60_000;
  const idle = options.idleTimeoutMs ?? 15 * 60_000;
  const now = new Date(options.nowMs ?? Date.now());
  const { rows } = await sql<{ active: Date | null; any: Date | null }>`
    SELECT min(event_time_watermark) FILTER (WHERE updated_at >= ${now}::timestamptz - ${`${idle} milliseconds`}::interval) AS active,
           max(event_time_watermark) AS any
      FROM source_positions WHERE event_time_watermark IS NOT NULL`.execute(db);
  const row = rows[0];
  const watermark = row?.active ?? row?.any;
  if (!watermark) return undefined;
  return new Date(watermark).getTime() - lateness;
}

export interface WindowToExamine {
  readonly windowStartMs: number;
  readonly txnCount: number;
  /** The latest row update of the window, as PostgreSQL's text (microseconds kept). */
  readonly lastUpdateAt: string | null;
}

/**
 * Closed windows in [fromMs, toMs) that detection has not examined, or whose content changed
 * since (a late batch added to them), oldest first.
 */
export async function windowsToExamine(
  db: Kysely<Database>,
  range: { readonly fromMs: number; readonly toMs: number; readonly horizonMs: number },
): Promise<WindowToExamine[]> {
  const endMs = Math.min(range.toMs, range.horizonMs);
  if (endMs <= range.fromMs) return [];
  const { rows } = await sql<{ window_start: Date; txn_count: string; last_update_at: string | null }>`
    SELECT m.window_start, m.txn_count::text AS txn_count, m.last_update_at::text AS last_update_at
      FROM (SELECT window_start, sum(txn_count) AS txn_count, max(updated_at) AS last_update_at
              FROM payment_metrics_5m
             WHERE window_start >= ${new Date(range.fromMs)} AND window_start + interval '5 minutes' <= ${new Date(endMs)}
             GROUP BY window_start) AS m
      LEFT JOIN analytics_examined_windows e ON e.window_start = m.window_start
     WHERE e.window_start IS NULL OR e.txn_count <> m.txn_count
        OR e.last_update_at IS DISTINCT FROM m.last_update_at
     ORDER BY m.window_start`.execute(db);
  return rows.map((row) => ({
    windowStartMs: new Date(row.window_start).getTime(),
    txnCount: Number(row.txn_count),
    lastUpdateAt: row.last_update_at,
  }));
}
