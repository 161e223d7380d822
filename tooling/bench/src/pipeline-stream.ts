import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
} from '@paymetrics/metric-engine';
import {
  type BatchResult,
  type EventBatch,
  processBatch,
  processBatchStream,
  type RawEvent,
  RecentEventIds,
} from '@paymetrics/pipeline';
import { createPool } from '@paymetrics/runtime';
import { createPostgresMetricsStore, type MetricsStore } from '@paymetrics/storage-adapters';
import { PIPELINE_NOW_MS } from './workload.js';

/** One consumer of one partition: its own pool, store and engine, as a Function instance has. */
export interface PartitionConsumer {
  readonly source: string;
  readonly partitionId: string;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  process(events: readonly RawEvent[]): Promise<BatchResult>;
  /** Processes batches in order, preparing each while the previous one commits. */
  stream(batches: AsyncIterable<EventBatch>, onResult: (result: BatchResult) => void): Promise<void>;
  close(): Promise<void>;
}

export function createPartitionConsumer(url: string, source: string, partitionId: string): PartitionConsumer {
  // The runtime's pool, timeouts and connection-loss guard included, so the bench measures what runs.
  const store = createPostgresMetricsStore({ pool: createPool(url, { max: 2 }) });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  const clock = () => PIPELINE_NOW_MS;
  // Batch after batch, as the Function processes a partition across invocations.
  const recentEventIds = new RecentEventIds();
  return {
    source,
    partitionId,
    store,
    engine,
    process: (events) =>
      processBatch({ source, partitionId, events }, { store, engine, clock }, { recentEventIds }),
    stream: (batches, onResult) => processBatchStream(batches, { store, engine, clock }, onResult),
    close: () => store.close(),
  };
}

export interface StreamTotals {
  received: number;
  counted: number;
  deadLettered: number;
  duplicates: number;
  batches: number;
  failedBatches: number;
  commitMs: number[];
  decodeMs: number;
  deriveMs: number;
  elapsedMs: number;
}

export function emptyStreamTotals(): StreamTotals {
  return {
    received: 0,
    counted: 0,
    deadLettered: 0,
    duplicates: 0,
    batches: 0,
    failedBatches: 0,
    commitMs: [],
    decodeMs: 0,
    deriveMs: 0,
    elapsedMs: 0,
  };
}

function addResult(totals: StreamTotals, result: BatchResult): void {
  totals.received += result.received;
  totals.counted += result.counted;
  totals.deadLettered += result.deadLettered;
  totals.duplicates += result.duplicates;
  totals.batches++;
  totals.commitMs.push(result.timings.commitMs);
  totals.decodeMs += result.timings.decodeMs;
  totals.deriveMs += result.timings.deriveMs;
}

/**
 * Feeds batches through the consumer as fast as it takes them, sequence numbers counting from 1,
 * each batch prepared while the previous one commits (as the local runner does). A failed batch
 * ends the stream and is counted, not retried: the benchmark reports it rather than hiding it.
 */
export async function runStream(
  consumer: PartitionConsumer,
  batches: AsyncIterable<readonly (string | Uint8Array)[]>,
): Promise<StreamTotals> {
  const totals = emptyStreamTotals();
  const started = performance.now();
  async function* eventBatches(): AsyncGenerator<EventBatch> {
    let sequenceNumber = 0;
    for await (const lines of batches) {
      const events: RawEvent[] = lines.map((body) => ({ body, sequenceNumber: ++sequenceNumber }));
      yield { source: consumer.source, partitionId: consumer.partitionId, events };
    }
  }
  try {
    await consumer.stream(eventBatches(), (result) => addResult(totals, result));
  } catch (error) {
    totals.failedBatches++;
    console.error(`stream ${consumer.partitionId} failed after ${totals.batches} batches:`, error);
  }
  totals.elapsedMs = performance.now() - started;
  return totals;
}
