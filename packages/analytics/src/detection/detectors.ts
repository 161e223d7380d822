import {
  mergeStoredSketches,
  type StoredSketch,
  sketchMapping,
  storedSketchCount,
  storedSketchQuantile,
} from '@paymetrics/metric-engine';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import poissonCdf from '@stdlib/stats-base-dists-poisson-cdf';
import { WINDOW_MS } from './closed-windows.js';
import type { CountSeries, Counts, DeclineSeries, SketchSeries } from './window-data.js';

export type AnomalyMetric = 'approval_rate' | 'decline_code_share' | 'latency_p95' | 'volume';

/** One hypothesis test: is this scope's window worse than its baseline? */
export interface WindowTest {
  readonly metric: AnomalyMetric;
  readonly scope: string;
  readonly windowStartMs: number;
  /** One-sided p-value under the baseline (before the false-discovery adjustment). */
  readonly pValue: number;
  readonly observed: number;
  readonly expected: number;
  /** The change is large enough to matter to a person (a significant 0.5% dip is not an incident). */
  readonly material: boolean;
  readonly details: Record<string, unknown>;
}

export interface DetectorSettings {
  /** Fewer transactions than this in a window: too small to judge. */
  readonly minWindowCount: number;
  /** Baselines need at least this many transactions behind them. */
  readonly minBaselineCount: number;
  /** Windows before the examined one that form the recent baseline (24 = 2 hours). */
  readonly recentWindows: number;
  /** Days back for the time-of-day baseline (the same UTC hour on those days). */
  readonly historyDays: number;
  /** Material drops and rises. */
  readonly minApprovalDrop: number;
  readonly minDeclineShareRise: number;
  readonly minLatencyRatio: number;
  readonly maxVolumeRatio: number;
  readonly minExpectedVolume: number;
}

export const defaultDetectorSettings: DetectorSettings = {
  minWindowCount: 10,
  minBaselineCount: 50,
  recentWindows: 24,
  historyDays: 7,
  minApprovalDrop: 0.1,
  minDeclineShareRise: 0.05,
  minLatencyRatio: 1.5,
  maxVolumeRatio: 0.5,
  minExpectedVolume: 20,
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Windows already judged anomalous, per metric and scope, kept out of the baselines. */
export type Excluded = Set<string>;
export const excludedKey = (metric: AnomalyMetric, scope: string, windowMs: number) =>
  `${metric}|${scope}|${windowMs}`;

/** Sum of the recent windows' counts, skipping windows excluded for this metric and scope. */
function recentCounts(
  byWindow: ReadonlyMap<number, Counts>,
  windowMs: number,
  metric: AnomalyMetric,
  scope: string,
  excluded: Excluded,
  settings: DetectorSettings,
): Counts & { windows: number } {
  const total = { txn: 0, approved: 0, windows: 0 };
  for (let i = 1; i <= settings.recentWindows; i++) {
    const w = windowMs - i * WINDOW_MS;
    if (excluded.has(excludedKey(metric, scope, w))) continue;
    total.windows++;
    const counts = byWindow.get(w);
    if (counts) {
      total.txn += counts.txn;
      total.approved += counts.approved;
    }
  }
  return total;
}

/** The same UTC hour on previous days, from the hour rollup: the time-of-day baseline. */
function sameHourCounts(
  hourly: ReadonlyMap<number, Counts> | undefined,
  windowMs: number,
  settings: DetectorSettings,
): Counts & { days: number } {
  const total = { txn: 0, approved: 0, days: 0 };
  if (!hourly) return total;
  const hour = Math.floor(windowMs / HOUR_MS) * HOUR_MS;
  for (let day = 1; day <= settings.historyDays; day++) {
    const counts = hourly.get(hour - day * DAY_MS);
    if (!counts) continue;
    total.txn += counts.txn;
    total.approved += counts.approved;
    total.days++;
  }
  return total;
}

/**
 * Approval rate: approvals ~ Binomial(n, p0) under the baseline p0, the mean of the recent rate
 * and the same hour's rate on previous days (time of day); a low tail p-value is a drop. A small
 * scope is also tested over this window and the one before together (two windows hold enough
 * transactions where one does not); the smaller p-value, doubled for the second look, counts.
 */
export function approvalTests(
  windowMs: number,
  counts: CountSeries,
  hourly: CountSeries,
  excluded: Excluded,
  settings: DetectorSettings,
): WindowTest[] {
  const tests: WindowTest[] = [];
  for (const [scope, byWindow] of counts) {
    const now = byWindow.get(windowMs);
    if (!now) continue;
    const before = byWindow.get(windowMs - WINDOW_MS) ?? { txn: 0, approved: 0 };
    const pair = { txn: now.txn + before.txn, approved: now.approved + before.approved };
    if (pair.txn < settings.minWindowCount) continue;
    const recent = recentCounts(byWindow, windowMs, 'approval_rate', scope, excluded, settings);
    const slot = sameHourCounts(hourly.get(scope), windowMs, settings);
    const rates: number[] = [];
    if (recent.txn >= settings.minBaselineCount) rates.push(recent.approved / recent.txn);
    if (slot.txn >= settings.minBaselineCount) rates.push(slot.approved / slot.txn);
    if (rates.length === 0) continue;
    const expected = Math.min(rates.reduce((a, b) => a + b, 0) / rates.length, 1);
    const observed = now.approved / now.txn;
    const single = now.txn >= settings.minWindowCount ? binomialCdf(now.approved, now.txn, expected) : 1;
    const both = binomialCdf(pair.approved, pair.txn, expected);
    tests.push({
      metric: 'approval_rate',
      scope,
      windowStartMs: windowMs,
      pValue: Math.min(1, 2 * Math.min(single, both)),
      observed,
      expected,
      // This window itself must be low: a pair carried by the window before is that window's anomaly.
      material:
        expected - observed >= settings.minApprovalDrop &&
        (single <= both || expected - pair.approved / pair.txn >= settings.minApprovalDrop),
      details: { transactions: now.txn, approved: now.approved, baselineTransactions: recent.txn + slot.txn },
    });
  }
  return tests;
}

/**
 * Volume: transactions ~ Poisson(lambda), lambda the mean per window of the same UTC hour on
 * previous days; a low tail is a drop. A scope with no row in the window counts 0.
 */
export function volumeTests(
  windowMs: number,
  counts: CountSeries,
  hourly: CountSeries,
  settings: DetectorSettings,
): WindowTest[] {
  const tests: WindowTest[] = [];
  for (const [scope, byWindow] of counts) {
    // Volume follows the time of day steeply (a merchant's evening can halve in an hour), so
    // only the same hour on previous days is a fair baseline: without history, no volume test.
    const slot = sameHourCounts(hourly.get(scope), windowMs, settings);
    if (slot.days === 0) continue;
    const expected = slot.txn / slot.days / (HOUR_MS / WINDOW_MS);
    if (expected < settings.minExpectedVolume) continue;
    const observed = byWindow.get(windowMs)?.txn ?? 0;
    tests.push({
      metric: 'volume',
      scope,
      windowStartMs: windowMs,
      pValue: poissonCdf(observed, expected),
      observed,
      expected,
      material: observed <= settings.maxVolumeRatio * expected,
      details: { historyDays: slot.days },
    });
  }
  return tests;
}

/**
 * Decline codes: declines with code c ~ Binomial(n, r0), n the scope's transactions and r0 the
 * code's recent rate; a high tail is a code that jumps (e.g. 91, issuer unavailable).
 */
export function declineCodeTests(
  windowMs: number,
  declines: DeclineSeries,
  counts: CountSeries,
  excluded: Excluded,
  settings: DetectorSettings,
): WindowTest[] {
  const tests: WindowTest[] = [];
  for (const [scope, byWindow] of declines) {
    const codes = byWindow.get(windowMs);
    const scopeCounts = counts.get(scope);
    const n = scopeCounts?.get(windowMs)?.txn ?? 0;
    if (!codes || !scopeCounts || n < settings.minWindowCount) continue;
    const recent = recentCounts(scopeCounts, windowMs, 'decline_code_share', scope, excluded, settings);
    if (recent.txn < settings.minBaselineCount) continue;
    for (const [code, x] of codes) {
      if (x < 5) continue;
      let recentCode = 0;
      for (let i = 1; i <= settings.recentWindows; i++) {
        const w = windowMs - i * WINDOW_MS;
        if (!excluded.has(excludedKey('decline_code_share', scope, w)))
          recentCode += byWindow.get(w)?.get(code) ?? 0;
      }
      // Half a decline in the baseline when the code never appeared: never a zero rate.
      const expected = Math.max(recentCode, 0.5) / recent.txn;
      const observed = x / n;
      tests.push({
        metric: 'decline_code_share',
        scope,
        windowStartMs: windowMs,
        pValue: 1 - binomialCdf(x - 1, n, expected),
        observed,
        expected,
        material: observed - expected >= settings.minDeclineShareRise && observed >= 2 * expected,
        details: { declineCode: code, declines: x, transactions: n },
      });
    }
  }
  return tests;
}

/**
 * Latency p95: the baseline p95 comes from the hour rollup's sketches of the two hours before;
 * under it, a window's values above that p95 ~ Binomial(n, 0.05), so many more is a rise.
 */
export function latencyTests(
  windowMs: number,
  windows: SketchSeries,
  hours: SketchSeries,
  settings: DetectorSettings,
): WindowTest[] {
  const tests: WindowTest[] = [];
  const hour = Math.floor(windowMs / HOUR_MS) * HOUR_MS;
  for (const [scope, byWindow] of windows) {
    const sketch = byWindow.get(windowMs);
    if (!sketch) continue;
    const n = storedSketchCount(sketch);
    if (n < 30) continue;
    const before = [hours.get(scope)?.get(hour - HOUR_MS), hours.get(scope)?.get(hour - 2 * HOUR_MS)].filter(
      (s): s is StoredSketch => s !== undefined,
    );
    if (before.length === 0) continue;
    const baseline = before.reduce((a, b) => mergeStoredSketches(a, b));
    if (storedSketchCount(baseline) < settings.minBaselineCount * 2) continue;
    const expected = storedSketchQuantile(baseline, 0.95)!;
    const observed = storedSketchQuantile(sketch, 0.95)!;
    const above = countAbove(sketch, expected);
    tests.push({
      metric: 'latency_p95',
      scope,
      windowStartMs: windowMs,
      pValue: above === 0 ? 1 : 1 - binomialCdf(above - 1, n, 0.05),
      observed,
      expected,
      material: observed >= settings.minLatencyRatio * expected,
      details: { transactions: n, aboveBaselineP95: above },
    });
  }
  return tests;
}

/** Values in bins wholly above the threshold's bin: at most the true count above it. */
function countAbove(sketch: StoredSketch, threshold: number): number {
  const thresholdIndex = sketchMapping(sketch.relativeAccuracy).index(threshold);
  let above = 0;
  for (const key of Object.keys(sketch.bins)) if (Number(key) > thresholdIndex) above += sketch.bins[key]!;
  return above;
}
