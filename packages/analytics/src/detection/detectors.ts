import {
  mergeStoredSketches,
  type StoredSketch,
  sketchMapping,
  storedSketchCount,
  storedSketchQuantile,
} from '@paymetrics/metric-engine';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
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
  /**
   * One-sided p-value of the null "no material change" (e.g. the approval rate fell by less than
   * minApprovalDrop from the baseline), computed at that null's boundary; before the
   * false-discovery adjustment.
   */
  readonly pValue: number;
  /**
   * The smallest p-value this test could give with its sample (the most extreme outcome): a test
   * whose minimum cannot reach the false-discovery level has no power and is left out of the
   * family (Tarone), instead of diluting the tests that can find something.
   */
  readonly minPValue: number;
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
  /**
   * One-sided confidence of the bound put on a baseline rate estimated from its counts (Jeffreys
   * interval): the null's boundary starts from that bound, so a baseline of few transactions,
   * whose rate is uncertain, cannot make an ordinary window look extreme.
   */
  readonly baselineConfidence: number;
  /** Windows before the examined one that form the recent baseline (24 = 2 hours). */
  readonly recentWindows: number;
  /** How many of the latest windows each approval test looks at: this one alone, and with those before it. */
  readonly approvalLooks: readonly number[];
  /** Days back for the time-of-day baseline (the same UTC hour on those days). */
  readonly historyDays: number;
  /** Material drops and rises: each test's null is "less than this", so only these can be significant. */
  readonly minApprovalDrop: number;
  readonly minDeclineShareRise: number;
  readonly minLatencyRatio: number;
  readonly maxVolumeRatio: number;
  readonly minExpectedVolume: number;
}

export const defaultDetectorSettings: DetectorSettings = {
  minWindowCount: 10,
  minBaselineCount: 50,
  baselineConfidence: 0.975,
  recentWindows: 24,
  approvalLooks: [1, 2, 4, 8],
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

/**
 * Sum of the counts of the recent windows before `windowMs` (not including it), skipping windows
 * excluded for this metric and scope.
 */
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
 * Bounds of a rate estimated as `rate` from `trials` transactions: the Jeffreys interval's
 * one-sided quantiles (Beta(successes + 1/2, failures + 1/2)).
 */
function rateBounds(rate: number, trials: number, confidence: number): { lower: number; upper: number } {
  const a = rate * trials + 0.5;
  const b = (1 - rate) * trials + 0.5;
  return { lower: betaQuantile(1 - confidence, a, b), upper: betaQuantile(confidence, a, b) };
}

/**
 * Approval rate: the baseline p0 is the mean of the recent rate (the windows before the ones
 * looked at) and the same hour's rate on previous days (time of day). The null is "no material
 * drop": the rate is at least p0 - minApprovalDrop, with p0 taken at its lower confidence bound
 * (the baseline is an estimate too); approvals ~ Binomial(n, boundary) and a low tail rejects it.
 * The test looks at this window alone and together with the windows just before it
 * (approvalLooks): a busy scope shows a drop in one window, a scope with a handful of
 * transactions per window (a merchant in its night) only over several. The smallest p-value,
 * multiplied by the number of looks (Bonferroni), counts; this window must itself be low.
 */
export function approvalTests(
  windowMs: number,
  counts: CountSeries,
  hourly: CountSeries,
  excluded: Excluded,
  settings: DetectorSettings,
): WindowTest[] {
  const tests: WindowTest[] = [];
  const looks = settings.approvalLooks.length;
  for (const [scope, byWindow] of counts) {
    const now = byWindow.get(windowMs);
    if (!now) continue;
    const slot = sameHourCounts(hourly.get(scope), windowMs, settings);
    let best:
      | { look: number; p: number; expected: number; boundary: number; seen: Counts; baseline: number }
      | undefined;
    let minPValue = 1;
    for (const look of [...settings.approvalLooks].sort((a, b) => a - b)) {
      const firstMs = windowMs - (look - 1) * WINDOW_MS;
      // Windows already judged anomalous are their anomaly's evidence, not this window's: a look
      // reaching back into one would report an incident's tail after it ended.
      let reachesAnomaly = false;
      const seen = { txn: 0, approved: 0 };
      for (let w = firstMs; w <= windowMs; w += WINDOW_MS) {
        reachesAnomaly ||= w < windowMs && excluded.has(excludedKey('approval_rate', scope, w));
        seen.txn += byWindow.get(w)?.txn ?? 0;
        seen.approved += byWindow.get(w)?.approved ?? 0;
      }
      if (reachesAnomaly) break;
      if (seen.txn < settings.minWindowCount) continue;
      // The baseline ends where the look starts: the windows judged are not their own baseline.
      const recent = recentCounts(byWindow, firstMs, 'approval_rate', scope, excluded, settings);
      const baselines = [recent, slot].filter((b) => b.txn >= settings.minBaselineCount);
      if (baselines.length === 0) continue;
      const expected = Math.min(
        baselines.reduce((sum, b) => sum + b.approved / b.txn, 0) / baselines.length,
        1,
      );
      // The mean of independent rates is as precise as one rate over this many transactions.
      const effectiveTxn = baselines.length ** 2 / baselines.reduce((sum, b) => sum + 1 / b.txn, 0);
      const boundary =
        rateBounds(expected, effectiveTxn, settings.baselineConfidence).lower - settings.minApprovalDrop;
      if (boundary <= 0) continue;
      const p = binomialCdf(seen.approved, seen.txn, boundary);
      minPValue = Math.min(minPValue, (1 - boundary) ** seen.txn);
      if (!best || p < best.p) best = { look, p, expected, boundary, seen, baseline: recent.txn + slot.txn };
    }
    if (!best) continue;
    const observed = now.approved / now.txn;
    tests.push({
      metric: 'approval_rate',
      scope,
      windowStartMs: windowMs,
      pValue: Math.min(1, looks * best.p),
      minPValue: Math.min(1, looks * minPValue),
      observed,
      expected: best.expected,
      // This window itself must be low: a look carried by the windows before is their anomaly.
      material:
        best.expected - observed >= settings.minApprovalDrop &&
        best.expected - best.seen.approved / best.seen.txn >= settings.minApprovalDrop,
      details: {
        transactions: now.txn,
        approved: now.approved,
        lookWindows: best.look,
        lookTransactions: best.seen.txn,
        lookApproved: best.seen.approved,
        baselineTransactions: best.baseline,
        nullBoundary: best.boundary,
      },
    });
  }
  return tests;
}

/**
 * Volume: lambda is the mean per window of the same UTC hour on previous days; the null is "no
 * material drop" (at least maxVolumeRatio * lambda), transactions ~ Poisson(maxVolumeRatio *
 * lambda) at its boundary, and a low tail rejects it. A scope with no row in the window counts 0.
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
    const boundary = settings.maxVolumeRatio * expected;
    tests.push({
      metric: 'volume',
      scope,
      windowStartMs: windowMs,
      pValue: poissonCdf(observed, boundary),
      minPValue: Math.exp(-boundary),
      observed,
      expected,
      material: observed <= settings.maxVolumeRatio * expected,
      details: { historyDays: slot.days },
    });
  }
  return tests;
}

/**
 * Decline codes: r0 is the code's recent rate per transaction, taken at its upper confidence
 * bound. The null is "no material rise": the share is at most max(r0 + minDeclineShareRise,
 * 2 r0); declines with code c ~ Binomial(n, boundary), and a high tail is a code that jumps
 * (e.g. 91, issuer unavailable).
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
      const expected = recentCode / recent.txn;
      const { upper } = rateBounds(expected, recent.txn, settings.baselineConfidence);
      const boundary = Math.min(Math.max(upper + settings.minDeclineShareRise, 2 * upper), 1);
      const observed = x / n;
      tests.push({
        metric: 'decline_code_share',
        scope,
        windowStartMs: windowMs,
        pValue: 1 - binomialCdf(x - 1, n, boundary),
        minPValue: boundary ** n,
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
 * Latency p95: the baseline p95 comes from the hour rollup's sketches of the two hours before.
 * The null is "no material rise": the window's p95 is at most minLatencyRatio times it, so at
 * most 5% of the window's values lie above that threshold; values above ~ Binomial(n, 0.05) at
 * the boundary, and many more is a rise.
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
    const above = countAbove(sketch, settings.minLatencyRatio * expected);
    tests.push({
      metric: 'latency_p95',
      scope,
      windowStartMs: windowMs,
      pValue: above === 0 ? 1 : 1 - binomialCdf(above - 1, n, 0.05),
      minPValue: 0.05 ** n,
      observed,
      expected,
      material: observed >= settings.minLatencyRatio * expected,
      details: { transactions: n, aboveThreshold: above },
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
