/**
 * Where a batch's database time goes: the realistic workload through the pipeline, one batch
 * after another, on a throwaway PostgreSQL (fsync on) with pg_stat_statements loaded; prints each
 * statement's server time per batch (statements a trigger or function runs are listed on their
 * own and also counted in their caller's time), then what a rollup refresh costs afterwards.
 * `pnpm --filter @paymetrics/bench profile-statements [events=50000] [batchSize=1000]`
 */
import { createSchemaDatabase, startPostgresServer, withClient } from '@paymetrics/testing';
import { createPartitionConsumer } from './pipeline-stream.js';
import { realisticWorkload } from './workload.js';

const events = Number(process.argv[2] ?? 50_000);
const batchSize = Number(process.argv[3] ?? 1_000);
const SOURCE = 'profile';

const server = await startPostgresServer({
  fsync: true,
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' },
});
try {
  const database = await createSchemaDatabase('profile', server.url);
  const { lines } = realisticWorkload(events);
  const consumer = createPartitionConsumer(database.url, SOURCE, '0');
  await consumer.store.readPosition({ source: SOURCE, partitionId: '0' });
  await withClient(database.url, async (client) => {
    await client.query('CREATE EXTENSION pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  });

  const started = performance.now();
  let batches = 0;
  for (let first = 0; first < lines.length; first += batchSize) {
    const slice = lines.slice(first, first + batchSize);
    await consumer.process(slice.map((body, i) => ({ body, sequenceNumber: first + i })));
    batches++;
  }
  const elapsedMs = performance.now() - started;
  await consumer.close();

  await withClient(database.url, async (client) => {
    const { rows } = await client.query<{ query: string; calls: string; total: number }>(
      `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_exec_time AS total
         FROM pg_stat_statements
        WHERE query NOT ILIKE '%pg_stat_statements%' AND total_exec_time / $1 >= 0.01
        ORDER BY total_exec_time DESC`,
      [batches],
    );
    console.log(
      `${events} realistic events in ${batches} batches of ${batchSize}: ${Math.round((events / elapsedMs) * 1000)} events/s, ${(elapsedMs / batches).toFixed(1)} ms per batch end to end`,
    );
    console.log('server ms/batch  calls  statement');
    for (const row of rows) {
      console.log(
        `${(row.total / batches).toFixed(2).padStart(15)}  ${String(row.calls).padStart(5)}  ${row.query.slice(0, 140)}`,
      );
    }
    const refreshStarted = performance.now();
    const refreshed = await client.query<{ hours: number }>('SELECT paymetrics_refresh_rollups() AS hours');
    console.log(
      `rollup refresh afterwards: ${refreshed.rows[0]?.hours} hours rebuilt in ${(performance.now() - refreshStarted).toFixed(0)} ms`,
    );
  });
  await database.drop();
} finally {
  await server.stop();
}
