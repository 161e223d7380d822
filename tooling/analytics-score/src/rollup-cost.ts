import { createSchemaDatabase, startPostgresServer, withClient } from '@paymetrics/testing';
import { runScenario } from './run-scenario.js';

/**
 * What the hour and day rollups cost the pipeline, for both designs the analytics contract
 * allows: kept in the batch's transaction by triggers (the schema before
 * 21_rollups_by_refresh.sql) and rebuilt by the refresh job (the schema now: the batch only marks
 * its windows). The same scenario runs through processBatch on each, alternating, twice each, on a
 * throwaway PostgreSQL with fsync on; the job's own time is measured after the run.
 */
const EVENTS = Number(process.argv[2] ?? 100_000);
const START_MS = Date.parse('2026-11-20T08:00:00.000Z');
const REFRESH_JOB_SCHEMA = '21_rollups_by_refresh.sql';

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
  const rates: Record<'transaction' | 'job', number[]> = { transaction: [], job: [] };
  let refreshMs = 0;
  let refreshedHours = 0;
  for (const round of [0, 1]) {
    for (const design of round === 0
      ? (['job', 'transaction'] as const)
      : (['transaction', 'job'] as const)) {
      const database = await createSchemaDatabase(
        `rollup_cost_${design}`,
        server.url,
        design === 'transaction' ? { before: REFRESH_JOB_SCHEMA } : {},
      );
      const run = await runScenario(database.url, options);
      rates[design].push(run.events / (run.elapsedMs / 1000));
      if (design === 'job' && round === 0) {
        const started = performance.now();
        const { rows } = await withClient(database.url, (client) =>
          client.query<{ hours: number }>('SELECT paymetrics_refresh_rollups() AS hours'),
        );
        refreshMs = performance.now() - started;
        refreshedHours = rows[0]?.hours ?? 0;
      }
      await database.drop();
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const inTransaction = mean(rates.transaction);
  const job = mean(rates.job);
  const runs = (xs: number[]) => xs.map((r) => r.toFixed(0)).join(', ');
  console.log(
    `events per run: ${EVENTS} (300 merchants, 4 h of event time, batches of 2,000, one partition, fsync on)`,
  );
  console.log(
    `rollups in the batch's transaction: ${inTransaction.toFixed(0)} events/s (runs: ${runs(rates.transaction)})`,
  );
  console.log(`rollups by the refresh job:         ${job.toFixed(0)} events/s (runs: ${runs(rates.job)})`);
  console.log(
    `cost of same-transaction rollups: ${(100 * (1 - inTransaction / job)).toFixed(1)}% of throughput`,
  );
  console.log(
    `the refresh job: ${refreshedHours} hours rebuilt in ${refreshMs.toFixed(0)} ms = ${((1000 * refreshMs) / EVENTS).toFixed(2)} us per event, off the pipeline's path`,
  );
  console.log(
    JSON.stringify({
      events: EVENTS,
      eventsPerSecondSameTransaction: inTransaction,
      eventsPerSecondRefreshJob: job,
      costShare: 1 - inTransaction / job,
      refreshMs,
      refreshedHours,
    }),
  );
} finally {
  await server.stop();
}
