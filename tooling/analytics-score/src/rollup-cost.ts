import { createSchemaDatabase, startPostgresServer, withClient } from '@paymetrics/testing';
import { runScenario } from './run-scenario.js';

/**
 * What keeping the hour and day rollups in the batch's transaction costs the pipeline: the same
 * scenario through processBatch with the rollup triggers on and off (alternating, twice each, on
 * a throwaway PostgreSQL with fsync on), and what an incremental job would spend instead to
 * rebuild the same rollups from the 5-minute rows.
 */
const EVENTS = Number(process.argv[2] ?? 100_000);
const START_MS = Date.parse('2026-11-20T08:00:00.000Z');
const triggers = [
  'payment_metrics_5m_rollup_insert',
  'payment_metrics_5m_rollup_update',
  'aggregate_histograms_rollup_insert',
  'aggregate_histograms_rollup_update',
];

const rebuild = `
  INSERT INTO payment_metrics_1h SELECT date_trunc('hour', window_start, 'UTC'), merchant_id, payment_method, card_brand, currency, country, channel,
    sum(txn_count), sum(approved_count), sum(declined_count), sum(error_count), sum(amount_minor_sum), sum(approved_amount_minor_sum),
    sum(latency_ms_sum), min(latency_ms_min), max(latency_ms_max), now() FROM payment_metrics_5m GROUP BY 1, 2, 3, 4, 5, 6, 7;
  INSERT INTO payment_metrics_1d SELECT date_trunc('day', window_start, 'UTC'), merchant_id, payment_method, card_brand, currency, country, channel,
    sum(txn_count), sum(approved_count), sum(declined_count), sum(error_count), sum(amount_minor_sum), sum(approved_amount_minor_sum),
    sum(latency_ms_sum), min(latency_ms_min), max(latency_ms_max), now() FROM payment_metrics_5m GROUP BY 1, 2, 3, 4, 5, 6, 7;
  INSERT INTO aggregate_histograms_1h SELECT date_trunc('hour', window_start, 'UTC'), metric_name, dimensions, min(relative_accuracy),
    sum(count), sum(sum), min(min), max(max), paymetrics_sketch_merge(sketch), now() FROM aggregate_histograms GROUP BY 1, 2, 3;
  INSERT INTO aggregate_histograms_1d SELECT date_trunc('day', window_start, 'UTC'), metric_name, dimensions, min(relative_accuracy),
    sum(count), sum(sum), min(min), max(max), paymetrics_sketch_merge(sketch), now() FROM aggregate_histograms GROUP BY 1, 2, 3;`;

const server = process.env.DATABASE_URL
  ? { url: process.env.DATABASE_URL, stop: async () => undefined }
  : await startPostgresServer({ fsync: true });
try {
  const options = {
    seed: 5,
    count: EVENTS,
    startMs: START_MS,
    spanMs: 4 * 3_600_000,
    merchants: 300,
    dailyCurve: true,
  };
  const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
  let rebuildMs = 0;
  for (const round of [0, 1]) {
    for (const mode of round === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const database = await createSchemaDatabase(`rollup_cost_${mode}`, server.url);
      if (mode === 'off') {
        await withClient(database.url, async (client) => {
          for (const name of triggers) {
            const table = name.startsWith('payment') ? 'payment_metrics_5m' : 'aggregate_histograms';
            await client.query(`ALTER TABLE ${table} DISABLE TRIGGER ${name}`);
          }
        });
      }
      const run = await runScenario(database.url, options);
      rates[mode].push(run.events / (run.elapsedMs / 1000));
      if (mode === 'off' && round === 0) {
        const started = performance.now();
        await withClient(database.url, (client) => client.query(rebuild));
        rebuildMs = performance.now() - started;
      }
      await database.drop();
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const on = mean(rates.on);
  const off = mean(rates.off);
  console.log(
    `events per run: ${EVENTS} (300 merchants, 4 h of event time, batches of 2,000, one partition, fsync on)`,
  );
  console.log(
    `pipeline without rollups: ${off.toFixed(0)} events/s (runs: ${rates.off.map((r) => r.toFixed(0)).join(', ')})`,
  );
  console.log(
    `pipeline with rollup triggers: ${on.toFixed(0)} events/s (runs: ${rates.on.map((r) => r.toFixed(0)).join(', ')})`,
  );
  console.log(`cost of same-transaction rollups: ${(100 * (1 - on / off)).toFixed(1)}% of throughput`);
  console.log(
    `incremental job instead: rebuilding the same rollups from the 5-minute rows took ${rebuildMs.toFixed(0)} ms = ${((1000 * rebuildMs) / EVENTS).toFixed(2)} us per event, off the pipeline's path but late by its period`,
  );
  console.log(
    JSON.stringify({
      events: EVENTS,
      eventsPerSecondWithout: off,
      eventsPerSecondWith: on,
      costShare: 1 - on / off,
      rebuildMs,
    }),
  );
} finally {
  await server.stop();
}
