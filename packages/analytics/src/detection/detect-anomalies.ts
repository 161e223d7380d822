import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';
import { type ClosedWindowOptions, closedHorizonMs, WINDOW_MS, windowsToExamine } from './closed-windows.js';
import {
  type AnomalyMetric,
  approvalTests,
  type DetectorSettings,
  declineCodeTests,
  defaultDetectorSettings,
  type Excluded,
  excludedKey,
  latencyTests,
  volumeTests,
  type WindowTest,
} from './detectors.js';
import { adjustedPValues } from './false-discoveries.js';
import { loadCounts, loadDeclines, loadLatencySketches, scopeObject } from './window-data.js';

export interface DetectOptions extends ClosedWindowOptions {
  /** Examine windows starting at or after this (epoch ms); default: 2 days before the horizon. */
  readonly fromMs?: number;
  /** Examine windows starting before this (epoch ms); default: every closed window. */
  readonly toMs?: number;
  /** Processor regions: region name to its ISO countries; each region becomes a scope. */
  readonly regions?: Readonly<Record<string, readonly string[]>>;
  /**
   * False discovery rate per window across all its tests (Benjamini-Hochberg); default 0.001.
   * When nothing happens, BH at level q raises an alarm in a window with probability at most q,
   * so over the 288 windows of a day at most 288 q windows (0.29) raise a false alarm.
   */
  readonly falseDiscoveryRate?: number;
  readonly settings?: Partial<DetectorSettings>;
}

export interface DetectSummary {
  /** Windows up to this event time (epoch ms) were closed; undefined when nothing was committed yet. */
  readonly horizonMs: number | undefined;
  readonly windowsExamined: number;
  readonly tests: number;
  readonly anomalousWindows: number;
  readonly anomaliesCreated: number;
  readonly anomaliesExtended: number;
}

interface Run {
  readonly metric: AnomalyMetric;
  readonly scope: string;
  startMs: number;
  endMs: number;
  worst: WindowTest & { adjusted: number };
}

const HOUR_MS = 3_600_000;
/** At most about one false alarm every three days of 5-minute windows (288 q per day). */
const defaultFalseDiscoveryRate = 0.001;

/**
 * Examines every closed window in the range that was not examined yet (or changed since),
 * oldest first: tests each scope against its baseline (null: no material change), keeps the
 * tests that survive the Benjamini-Hochberg adjustment across the window (Tarone-pruned) and are
 * material, merges consecutive anomalous
 * windows of one metric and scope into one anomaly (extending one recorded earlier), and records
 * the windows as examined, all in one transaction. Running it again changes nothing.
 */
export async function detectAnomalies(
  db: Kysely<Database>,
  options: DetectOptions = {},
): Promise<DetectSummary> {
  const settings = { ...defaultDetectorSettings, ...options.settings };
  const fdr = options.falseDiscoveryRate ?? defaultFalseDiscoveryRate;
  const horizonMs = await closedHorizonMs(db, options);
  const empty = {
    horizonMs,
    windowsExamined: 0,
    tests: 0,
    anomalousWindows: 0,
    anomaliesCreated: 0,
    anomaliesExtended: 0,
  };
  if (horizonMs === undefined) return empty;
  const fromMs = options.fromMs ?? horizonMs - 2 * 24 * HOUR_MS;
  const windows = await windowsToExamine(db, { fromMs, toMs: options.toMs ?? horizonMs, horizonMs });
  if (windows.length === 0) return empty;

  const firstMs = windows[0]!.windowStartMs;
  const lastEndMs = windows[windows.length - 1]!.windowStartMs + WINDOW_MS;
  const recentFromMs = firstMs - settings.recentWindows * WINDOW_MS;
  const regionOf = new Map<string, string>();
  for (const [region, countries] of Object.entries(options.regions ?? {})) {
    for (const country of countries) regionOf.set(country, region);
  }
  const counts = await loadCounts(
    db,
    'payment_metrics_5m',
    { fromMs: recentFromMs, toMs: lastEndMs },
    regionOf,
  );
  const hourly = await loadCounts(
    db,
    'payment_metrics_1h_current',
    { fromMs: firstMs - (settings.historyDays + 1) * 24 * HOUR_MS, toMs: firstMs },
    regionOf,
  );
  const declines = await loadDeclines(db, { fromMs: recentFromMs, toMs: lastEndMs });
  const windowSketches = await loadLatencySketches(
    db,
    'aggregate_histograms',
    { fromMs: firstMs, toMs: lastEndMs },
    30,
  );
  const hourSketches = await loadLatencySketches(
    db,
    'aggregate_histograms_1h_current',
    { fromMs: Math.floor(firstMs / HOUR_MS) * HOUR_MS - 2 * HOUR_MS, toMs: lastEndMs },
    100,
  );
  const excluded = await recordedAnomalousWindows(db, recentFromMs, lastEndMs);

  let tests = 0;
  let anomalousWindows = 0;
  const anomalous: (WindowTest & { adjusted: number })[] = [];
  for (const { windowStartMs } of windows) {
    const windowTests = [
      ...approvalTests(windowStartMs, counts, hourly, excluded, settings),
      ...volumeTests(windowStartMs, counts, hourly, settings),
      ...declineCodeTests(windowStartMs, declines, counts, excluded, settings),
      ...latencyTests(windowStartMs, windowSketches, hourSketches, settings),
    ];
    tests += windowTests.length;
    if (windowTests.length === 0) continue;
    const adjusted = adjustedPValues(windowTests, fdr);
    let found = false;
    windowTests.forEach((test, i) => {
      if (adjusted[i]! <= fdr && test.material) {
        anomalous.push({ ...test, adjusted: adjusted[i]! });
        excluded.add(excludedKey(test.metric, test.scope, test.windowStartMs));
        found = true;
      }
    });
    if (found) anomalousWindows++;
  }

  const runs = mergeRuns(anomalous);
  let created = 0;
  let extended = 0;
  await db.transaction().execute(async (trx) => {
    for (const run of runs) {
      const outcome = await recordRun(trx, run, horizonMs);
      if (outcome === 'created') created++;
      else extended++;
    }
    // An open anomaly whose scope has since been examined without extending it is over.
    await sql`UPDATE metric_anomalies SET status = 'resolved', updated_at = now()
               WHERE status = 'open' AND window_end < ${new Date(lastEndMs)}`.execute(trx);
    const perWindow = new Map<number, number>();
    for (const test of anomalous)
      perWindow.set(test.windowStartMs, (perWindow.get(test.windowStartMs) ?? 0) + 1);
    await sql`
      INSERT INTO analytics_examined_windows (window_start, txn_count, last_update_at, anomalous)
      SELECT w::timestamptz, n::bigint, u::timestamptz, a::integer
        FROM unnest(${windows.map((w) => new Date(w.windowStartMs).toISOString())}::text[],
                    ${windows.map((w) => String(w.txnCount))}::text[],
                    ${windows.map((w) => w.lastUpdateAt)}::text[],
                    ${windows.map((w) => String(perWindow.get(w.windowStartMs) ?? 0))}::text[]) AS t(w, n, u, a)
      ON CONFLICT (window_start) DO UPDATE SET txn_count = EXCLUDED.txn_count,
        last_update_at = EXCLUDED.last_update_at, anomalous = EXCLUDED.anomalous, examined_at = now()`.execute(
      trx,
    );
  });
  return {
    horizonMs,
    windowsExamined: windows.length,
    tests,
    anomalousWindows,
    anomaliesCreated: created,
    anomaliesExtended: extended,
  };
}

/** Windows inside anomalies recorded by earlier runs, kept out of this run's baselines. */
async function recordedAnomalousWindows(
  db: Kysely<Database>,
  fromMs: number,
  toMs: number,
): Promise<Excluded> {
  const { rows } = await sql<{ metric: AnomalyMetric; scope: Record<string, string>; s: Date; e: Date }>`
    SELECT metric, scope, window_start AS s, window_end AS e FROM metric_anomalies
     WHERE window_end > ${new Date(fromMs)} AND window_start < ${new Date(toMs)}`.execute(db);
  const excluded: Excluded = new Set();
  for (const row of rows) {
    const [kind, value] = Object.entries(row.scope)[0] ?? ['overall', ''];
    const scope = kind === 'overall' ? 'overall' : `${kind}=${value}`;
    for (let w = new Date(row.s).getTime(); w < new Date(row.e).getTime(); w += WINDOW_MS) {
      excluded.add(excludedKey(row.metric, scope, w));
    }
  }
  return excluded;
}

/** Consecutive anomalous windows of one metric and scope become one run, led by its strongest window. */
export function mergeRuns(anomalous: readonly (WindowTest & { adjusted: number })[]): Run[] {
  const sorted = [...anomalous].sort(
    (a, b) =>
      a.metric.localeCompare(b.metric) || a.scope.localeCompare(b.scope) || a.windowStartMs - b.windowStartMs,
  );
  const runs: Run[] = [];
  for (const test of sorted) {
    const last = runs[runs.length - 1];
    if (
      last &&
      last.metric === test.metric &&
      last.scope === test.scope &&
      last.endMs >= test.windowStartMs
    ) {
      last.endMs = Math.max(last.endMs, test.windowStartMs + WINDOW_MS);
      if (test.adjusted < last.worst.adjusted) last.worst = test;
      continue;
    }
    runs.push({
      metric: test.metric,
      scope: test.scope,
      startMs: test.windowStartMs,
      endMs: test.windowStartMs + WINDOW_MS,
      worst: test,
    });
  }
  return runs;
}

async function recordRun(
  trx: Kysely<Database>,
  run: Run,
  horizonMs: number,
): Promise<'created' | 'extended'> {
  const scope = JSON.stringify(scopeObject(run.scope));
  const score = -Math.log10(Math.max(run.worst.adjusted, 1e-300));
  const severity = score >= 6 ? 'critical' : 'warning';
  const status = run.endMs + WINDOW_MS > horizonMs ? 'open' : 'resolved';
  const details = JSON.stringify({
    ...run.worst.details,
    worstWindowStart: new Date(run.worst.windowStartMs),
  });
  // An anomaly of the same metric and scope that this run touches or continues is extended.
  const { rows } = await sql<{ id: string }>`
    UPDATE metric_anomalies SET
      window_end = greatest(window_end, ${new Date(run.endMs)}),
      status = ${status}, updated_at = now(),
      observed = CASE WHEN score >= ${score} THEN observed ELSE ${run.worst.observed} END,
      expected = CASE WHEN score >= ${score} THEN expected ELSE ${run.worst.expected} END,
      severity = CASE WHEN score >= ${score} THEN severity ELSE ${severity} END,
      details = CASE WHEN score >= ${score} THEN details ELSE ${details}::jsonb END,
      score = greatest(score, ${score})
    WHERE id = (SELECT id FROM metric_anomalies
                 WHERE metric = ${run.metric} AND scope = ${scope}::jsonb
                   AND window_start <= ${new Date(run.endMs)} AND window_end >= ${new Date(run.startMs)}
                 ORDER BY window_start LIMIT 1)
    RETURNING id::text`.execute(trx);
  if (rows.length > 0) return 'extended';
  await sql`
    INSERT INTO metric_anomalies (metric, scope, window_start, window_end, observed, expected, score, severity,
                                  detector, status, details)
    VALUES (${run.metric}, ${scope}::jsonb, ${new Date(run.startMs)}, ${new Date(run.endMs)}, ${run.worst.observed},
            ${run.worst.expected}, ${score}, ${severity}, ${detectorName[run.metric]}, ${status}, ${details}::jsonb)`.execute(
    trx,
  );
  return 'created';
}

const detectorName: Record<AnomalyMetric, string> = {
  approval_rate: 'binomial-vs-time-of-day-baseline',
  decline_code_share: 'binomial-code-share-vs-recent',
  latency_p95: 'sketch-exceedance-vs-prior-hours',
  volume: 'poisson-vs-time-of-day-baseline',
};
