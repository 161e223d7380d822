import type { MetricEngine } from '@paymetrics/metric-engine';
import { type BatchResult, type EventBatch, processBatchStream, type RawEvent } from '@paymetrics/pipeline';
import type { ArchiveStore, MetricsStore } from '@paymetrics/storage-adapters';

export interface LocalRunOptions {
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  readonly archive?: ArchiveStore | undefined;
  readonly source: string;
  readonly partitionId?: string | undefined;
  readonly batchSize: number;
  readonly onBatch?: ((result: BatchResult, totals: RunTotals) => void) | undefined;
}

export interface RunTotals {
  received: number;
  counted: number;
  deadLettered: number;
  duplicates: number;
  replaySkipped: number;
  batches: number;
  deadLetteredByCode: Record<string, number>;
  windowsTouched: Set<number>;
  commitMs: number[];
  elapsedMs: number;
}

export function emptyTotals(): RunTotals {
  return {
    received: 0,
    counted: 0,
    deadLettered: 0,
    duplicates: 0,
    replaySkipped: 0,
    batches: 0,
    deadLetteredByCode: {},
    windowsTouched: new Set(),
    commitMs: [],
    elapsedMs: 0,
  };
}

export function addBatch(totals: RunTotals, result: BatchResult): void {
  totals.received += result.received;
  totals.counted += result.counted;
  totals.deadLettered += result.deadLettered;
  totals.duplicates += result.duplicates;
  totals.replaySkipped += result.replaySkipped;
  totals.batches++;
  for (const [code, n] of Object.entries(result.deadLetteredByCode)) {
    totals.deadLetteredByCode[code] = (totals.deadLetteredByCode[code] ?? 0) + n;
  }
  for (const window of result.windowsTouched) totals.windowsTouched.add(window);
  totals.commitMs.push(result.timings.commitMs);
}

/** Cuts a partition's lines into batches, numbering positions from 1 (line numbers of a file). */
async function* batchesOf(
  lines: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  source: string,
  partitionId: string,
  batchSize: number,
): AsyncGenerator<EventBatch> {
  let events: RawEvent[] = [];
  let sequenceNumber = 0;
  for await (const line of lines) {
    events.push({ body: line, sequenceNumber: ++sequenceNumber });
    if (events.length >= batchSize) {
      yield { source, partitionId, events };
      events = [];
    }
  }
  if (events.length > 0) yield { source, partitionId, events };
}

/**
 * Feeds lines through the real pipeline in batches of one partition, in order; each batch is
 * prepared while the one before it commits.
 */
export async function runLocalPipeline(
  lines: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: LocalRunOptions,
): Promise<RunTotals> {
  const totals = emptyTotals();
  const started = performance.now();
  await processBatchStream(
    batchesOf(lines, options.source, options.partitionId ?? '0', options.batchSize),
    { store: options.store, engine: options.engine, archive: options.archive },
    (result) => {
      addBatch(totals, result);
      totals.elapsedMs = performance.now() - started;
      options.onBatch?.(result, totals);
    },
  );
  totals.elapsedMs = performance.now() - started;
  return totals;
}
