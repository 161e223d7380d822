import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutcomeFigures } from './scenario-outcome.js';

/** Where each scenario leaves its figures; print-summary.ts gathers them. */
export const SUMMARY_DIR = join(tmpdir(), 'paymetrics-reliability');

export interface ScenarioRecord extends OutcomeFigures {
  readonly scenario: string;
  /** Faults the scenario injected (terminated backends, raised errors, failed writes, kills, restarts). */
  readonly faultsInjected: number;
  /** Batch deliveries that failed and were delivered again. */
  readonly retries: number;
  readonly detail?: Record<string, unknown>;
}

/** One JSON file per scenario, so test files running in parallel workers never write the same file. */
export function recordScenario(record: ScenarioRecord): void {
  mkdirSync(SUMMARY_DIR, { recursive: true });
  writeFileSync(join(SUMMARY_DIR, `${record.scenario}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

export function readScenarioRecords(): ScenarioRecord[] {
  let names: string[];
  try {
    names = readdirSync(SUMMARY_DIR).filter((name) => name.endsWith('.json') && name !== 'summary.json');
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => JSON.parse(readFileSync(join(SUMMARY_DIR, name), 'utf8')) as ScenarioRecord);
}
