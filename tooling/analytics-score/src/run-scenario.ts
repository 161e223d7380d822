import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { processBatch, type RawEvent } from '@paymetrics/pipeline';
import { createScenario, type Scenario, type ScenarioOptions } from '@paymetrics/scenarios';
import { createPostgresMetricsStore } from '@paymetrics/storage-adapters';
import pg from 'pg';

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly events: number;
  readonly elapsedMs: number;
  /** The processing time the pipeline ran at: just after the scenario's last event. */
  readonly nowMs: number;
}

/**
 * Generates the scenario and runs it through the real pipeline (processBatch, one partition, in
 * batches as an Event Hubs consumer would get them) into the database at `url`.
 */
export async function runScenario(
  url: string,
  options: ScenarioOptions,
  batchSize = 2_000,
): Promise<ScenarioRun> {
  const scenario = createScenario(options);
  const nowMs = options.startMs + options.spanMs + 60_000;
  const store = createPostgresMetricsStore({ pool: new pg.Pool({ connectionString: url, max: 2 }) });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  const source = `scenario-${options.seed}`;
  const started = performance.now();
  let batch: RawEvent[] = [];
  let sequence = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await processBatch({ source, partitionId: '0', events: batch }, { store, engine, clock: () => nowMs });
    batch = [];
  };
  try {
    for (const event of scenario.events()) {
      batch.push({ body: event.line, sequenceNumber: sequence++ });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await store.close();
  }
  return { scenario, events: sequence, elapsedMs: performance.now() - started, nowMs };
}
