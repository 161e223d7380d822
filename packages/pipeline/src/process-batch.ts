import {
  classifyFailure,
  createFailedItem,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_INLINE_BYTES,
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
import { type FailedItemRecord, type FailedItemStatus, FailureStage } from '@paymetrics/schemas';
import {
  type ArchiveStore,
  type BatchWriter,
  type EncodedMetricRows,
  encodeMetricRows,
  type MetricsStore,
  type PartitionRef,
} from '@paymetrics/storage-adapters';
import { BatchTrace } from '@paymetrics/telemetry';
import type { BatchResult, EventBatch, RawEvent } from './batch.js';
import {
  type ClassifiedEvents,
  type CountableEvent,
  EventClassifier,
  processingError,
} from './classify-events.js';
import { type EventIdLookup, RecentEventIds } from './recent-event-ids.js';

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
export async function processBatch(
  batch: EventBatch,
  deps: PipelineDeps,
  options: {
    /**
     * The eventIds of the partition's last batches, kept by a caller that processes the same
     * partition batch after batch (the Function, across invocations): repeats of them are left
     * out from the start, and the batch's own ids are added once it commits.
     */
    readonly recentEventIds?: RecentEventIds | undefined;
  } = {},
): Promise<BatchResult> {
  return tracedBatch(batch, deps, new BatchTrace(batch), options.recentEventIds);
}

/** processBatch under a batch trace that ends with the result or the failure. */
async function tracedBatch(
  batch: EventBatch,
  deps: PipelineDeps,
  trace: BatchTrace,
  recentEventIds?: RecentEventIds,
): Promise<BatchResult> {
  try {
    let eventIds: ReadonlySet<string> | undefined;
    const outcome = await withRetriedRaces(batch, async () => {
      const prepared = await prepareBatch(batch, deps, trace, { expectedRepeats: recentEventIds });
      eventIds = prepared.classified.eventIds;
      return commitBatch(prepared, deps);
    });
    if (eventIds) recentEventIds?.add(eventIds);
    trace.committed(outcome);
    return outcome;
  } catch (error) {
    throw failedTrace(trace, error);
  }
}

/** Records a failed batch on its trace; returns the error to throw. */
function failedTrace(trace: BatchTrace, error: unknown): unknown {
  const failure = classifyFailure(error);
  // A defect in decode or derive is no storage failure; a fatal error without SQLSTATE is none either.
  const store =
    failure.kind === 'retryable' || failure.sqlState !== undefined ? trace.failingStore : undefined;
  trace.failed({ kind: failure.kind, reason: failure.reason, store, error });
  return error;
}

/**
 * A batch with all of its CPU work done (decode, validate, derive) and its raw events
 * archived: what is left is the database transaction. Preparing the next batch of a partition
 * while the previous one commits is safe: the commit decides under the partition's lock.
 */
export interface PreparedBatch {
  readonly batch: EventBatch;
  readonly partition: PartitionRef;
  /** The partition's committed position when the batch was prepared. */
  readonly committedAtPrepare: number | undefined;
  readonly fresh: readonly RawEvent[];
  readonly replaySkipped: number;
  readonly classified: ClassifiedEvents;
  /**
   * The batch's metrics, already encoded for the upserts so that the transaction only sends
   * them; the derived rows themselves are not kept (a 5,000-event batch of new keys holds tens
   * of MB of them while the batch before it commits).
   */
  readonly metricRows: EncodedMetricRows;
  /** Window starts (epoch ms) the metrics touch, ascending. */
  readonly windowsTouched: readonly number[];
  readonly failedItems: readonly FailedItemRecord[];
  readonly range: { readonly firstSequence: number; readonly lastSequence: number };
  readonly startedAt: number;
  readonly decodeMs: number;
  readonly deriveMs: number;
  readonly archiveMs: number;
  /** The batch's span and measurements; the commit runs as its child. */
  readonly trace: BatchTrace;
}

export async function prepareBatch(
  batch: EventBatch,
  deps: PipelineDeps,
  trace: BatchTrace = new BatchTrace(batch),
  options: {
    /** A dead-letter retry: its event lies behind the partition's position by design. */
    readonly ignorePosition?: boolean;
    /**
     * EventIds counted by the time this batch commits (the partition's recent batches): repeats
     * of them are claimed but not derived, so a producer's retry does not make the commit
     * derive the whole batch again (see writeEvents).
     */
    readonly expectedRepeats?: EventIdLookup | undefined;
  } = {},
): Promise<PreparedBatch> {
  const started = performance.now();
  const partition: PartitionRef = { source: batch.source, partitionId: batch.partitionId };
  const committed = options.ignorePosition
    ? undefined
    : await trace.run(() => deps.store.readPosition(partition));
  const fresh =
    committed === undefined ? batch.events : batch.events.filter((e) => e.sequenceNumber > committed);

  // The CPU work runs in slices with a yield to I/O between them: the previous batch's commit,
  // in flight on this same thread, then sends its next statement within a slice instead of
  // waiting for a whole batch's decode or derive. decodeMs and deriveMs count the slices' time
  // only, not the waits (nor the position read above, a database round trip).
  const cpu = { decode: 0, derive: 0 };
  const inSlice = <T>(stage: keyof typeof cpu, work: () => T): T => {
    const sliceStarted = performance.now();
    try {
      return work();
    } finally {
      cpu[stage] += performance.now() - sliceStarted;
    }
  };
  const classifier = new EventClassifier({
    nowMs: (deps.clock ?? Date.now)(),
    bounds: deps.bounds ?? defaultEventTimeBounds,
    maxEventBytes: deps.maxEventBytes ?? DEFAULT_MAX_BODY_BYTES,
    expectedRepeats: options.expectedRepeats,
  });
  const decodedEvents = await trace.stage('decode', async () => {
    for (let first = 0; first < fresh.length; first += CPU_SLICE_EVENTS) {
      if (first > 0) await yieldToIo();
      inSlice('decode', () => {
        const end = Math.min(fresh.length, first + CPU_SLICE_EVENTS);
        for (let i = first; i < end; i++) classifier.add(fresh[i]!);
      });
    }
    return classifier.result();
  });
  // Derive includes encoding the rows for the upserts: CPU work kept out of the transaction.
  const { classified, metricRows, windowsTouched } = await trace.stage('derive', async () => {
    const { classified, metrics } = await deriveParkingFailures(deps.engine, decodedEvents, (work) =>
      inSlice('derive', work),
    );
    await yieldToIo();
    const metricRows = inSlice('derive', () => encodeMetricRows(metrics));
    return { classified, metricRows, windowsTouched: metrics.windowsTouched };
  });
  const derived = performance.now();

  const range = sequenceRange(fresh);
  const failedItems =
    fresh.length > 0
      ? await trace.stage('archive', async () => {
          const records = await parkedRecords(batch, classified, deps);
          if (deps.archive) {
            await deps.archive.writeBatch({
              source: batch.source,
              partitionId: batch.partitionId,
              firstSequence: range.firstSequence,
              lastSequence: range.lastSequence,
              lines: classified.lines,
              ...(fresh[0]?.enqueuedAt ? { enqueuedAt: fresh[0].enqueuedAt } : {}),
            });
          }
          return records;
        })
      : [];
  return {
    trace,
    batch,
    partition,
    committedAtPrepare: committed,
    fresh,
    replaySkipped: batch.events.length - fresh.length,
    classified,
    metricRows,
    windowsTouched,
    failedItems,
    range,
    startedAt: started,
    decodeMs: cpu.decode,
    deriveMs: cpu.derive,
    archiveMs: performance.now() - derived,
  };
}

/**
 * Commits a prepared batch: metrics, failed items and the new position in one transaction.
 * Throws PositionMovedError when another consumer committed some of the batch's positions
 * after it was prepared; processBatch then prepares it again.
 */
export async function commitBatch(prepared: PreparedBatch, deps: PipelineDeps): Promise<BatchResult> {
  const { partition, fresh, classified, failedItems, range } = prepared;
  const commitStarted = performance.now();
  if (fresh.length === 0) {
    return result(
      prepared,
      { counted: 0, duplicates: 0, windowsTouched: [] },
      prepared.committedAtPrepare,
      0,
    );
  }
  const committedBatch = await prepared.trace.stage('commit', () =>
    deps.store.transaction(async (writer) => {
      const locked = await writer.lockPosition(partition);
      // The position may have moved since prepare (the previous batch of a stream committed
      // meanwhile); only if it reached this batch did another consumer take some of its events.
      if (locked !== undefined && locked >= range.firstSequence) {
        throw new PositionMovedError();
      }

      const { counted, repeated, windowsTouched } = await writeEvents(writer, prepared, deps);
      const duplicates = classified.duplicates + repeated;
      // The partition's event-time watermark: analytics treats a window as closed once every
      // active partition's watermark has passed it.
      let maxEventTimeMs = Number.NEGATIVE_INFINITY;
      for (const c of counted)
        if (c.valid.occurredAtMs > maxEventTimeMs) maxEventTimeMs = c.valid.occurredAtMs;
      const position = counted.length > 0 ? { ...range, maxEventTimeMs } : range;
      await writer.advancePosition(partition, position, {
        received: fresh.length,
        counted: counted.length,
        deadLettered: failedItems.length,
        duplicates,
      });
      return { counted: counted.length, duplicates, windowsTouched };
    }),
  );
  return result(prepared, committedBatch, range.lastSequence, performance.now() - commitStarted);
}

/** Events per slice of a batch's CPU work: about 1-3 ms of decode or derive each. */
const CPU_SLICE_EVENTS = 250;

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Derives the batch's metrics, in slices (each run through `inSlice`) with a yield between
 * them. Should deriving throw, each event is derived alone to find the ones that throw; those
 * are parked as `processing_error` and the rest derived again, so one event cannot fail, and so
 * stall, its partition.
 */
async function deriveParkingFailures(
  engine: MetricEngine,
  classified: ClassifiedEvents,
  inSlice: <T>(work: () => T) => T,
): Promise<{ classified: ClassifiedEvents; metrics: BatchMetrics }> {
  const valid = classified.countable.map((c) => c.valid);
  try {
    const batch = engine.startBatch();
    for (let first = 0; first < valid.length; first += CPU_SLICE_EVENTS) {
      if (first > 0) await yieldToIo();
      inSlice(() => batch.add(valid.slice(first, first + CPU_SLICE_EVENTS)));
    }
    return { classified, metrics: inSlice(() => batch.rows()) };
  } catch {
    // Rare (a defect): done in one piece.
    return inSlice(() => {
      const countable: CountableEvent[] = [];
      const parked = [...classified.parked];
      for (const event of classified.countable) {
        try {
          engine.derive([event.valid]);
          countable.push(event);
        } catch (error) {
          const raw = { body: event.payload, sequenceNumber: event.sequenceNumber };
          const eventId = event.valid.transaction.eventId;
          parked.push(processingError(raw, FailureStage.derive, error, eventId, event.payload));
        }
      }
      const metrics = engine.derive(countable.map((c) => c.valid));
      return { classified: { ...classified, countable, parked }, metrics };
    });
  }
}

/**
 * The writes every commit shares: claims the eventIds (a repeat of an earlier batch is not
 * counted again), parks the failed items, and upserts the metrics of what is left.
 */
async function writeEvents(
  writer: BatchWriter,
  prepared: PreparedBatch,
  deps: PipelineDeps,
): Promise<{ counted: readonly CountableEvent[]; repeated: number; windowsTouched: readonly number[] }> {
  const { countable, expectedRepeats } = prepared.classified;
  const claimed = expectedRepeats.length === 0 ? countable : [...countable, ...expectedRepeats];
  const repeated = await writer.claimEventIds(
    claimed.map((c) => ({
      eventId: c.valid.transaction.eventId,
      windowStartMs: windowStartMs(c.valid.occurredAtMs),
    })),
  );
  let counted: readonly CountableEvent[] = countable;
  let metrics: BatchMetrics | EncodedMetricRows = prepared.metricRows;
  let windowsTouched = prepared.windowsTouched;
  const asExpected =
    repeated.size === expectedRepeats.length &&
    expectedRepeats.every((c) => repeated.has(c.valid.transaction.eventId));
  if (!asExpected) {
    // Rare: a repeat of an older batch, or an expected repeat that was not counted after all.
    // Derive again from exactly the events this claim counted.
    counted = claimed.filter((c) => !repeated.has(c.valid.transaction.eventId));
    const derived = deps.engine.derive(counted.map((c) => c.valid));
    metrics = derived;
    windowsTouched = derived.windowsTouched;
  }
  // Failed items first: metric rows can be shared with other partitions, so their locks are
  // taken as late as possible.
  await writer.writeFailedItems(prepared.failedItems);
  await writer.writeMetrics(metrics);
  return { counted, repeated: repeated.size, windowsTouched };
}

export type RetryCommit =
  /** Counted now, or its eventId had been counted before; the item is resolved either way. */
  | { readonly kind: 'counted' | 'duplicate' }
  /** Another retry resolved (or an operator discarded) the item meanwhile: nothing was written. */
  | { readonly kind: 'not_claimable'; readonly status: FailedItemStatus | undefined };

/**
 * Commits the re-run of a dead-lettered event: its metrics and the resolution of its failed item
 * in one transaction, without a source position (the item's row is what makes a repeated retry
 * change nothing). The prepared batch must hold one countable event and nothing parked.
 */
export async function commitRetry(
  prepared: PreparedBatch,
  deps: PipelineDeps,
  item: { readonly id: string; readonly now: Date },
): Promise<RetryCommit> {
  if (prepared.failedItems.length > 0 || prepared.classified.countable.length !== 1) {
    throw new Error('commitRetry: a retry commits exactly one countable event');
  }
  return deps.store.transaction(async (writer): Promise<RetryCommit> => {
    const status = await writer.lockFailedItem(item.id);
    if (status !== 'pending' && status !== 'retrying') return { kind: 'not_claimable', status };
    const { counted } = await writeEvents(writer, prepared, deps);
    const kind = counted.length === 1 ? 'counted' : 'duplicate';
    await writer.resolveFailedItem(item.id, kind, item.now);
    return { kind };
  });
}

/** Prepares again when another consumer took some of the batch's positions; classifies failures. */
async function withRetriedRaces(
  batch: EventBatch,
  attempt: () => Promise<BatchResult>,
): Promise<BatchResult> {
  for (let race = 0; ; race++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof PositionMovedError && race < MAX_POSITION_RACES) continue;
      throw asBatchFailure(batch, error);
    }
  }
}

function asBatchFailure(batch: EventBatch, error: unknown): unknown {
  const failure = classifyFailure(error);
  if (failure.kind === 'retryable' && !(error instanceof RetryableBatchError)) {
    return new RetryableBatchError(
      `batch ${batch.source}/${batch.partitionId} failed (${failure.reason}); nothing was committed`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Processes a partition's batches in order, preparing each batch while the one before it
 * commits, so CPU work overlaps database round trips. Stops at the first failure, after the
 * commit in flight has settled; every batch reported to `onResult` is committed.
 */
export async function processBatchStream(
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
  deps: PipelineDeps,
  onResult: (result: BatchResult) => void,
): Promise<void> {
  let inFlight: { batch: EventBatch; trace: BatchTrace; commit: Promise<BatchResult> } | undefined;
  const recentEventIds = new RecentEventIds();
  const settle = async () => {
    if (!inFlight) return;
    const { batch, trace, commit } = inFlight;
    inFlight = undefined;
    let outcome: BatchResult;
    try {
      outcome = await commit;
    } catch (error) {
      // A race with another consumer: prepare this batch again, after the commit before it.
      if (error instanceof PositionMovedError) outcome = await tracedBatch(batch, deps, trace);
      else throw failedTrace(trace, asBatchFailure(batch, error));
    }
    trace.committed(outcome);
    onResult(outcome);
  };
  try {
    for await (const batch of batches) {
      const trace = new BatchTrace(batch);
      let prepared: PreparedBatch;
      try {
        // The batches before this one, the one in flight included, commit before it does.
        prepared = await prepareBatch(batch, deps, trace, { expectedRepeats: recentEventIds });
      } catch (error) {
        // Report the batch in flight (committed or not) before this one's failure.
        await settle();
        throw failedTrace(trace, asBatchFailure(batch, error));
      }
      await settle();
      const commit = commitBatch(prepared, deps);
      // settle() awaits the commit and handles its failure; until then the next batch's prepare
      // yields to I/O, and a rejection meanwhile must not count as unhandled (which ends Node).
      commit.catch(() => undefined);
      recentEventIds.add(prepared.classified.eventIds);
      inFlight = { batch, trace, commit };
    }
    await settle();
  } finally {
    await inFlight?.commit.catch(() => undefined);
  }
}

function result(
  prepared: PreparedBatch,
  committed: { counted: number; duplicates: number; windowsTouched: readonly number[] },
  committedSequence: number | undefined,
  commitMs: number,
): BatchResult {
  const outcome: BatchResult = {
    source: prepared.batch.source,
    partitionId: prepared.batch.partitionId,
    received: prepared.batch.events.length,
    counted: committed.counted,
    deadLettered: prepared.failedItems.length,
    duplicates: committed.duplicates,
    replaySkipped: prepared.replaySkipped,
    deadLetteredByCode: countByCode(prepared.failedItems),
    windowsTouched: committed.windowsTouched,
    committedSequence,
    timings: {
      decodeMs: prepared.decodeMs,
      deriveMs: prepared.deriveMs,
      archiveMs: prepared.archiveMs,
      commitMs,
      totalMs: performance.now() - prepared.startedAt,
    },
  };
  assertConservation(outcome);
  return outcome;
}

async function parkedRecords(
  batch: EventBatch,
  classified: ClassifiedEvents,
  deps: PipelineDeps,
): Promise<FailedItemRecord[]> {
  const maxInlineBytes = deps.archive
    ? (deps.maxInlinePayloadBytes ?? DEFAULT_MAX_INLINE_BYTES)
    : Number.POSITIVE_INFINITY;
  const records: FailedItemRecord[] = [];
  const now = new Date((deps.clock ?? Date.now)());
  const futureToleranceMs = (deps.bounds ?? defaultEventTimeBounds).maxFutureMs;
  for (const parked of classified.parked) {
    const { record, overflow } = createFailedItem({
      stage: parked.stage,
      errorCode: parked.code,
      errorMessage: parked.message,
      body: parked.payload,
      source: batch.source,
      partitionId: batch.partitionId,
      sequenceNumber: parked.event.sequenceNumber,
      eventId: parked.eventId,
      ...(parked.occurredAtMs === undefined ? {} : { occurredAtMs: parked.occurredAtMs }),
      futureToleranceMs,
      now,
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

/** Every event is counted, parked, skipped as a duplicate or skipped as a replay; never lost. */
export function assertConservation(result: BatchResult): void {
  const accounted = result.counted + result.deadLettered + result.duplicates + result.replaySkipped;
  if (accounted !== result.received) {
    throw new Error(
      `conservation violated for ${result.source}/${result.partitionId}: received ${result.received}, accounted ${accounted}`,
    );
  }
}
