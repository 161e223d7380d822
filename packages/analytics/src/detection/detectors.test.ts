import { describe, expect, it } from 'vitest';
import { WINDOW_MS } from './closed-windows.js';
import {
  approvalTests,
  type DetectorSettings,
  declineCodeTests,
  defaultDetectorSettings,
} from './detectors.js';
import type { CountSeries, Counts, DeclineSeries } from './window-data.js';

const settings: DetectorSettings = defaultDetectorSettings;
const NOW = Date.parse('2026-11-20T12:00:00Z');

/** One scope's series: `history` windows of baseline before NOW, then the examined window. */
function series(history: readonly Counts[], now: Counts): CountSeries {
  const byWindow = new Map<number, Counts>();
  for (const [i, counts] of history.entries()) byWindow.set(NOW - (history.length - i) * WINDOW_MS, counts);
  byWindow.set(NOW, now);
  return new Map([['merchant_id=m_1', byWindow]]);
}

const noHistory: CountSeries = new Map();

describe('approvalTests', () => {
  it('does not take a short all-approved baseline for certainty', () => {
    // 95 of 95 approved before, 7 of 10 now: against a plug-in rate of 1 this was p = 0.
    const counts = series(
      Array.from({ length: 19 }, () => ({ txn: 5, approved: 5 })),
      { txn: 10, approved: 7 },
    );
    const [test] = approvalTests(NOW, counts, noHistory, new Set(), settings);
    expect(test!.pValue).toBeGreaterThan(0.01);
  });

  it('does not judge an immaterial dip in a large scope significant', () => {
    // 92% before on 24 windows of 1000, 89% now: a real but small change, 3 points.
    const counts = series(
      Array.from({ length: 24 }, () => ({ txn: 1000, approved: 920 })),
      {
        txn: 1000,
        approved: 890,
      },
    );
    const [test] = approvalTests(NOW, counts, noHistory, new Set(), settings);
    expect(test!.pValue).toBeGreaterThan(0.5);
    expect(test!.material).toBe(false);
  });

  it('finds a collapse: a tiny p-value, material, and a test with power', () => {
    const counts = series(
      Array.from({ length: 24 }, () => ({ txn: 20, approved: 19 })),
      { txn: 20, approved: 6 },
    );
    const [test] = approvalTests(NOW, counts, noHistory, new Set(), settings);
    expect(test!.pValue).toBeLessThan(1e-5);
    expect(test!.minPValue).toBeLessThan(test!.pValue);
    expect(test!.material).toBe(true);
  });

  it('finds a collapse of a scope with a handful of transactions per window over several windows', () => {
    // 5 a window at 80%, then 1 of 5 for eight windows: no window or pair says much, eight do.
    const history = Array.from({ length: 24 }, () => ({ txn: 5, approved: 4 }));
    const collapse = Array.from({ length: 7 }, () => ({ txn: 5, approved: 1 }));
    const counts = series([...history, ...collapse], { txn: 5, approved: 1 });
    const [test] = approvalTests(NOW, counts, noHistory, new Set(), settings);
    expect(test!.details.lookWindows).toBe(8);
    expect(test!.pValue).toBeLessThan(1e-5);
    // Looking at this window and the one before only, the same collapse is little to go by.
    const [single] = approvalTests(NOW, counts, noHistory, new Set(), { ...settings, approvalLooks: [1, 2] });
    expect(single!.pValue).toBeGreaterThan(1e-3);
  });
});

describe('declineCodeTests', () => {
  it('needs more than a code that never appeared in a short baseline to show up a few times', () => {
    const counts = series(
      Array.from({ length: 2 }, () => ({ txn: 40, approved: 38 })),
      { txn: 40, approved: 35 },
    );
    const declines: DeclineSeries = new Map([['merchant_id=m_1', new Map([[NOW, new Map([['51', 5]])]])]]);
    const [test] = declineCodeTests(NOW, declines, counts, new Set(), settings);
    // 5 of 40 against a code never seen in 80 transactions: unusual, but 80 is little to know it by.
    expect(test!.pValue).toBeGreaterThan(1e-4);
  });

  it('finds a code that jumps against a long baseline', () => {
    const counts = series(
      Array.from({ length: 24 }, () => ({ txn: 200, approved: 190 })),
      {
        txn: 200,
        approved: 120,
      },
    );
    const declines: DeclineSeries = new Map([['merchant_id=m_1', new Map([[NOW, new Map([['91', 70]])]])]]);
    const [test] = declineCodeTests(NOW, declines, counts, new Set(), settings);
    expect(test!.pValue).toBeLessThan(1e-12);
    expect(test!.material).toBe(true);
  });
});
