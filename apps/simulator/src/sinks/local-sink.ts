import type { MetricEngine } from '@paymetrics/metric-engine';
import { type BatchResult, processBatch, type RawEvent } from '@paymetrics/pipeline';
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

/** Feeds lines through the real pipeline in batches of one partition, in order. */
export async function runLocalPipeline(
  lines: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: LocalRunOptions,
): Promise<RunTotals> {
  const totals = emptyTotals();
  const started = performance.now();
  const partitionId = options.partitionId ?? '0';
  let events: RawEvent[] = [];
  let sequenceNumber = 0;
  const flush = async () => {
    if (events.length === 0) return;
    const result = await processBatch(
      { source: options.source, partitionId, events },
      { store: options.store, engine: options.engine, archive: options.archive },
    );
    events = [];
    addBatch(totals, result);
    totals.elapsedMs = performance.now() - started;
    options.onBatch?.(result, totals);
  };
  for await (const line of lines) {
    sequenceNumber++;
    events.push({ body: line, sequenceNumber });
    if (events.length >= options.batchSize) await flush();
  }
  await flush();
  totals.elapsedMs = performance.now() - started;
  return totals;
}
