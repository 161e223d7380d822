import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import { generateScenario, parseIncident } from '@paymetrics/scenarios';
import { createPostgresMetricsStore } from '@paymetrics/storage-adapters';
import pg from 'pg';

const MINUTE = 60_000;

/** A card number in a line that fails to decode: the stored sample must show it masked. */
export const PAN_IN_BAD_LINE = '4111111111111111';

export interface SeedOptions {
  readonly seed: number;
  readonly count: number;
  readonly spanMinutes: number;
  readonly merchants: number;
  /** The run's processing time; events end a minute before it. */
  readonly nowMs: number;
  readonly incidents?: readonly string[];
}

/**
 * Replays a generated scenario through the real pipeline into `databaseUrl` (schema applied),
 * plus one undecodable line carrying a card number, and returns the lines it replayed.
 */
export async function seedScenario(databaseUrl: string, options: SeedOptions): Promise<{ lines: number }> {
  const scenario = generateScenario({
    seed: options.seed,
    count: options.count,
    startMs: options.nowMs - (options.spanMinutes + 1) * MINUTE,
    spanMs: options.spanMinutes * MINUTE,
    merchants: options.merchants,
    malformedFraction: 0.01,
    duplicateFraction: 0.005,
    dailyCurve: true,
    incidents: (options.incidents ?? []).map((spec) => parseIncident(spec)),
  });
  const lines = Array.from(scenario, (event) => event.line);
  lines.push(`{"schemaVersion":1,"merchantId":"m_broken","card":"${PAN_IN_BAD_LINE}"`);

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const store = createPostgresMetricsStore({ pool });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  try {
    const batchSize = 2_000;
    for (let first = 0; first < lines.length; first += batchSize) {
      await processBatch(
        {
          source: `dashboard-test-${options.seed}`,
          partitionId: '0',
          events: lines
            .slice(first, first + batchSize)
            .map((body, i) => ({ body, sequenceNumber: first + i + 1 })),
        },
        { store, engine, clock: () => options.nowMs },
      );
    }
  } finally {
    await store.close();
  }
  return { lines: lines.length };
}
