import { sql } from 'kysely';
import type { ReportRange } from './range.js';
import type { ReportFilter, ReportingDatabase } from './reporting-database.js';
import { iso, tableExists, toNumber } from './sql-parts.js';

export interface Anomaly {
  readonly id: string;
  readonly metric: string;
  readonly scope: Record<string, string>;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly observed: number | null;
  readonly expected: number | null;
  readonly score: number | null;
  readonly severity: string;
  readonly status: string;
  readonly detector: string;
}

export interface AnomalyReport {
  /** False when the database has no metric_anomalies table (analytics not migrated). */
  readonly available: boolean;
  /** Anomalies overlapping the range, any status, for the time axis. */
  readonly inRange: readonly Anomaly[];
  /** Every open anomaly, newest first. */
  readonly open: readonly Anomaly[];
}

const LIMIT = 200;

/** Anomalies from metric_anomalies; narrowed to a merchant, those whose scope names it. */
export async function readAnomalies(
  db: ReportingDatabase,
  range: ReportRange,
  filter: ReportFilter = {},
): Promise<AnomalyReport> {
  if (!(await tableExists(db, 'metric_anomalies'))) return { available: false, inRange: [], open: [] };
  const scope =
    filter.merchantId === undefined ? sql`true` : sql`scope ->> 'merchant_id' = ${filter.merchantId}`;
  const select = sql`select id::text as id, metric, scope, window_start, window_end, observed::float8 as observed,
                            expected::float8 as expected, score::float8 as score, severity, status, detector
                       from metric_anomalies`;
  const [inRange, open] = await Promise.all([
    sql<AnomalyRow>`${select}
      where ${scope} and window_end > ${iso(range.from)}::timestamptz and window_start < ${iso(range.to)}::timestamptz
      order by window_start, id limit ${LIMIT}`.execute(db),
    sql<AnomalyRow>`${select} where ${scope} and status = 'open' order by window_start desc, id limit ${LIMIT}`.execute(
      db,
    ),
  ]);
  return { available: true, inRange: inRange.rows.map(toAnomaly), open: open.rows.map(toAnomaly) };
}

interface AnomalyRow {
  id: string;
  metric: string;
  scope: Record<string, string> | string;
  window_start: Date | string;
  window_end: Date | string;
  observed: number | null;
  expected: number | null;
  score: number | null;
  severity: string;
  status: string;
  detector: string;
}

function toAnomaly(row: AnomalyRow): Anomaly {
  const nullable = (value: number | null) => (value === null ? null : toNumber(value));
  return {
    id: row.id,
    metric: row.metric,
    scope: typeof row.scope === 'string' ? (JSON.parse(row.scope) as Record<string, string>) : row.scope,
    windowStart: new Date(row.window_start).toISOString(),
    windowEnd: new Date(row.window_end).toISOString(),
    observed: nullable(row.observed),
    expected: nullable(row.expected),
    score: nullable(row.score),
    severity: row.severity,
    status: row.status,
    detector: row.detector,
  };
}
