import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/** Hours rebuilt per call of the SQL function: each call is one transaction, kept short. */
export const ROLLUP_REFRESH_HOURS_PER_CALL = 24;

/**
 * Rebuilds the hour and day rollups (`payment_metrics_1h/1d`, `aggregate_histograms_1h/1d`) of
 * every 5-minute window changed since the last refresh; returns the hours rebuilt. The batches
 * only mark their windows: rebuilding here, outside the batch transaction, is what keeps the
 * rollups off the pipeline's hot path (database/schemas/21_rollups_by_refresh.sql). Calls the SQL
 * function until it has nothing left, the oldest hours first, at most `hoursPerCall` per
 * transaction, so a backlog of days catches up in short steps.
 * Safe to call at any time, from several processes, and while batches commit.
 */
export async function refreshRollups(
  db: Kysely<Database>,
  options: { readonly hoursPerCall?: number } = {},
): Promise<number> {
  const hoursPerCall = options.hoursPerCall ?? ROLLUP_REFRESH_HOURS_PER_CALL;
  let total = 0;
  for (;;) {
    const { rows } = await sql<{ hours: number }>`
      SELECT paymetrics_refresh_rollups(${hoursPerCall}::integer) AS hours`.execute(db);
    const hours = Number(rows[0]?.hours ?? 0);
    total += hours;
    if (hours < hoursPerCall) return total;
  }
}
