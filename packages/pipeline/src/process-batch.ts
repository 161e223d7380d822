import {
  classifyFailure,
  createFailedItem,
  RetryableBatchError,
  withPayloadRef,
} from '@paymetrics/dead-letter';
import {
  type BatchMetrics,
  defaultEventTimeBounds,
  type EventTimeBounds,
  type MetricEngine,
  windowStartMs,
} from '@paymetrics/metric-engine';
import type { FailedItemRecord } from '@paymetrics/schemas';
import type { ArchiveStore, MetricsStore, PartitionRef } from '@paymetrics/storage-adapters';
import type { BatchResult, EventBatch, RawEvent } from './batch.js';
import { type ClassifiedEvents, type CountableEvent, classifyEvents } from './classify-events.js';

export interface PipelineDeps {
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  /** Raw archive; without one, nothing is archived and large failed payloads stay inline. */
  readonly archive?: ArchiveStore | undefined;
  readonly bounds?: EventTimeBounds | undefined;
  /** Processing time in epoch ms, for the late and future bounds. */
  readonly clock?: (() => number) | undefined;
  /** Bodies larger than this are parked as payload_too_large without being parsed. */
  readonly maxEventBytes?: number | undefined;
  /** Failed payloads larger than this go to the archive with a reference in failed_items. */
  readonly maxInlinePayloadBytes?: number | undefined;
}

const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
const DEFAULT_MAX_INLINE_PAYLOAD_BYTES = 64 * 1024;

/** Another consumer committed this partition between our read of its position and our lock. */
class PositionMovedError extends Error {
  override readonly name = 'PositionMovedError';
}

const MAX_POSITION_RACES = 5;

/**
 * The one code path every runtime calls: decode, validate, drop already-committed positions,
 * drop repeated eventIds, derive, archive, and commit metrics, failed items and the new
 * position in one transaction. A redelivered or replayed batch changes nothing. Any failure
 * to write throws (a RetryableBatchError when retrying can help) and commits nothing.
 */
export async function processBatch(batch: EventBatch, deps: PipelineDeps): Promise<BatchResult> {
  for (let race = 0; ; race++) {
    try {
      return await processOnce(batch, deps);
    } catch (error) {
      if (error instanceof PositionMovedError && race < MAX_POSITION_RACES) continue;
      const failure = classifyFailure(error);
      if (failure.kind === 'retryable' && !(error instanceof RetryableBatchError)) {
        throw new RetryableBatchError(
          `batch ${batch.source}/${batch.partitionId} failed (${failure.reason}); nothing was committed`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

async function processOnce(batch: EventBatch, deps: PipelineDeps): Promise<BatchResult> {
  const started = performance.now();
  const { store, engine, archive } = deps;
  const partition: PartitionRef = { source: batch.source, partitionId: batch.partitionId };

  const committed = await store.readPosition(partition);
  const fresh =
    committed === undefined ? batch.events : batch.events.filter((e) => e.sequenceNumber > committed);
  const replaySkipped = batch.events.length - fresh.length;
  if (fresh.length === 0) {
    return emptyResult(batch, replaySkipped, committed, performance.now() - started);
  }

  const classified = classifyEvents(fresh, {
    nowMs: (deps.clock ?? Date.now)(),
    bounds: deps.bounds ?? defaultEventTimeBounds,
    maxEventBytes: deps.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
  });
  const decoded = performance.now();

  let metrics = engine.derive(classified.countable.map((c) => c.valid));
  const derived = performance.now();

  const range = sequenceRange(fresh);
  const failedItems = await parkedRecords(batch, classified, deps);
  if (archive) {
    await archive.writeBatch({
      source: batch.source,
      partitionId: batch.partitionId,
      firstSequence: range.firstSequence,
      lastSequence: range.lastSequence,
      lines: classified.lines,
      ...(fresh[0]?.enqueuedAt ? { enqueuedAt: fresh[0].enqueuedAt } : {}),
    });
  }
  const archived = performance.now();

  const committedBatch = await store.transaction(async (writer) => {
    const locked = await writer.lockPosition(partition);
    if (locked !== committed) throw new PositionMovedError();

    const repeated = await writer.claimEventIds(
      classified.countable.map((c) => ({
        eventId: c.valid.transaction.eventId,
        windowStartMs: windowStartMs(c.valid.occurredAtMs),
      })),
    );
    let counted: readonly CountableEvent[] = classified.countable;
    if (repeated.size > 0) {
      // Rare: a producer sent the same eventId in an earlier batch. Derive again without it.
      counted = counted.filter((c) => !repeated.has(c.valid.transaction.eventId));
      metrics = engine.derive(counted.map((c) => c.valid));
    }
    await writer.writeMetrics(metrics);
    await writer.writeFailedItems(failedItems);
    const duplicates = classified.duplicates + repeated.size;
    await writer.advancePosition(partition, range, {
      received: fresh.length,
      counted: counted.length,
      deadLettered: failedItems.length,
      duplicates,
    });
    return { counted: counted.length, duplicates, metrics };
  });
  const finished = performance.now();

  const result: BatchResult = {
    source: batch.source,
    partitionId: batch.partitionId,
    received: batch.events.length,
    counted: committedBatch.counted,
    deadLettered: failedItems.length,
    duplicates: committedBatch.duplicates,
    replaySkipped,
    deadLetteredByCode: countByCode(failedItems),
    windowsTouched: committedBatch.metrics.windowsTouched,
    committedSequence: range.lastSequence,
    timings: {
      decodeMs: decoded - started,
      deriveMs: derived - decoded,
      archiveMs: archived - derived,
      commitMs: finished - archived,
      totalMs: finished - started,
    },
  };
  assertConservation(result);
  return result;
}

async function parkedRecords(
  batch: EventBatch,
  classified: ClassifiedEvents,
  deps: PipelineDeps,
): Promise<FailedItemRecord[]> {
  const maxInlineBytes = deps.archive
    ? (deps.maxInlinePayloadBytes ?? DEFAULT_MAX_INLINE_PAYLOAD_BYTES)
    : Number.POSITIVE_INFINITY;
  const records: FailedItemRecord[] = [];
  for (const parked of classified.parked) {
    const { record, overflow } = createFailedItem({
      stage: parked.stage,
      errorCode: parked.code,
      errorMessage: parked.message,
      body: bodyForParking(parked.event),
      source: batch.source,
      partitionId: batch.partitionId,
      sequenceNumber: parked.event.sequenceNumber,
      eventId: parked.eventId,
      maxInlineBytes,
    });
    if (overflow && deps.archive) {
      const { name } = await deps.archive.writeLargePayload(
        { source: batch.source, partitionId: batch.partitionId, sequenceNumber: parked.event.sequenceNumber },
        overflow,
      );
      records.push(withPayloadRef(record, name));
    } else {
      records.push(record);
    }
  }
  return records;
}

function bodyForParking(event: RawEvent): string | Uint8Array {
  const { body } = event;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return JSON.stringify(body) ?? '';
}

function sequenceRange(events: readonly RawEvent[]): { firstSequence: number; lastSequence: number } {
  let firstSequence = Number.POSITIVE_INFINITY;
  let lastSequence = Number.NEGATIVE_INFINITY;
  for (const { sequenceNumber } of events) {
    if (sequenceNumber < firstSequence) firstSequence = sequenceNumber;
    if (sequenceNumber > lastSequence) lastSequence = sequenceNumber;
  }
  return { firstSequence, lastSequence };
}

function countByCode(items: readonly FailedItemRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.errorCode] = (counts[item.errorCode] ?? 0) + 1;
  return counts;
}

function emptyResult(
  batch: EventBatch,
  replaySkipped: number,
  committed: number | undefined,
  totalMs: number,
): BatchResult {
  const empty: BatchMetrics['windowsTouched'] = [];
  return {
    source: batch.source,
    partitionId: batch.partitionId,
    received: batch.events.length,
    counted: 0,
    deadLettered: 0,
    duplicates: 0,
    replaySkipped,
    deadLetteredByCode: {},
    windowsTouched: empty,
    committedSequence: committed,
    timings: { decodeMs: 0, deriveMs: 0, archiveMs: 0, commitMs: 0, totalMs },
  };
}

/** Every event is counted, parked, skipped as a duplicate or skipped as a replay; never lost. */
export function assertConservation(result: BatchResult): void {
  const accounted = result.counted + result.deadLettered + result.duplicates + result.replaySkipped;
  if (accounted !== result.received) {
    throw new Error(
      `conservation violated for ${result.source}/${result.partitionId}: received ${result.received}, accounted ${accounted}`,
    );
  }
}
