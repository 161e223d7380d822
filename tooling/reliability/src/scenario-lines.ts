import { generateScenario } from '@paymetrics/scenarios';

/** A fixed processing time for in-process scenarios, so event-time bounds never drift during a run. */
export const RELIABILITY_NOW = Date.parse('2026-11-27T12:00:00.000Z');

export interface ScenarioLinesOptions {
  readonly seed: number;
  readonly count: number;
  /** Processing time the events are generated around; defaults to RELIABILITY_NOW. */
  readonly nowMs?: number;
  /** Share of lines that break the contract (default 2%). */
  readonly badFraction?: number;
  /** Share of lines that repeat an earlier line verbatim (default 1%). */
  readonly duplicateFraction?: number;
}

const MINUTE = 60_000;

/**
 * NDJSON lines from the simulator around `nowMs`: valid events over the hour before it, with
 * contract-breaking lines and verbatim repeats (same eventId) mixed in, so every scenario
 * exercises counting, parking and duplicate skipping at once. Few merchants, so concurrent
 * writers meet on the same rows. Deterministic per seed.
 */
export function scenarioLines(options: ScenarioLinesOptions): string[] {
  const nowMs = options.nowMs ?? RELIABILITY_NOW;
  const scenario = generateScenario({
    seed: options.seed,
    count: options.count,
    startMs: nowMs - 61 * MINUTE,
    spanMs: 60 * MINUTE,
    merchants: 40,
    malformedFraction: options.badFraction ?? 0.02,
    duplicateFraction: options.duplicateFraction ?? 0.01,
  });
  return Array.from(scenario, (event) => event.line);
}
