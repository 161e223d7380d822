import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/**
 * Rebuilds the hour and day rollups (`payment_metrics_1h/1d`, `aggregate_histograms_1h/1d`) of
 * every 5-minute window changed since the last refresh, in one transaction; returns the hours
 * rebuilt. The batches only mark their windows: rebuilding here, outside the batch transaction,
 * is what keeps the rollups off the pipeline's hot path (database/schemas/21_rollups_by_refresh.sql).
 * Safe to call at any time, from several processes, and while batches commit.
 */
export async function refreshRollups(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ hours: number }>`SELECT paymetrics_refresh_rollups() AS hours`.execute(db);
  return Number(rows[0]?.hours ?? 0);
}
