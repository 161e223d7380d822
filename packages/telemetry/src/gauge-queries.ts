import { type Kysely, sql } from 'kysely';
import type { GaugeReadings } from './database-gauges.js';

export interface GaugeQueryOptions {
  /** Each read gives up after this long, so a busy database costs the pipeline nothing. */
  readonly statementTimeoutMs?: number | undefined;
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 2_000;

/**
 * The gauges' readings in one short transaction. Both counts use partial indexes
 * (failed_items_due on pending/retrying, metric_anomalies_open on open), so they read only the
 * rows they count. metric_anomalies may not exist yet (an older schema): then no anomaly gauge.
 */
export async function readGaugeCounts(
  // biome-ignore lint/suspicious/noExplicitAny: reads two tables by raw SQL, whatever the app's schema type
  db: Kysely<any>,
  options: GaugeQueryOptions = {},
): Promise<GaugeReadings> {
  const timeoutMs = Math.max(1, Math.round(options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS));
  return db.transaction().execute(async (trx) => {
    await sql.raw(`SET LOCAL statement_timeout = ${timeoutMs}`).execute(trx);
    const deadLetter = { pending: 0, retrying: 0 };
    const parked = await sql<{ status: 'pending' | 'retrying'; n: number }>`
      SELECT status, count(*)::int AS n FROM failed_items
      WHERE status IN ('pending', 'retrying') GROUP BY status`.execute(trx);
    for (const row of parked.rows) deadLetter[row.status] = Number(row.n);

    const table = await sql<{ present: boolean }>`
      SELECT to_regclass('metric_anomalies') IS NOT NULL AS present`.execute(trx);
    if (!table.rows[0]?.present) return { deadLetter, anomalies: undefined };
    const open = await sql<{ metric: string; n: number }>`
      SELECT metric, count(*)::int AS n FROM metric_anomalies WHERE status = 'open' GROUP BY metric`.execute(
      trx,
    );
    const anomalies: Record<string, number> = {};
    for (const row of open.rows) anomalies[row.metric] = Number(row.n);
    return { deadLetter, anomalies };
  });
}
