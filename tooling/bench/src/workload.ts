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
}

/** The simulator's realistic mix: Zipf-skewed merchants, 0.5% malformed, 0.2% duplicates, 1% late. */
export function realisticWorkload(count: number, seed = SEED, startMs = SCENARIO_START_MS): Workload {
  const lines: string[] = [];
  const kinds: string[] = [];
  for (const event of generateScenario({
    seed,
    count,
    startMs,
    spanMs: SCENARIO_SPAN_MS,
  })) {
    lines.push(event.line);
    kinds.push(event.kind);
  }
  return { lines, kinds };
}

const MERCHANT_FIELD = /"merchantId":"[^"]*"/;

/**
 * Every event its own aggregate key: the same events with a unique merchantId per line, so each
 * one creates new payment, histogram and rule rows instead of folding into existing ones.
 */
export function worstCaseWorkload(base: Workload): Workload {
  return {
    // A line parked for its merchantId keeps it, so the same lines are parked.
    lines: base.lines.map((line, i) =>
      base.kinds[i] === 'bad_merchant_id'
        ? line
        : line.replace(MERCHANT_FIELD, `"merchantId":"u${i.toString(36)}"`),
    ),
    kinds: base.kinds,
  };
}

/**
 * The replay's input: the realistic mix over the hour before `nowMs`, because `pnpm simulate
 * --input` runs on the real clock (events older than 7 days would be parked as too late).
 */
export function replayWorkload(count: number, nowMs: number): Workload {
  return realisticWorkload(count, SEED, nowMs - SCENARIO_SPAN_MS - 5 * 60_000);
}
