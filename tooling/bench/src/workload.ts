import { generateScenario } from '@paymetrics/scenarios';

/** Event time of the scenarios; the pipeline's clock sits just after it, so no event is too late. */
export const SCENARIO_START_MS = Date.UTC(2026, 10, 27, 9, 0);
export const SCENARIO_SPAN_MS = 60 * 60_000;
export const PIPELINE_NOW_MS = SCENARIO_START_MS + SCENARIO_SPAN_MS + 60_000;
export const SEED = 20_261_127;

export interface Workload {
  readonly lines: string[];
  /** The simulator's kind per line: valid, late, duplicate or a malformed kind. */
  readonly kinds: string[];
  /** eventIds the pipeline must count: valid (and late) events, each id once. */
  readonly expectedCounted: number;
}

/** The simulator's realistic mix: Zipf-skewed merchants, 0.5% malformed, 0.2% duplicates, 1% late. */
export function realisticWorkload(count: number, seed = SEED): Workload {
  const lines: string[] = [];
  const kinds: string[] = [];
  let expectedCounted = 0;
  for (const event of generateScenario({
    seed,
    count,
    startMs: SCENARIO_START_MS,
    spanMs: SCENARIO_SPAN_MS,
  })) {
    lines.push(event.line);
    kinds.push(event.kind);
    if (event.kind === 'valid' || event.kind === 'late') expectedCounted++;
  }
  return { lines, kinds, expectedCounted };
}

const MERCHANT_FIELD = /"merchantId":"[^"]*"/;

/**
 * Every event its own aggregate key: the same events with a unique merchantId per line, so each
 * one creates new payment, histogram and rule rows instead of folding into existing ones.
 */
export function worstCaseWorkload(base: Workload): Workload {
  return {
    // A line parked for its merchantId keeps it, so the expected count stays the same.
    lines: base.lines.map((line, i) =>
      base.kinds[i] === 'bad_merchant_id'
        ? line
        : line.replace(MERCHANT_FIELD, `"merchantId":"u${i.toString(36)}"`),
    ),
    kinds: base.kinds,
    expectedCounted: base.expectedCounted,
  };
}
