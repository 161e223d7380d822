/**
 * One measurement in its own process, so each reports its own peak RSS and CPU profile:
 * `node ... measure.ts '<task json>'`. Prints one JSON line with the result.
 */
import { readAllLines, readLineBatches } from './line-file.js';
import { measurePacedLag } from './paced-lag.js';
import { createPartitionConsumer, runStream } from './pipeline-stream.js';
import { peakRssMb, percentile } from './stats.js';

export interface StreamTask {
  readonly task: 'stream';
  readonly url: string;
  readonly source: string;
  /** One NDJSON file per partition; the partitions run concurrently. */
  readonly files: readonly string[];
  readonly batchSize: number;
}

export interface LagTask {
  readonly task: 'lag';
  readonly url: string;
  readonly source: string;
  readonly file: string;
  readonly ratePerSecond: number;
  readonly maxBatchEvents: number;
  readonly maxWaitMs: number;
}

export type MeasureTask = StreamTask | LagTask;

export interface StreamOutcome {
  readonly elapsedMs: number;
  readonly received: number;
  readonly counted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly batches: number;
  readonly failedBatches: number;
  readonly commitP50Ms: number;
  readonly commitP95Ms: number;
  readonly commitP99Ms: number;
  readonly decodeMs: number;
  readonly deriveMs: number;
  /** CPU time (user + system) of this process while the batches ran. */
  readonly cpuMs: number;
  readonly rssMb: number;
}

export interface LagOutcome {
  readonly lagP50Ms: number;
  readonly lagP95Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly batches: number;
  readonly failedBatches: number;
  readonly achievedPerSecond: number;
  readonly rssMb: number;
}

async function runStreamTask(task: StreamTask): Promise<StreamOutcome> {
  const consumers = task.files.map((_, p) => createPartitionConsumer(task.url, task.source, String(p)));
  // Warm the pools (connect) before the clock starts: a Function instance keeps its pool.
  await Promise.all(
    consumers.map((c) => c.store.readPosition({ source: task.source, partitionId: c.partitionId })),
  );
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const results = await Promise.all(
    consumers.map((consumer, p) => runStream(consumer, readLineBatches(task.files[p]!, task.batchSize))),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  await Promise.all(consumers.map((c) => c.close()));
  const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((a, r) => a + pick(r), 0);
  const commitMs = results.flatMap((r) => r.commitMs);
  return {
    elapsedMs,
    received: sum((r) => r.received),
    counted: sum((r) => r.counted),
    deadLettered: sum((r) => r.deadLettered),
    duplicates: sum((r) => r.duplicates),
    batches: sum((r) => r.batches),
    failedBatches: sum((r) => r.failedBatches),
    commitP50Ms: percentile(commitMs, 50),
    commitP95Ms: percentile(commitMs, 95),
    commitP99Ms: percentile(commitMs, 99),
    decodeMs: sum((r) => r.decodeMs),
    deriveMs: sum((r) => r.deriveMs),
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: peakRssMb(),
  };
}

async function runLagTask(task: LagTask): Promise<LagOutcome> {
  const lines = await readAllLines(task.file);
  const consumer = createPartitionConsumer(task.url, task.source, '0');
  await consumer.store.readPosition({ source: task.source, partitionId: '0' });
  const result = await measurePacedLag(consumer, lines, task);
  await consumer.close();
  const lag = Array.from(result.lagMs);
  return {
    lagP50Ms: percentile(lag, 50),
    lagP95Ms: percentile(lag, 95),
    lagP99Ms: percentile(lag, 99),
    lagMaxMs: percentile(lag, 100),
    batches: result.batches,
    failedBatches: result.failedBatches,
    achievedPerSecond: result.achievedPerSecond,
    rssMb: peakRssMb(),
  };
}

const task = JSON.parse(process.argv[2] ?? '{}') as MeasureTask;
const outcome = task.task === 'lag' ? await runLagTask(task) : await runStreamTask(task);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
