import { WINDOW_MS } from '@paymetrics/metric-engine';
import { sql } from 'kysely';
import { isRangeName, type RangeName, type ReportRange, reportRange } from './range.js';
import type { ReportingDatabase } from './reporting-database.js';
import { tableExists } from './sql-parts.js';

export interface DataStatus {
  /** End of the newest 5-minute window holding data; null when no payment has been counted. */
  readonly dataEnd: Date | null;
  /** A batch was committed within `liveWithinMs`: a run is in progress. */
  readonly live: boolean;
  readonly lastCommitAt: Date | null;
  /** Which analytics tables this database has. */
  readonly analytics: { readonly rollups: boolean; readonly anomalies: boolean; readonly segments: boolean };
}

export async function readDataStatus(
  db: ReportingDatabase,
  options: { readonly nowMs?: number; readonly liveWithinMs?: number } = {},
): Promise<DataStatus> {
  const { rows } = await sql<{ last_window: Date | string | null; last_commit: Date | string | null }>`
    select (select max(window_start) from payment_metrics_5m) as last_window,
           (select max(updated_at) from source_positions) as last_commit`.execute(db);
  const row = rows[0];
  const lastWindow = row?.last_window ? new Date(row.last_window) : null;
  const lastCommitAt = row?.last_commit ? new Date(row.last_commit) : null;
  const now = options.nowMs ?? Date.now();
  const [rollups, anomalies, segments] = await Promise.all([
    tableExists(db, 'payment_metrics_1h'),
    tableExists(db, 'metric_anomalies'),
    tableExists(db, 'merchant_segments'),
  ]);
  return {
    dataEnd: lastWindow ? new Date(lastWindow.getTime() + WINDOW_MS) : null,
    live: lastCommitAt !== null && now - lastCommitAt.getTime() <= (options.liveWithinMs ?? 60_000),
    lastCommitAt,
    analytics: { rollups, anomalies, segments },
  };
}

/**
 * The range to report: `name` ending at `to` when given, else at the newest data (so a run
 * from yesterday still shows its data instead of an empty last hour).
 */
export function resolveRange(
  name: RangeName | string | undefined,
  status: DataStatus,
  to?: Date,
): ReportRange {
  const rangeName: RangeName = isRangeName(name) ? name : '24h';
  const endMs = to?.getTime() ?? status.dataEnd?.getTime() ?? Date.now();
  return reportRange(rangeName, endMs);
}
