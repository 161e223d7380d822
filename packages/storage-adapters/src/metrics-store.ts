import type { BatchMetrics } from '@paymetrics/metric-engine';
import type { FailedItemRecord, FailedItemStatus } from '@paymetrics/schemas';
import type { FailedItemResolution } from './database.js';
import type { EncodedMetricRows } from './sql/batch-rows.js';

/** One ordered stream of events: an event hub partition, or a file (content hash, partition '0'). */
export interface PartitionRef {
  readonly source: string;
  readonly partitionId: string;
}

/** What a batch did, added to the partition's counters when its position advances. */
export interface BatchCounters {
  readonly received: number;
  readonly counted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
}

export interface EventIdClaim {
  readonly eventId: string;
  readonly windowStartMs: number;
}

/**
 * The writes of one batch, all inside one database transaction. Every method is a bulk
 * statement (never one per row) and writes keys in sorted order, so concurrent partitions
 * take row locks in the same order and cannot deadlock.
 */
export interface BatchWriter {
  /** Locks the partition's position for this transaction; the last committed sequence, if any. */
  lockPosition(partition: PartitionRef): Promise<number | undefined>;
  /** Records eventIds as counted; returns the ones recorded before (by this or an earlier batch). */
  claimEventIds(claims: readonly EventIdClaim[]): Promise<ReadonlySet<string>>;
  /**
   * Upserts the batch's contribution into the metric tables; pass `encodeMetricRows(metrics)`
   * to do the encoding before the transaction instead of inside it.
   */
  writeMetrics(metrics: BatchMetrics | EncodedMetricRows): Promise<void>;
  /** Parks items; one already parked at the same source position is left as it is. Returns rows inserted. */
  writeFailedItems(items: readonly FailedItemRecord[]): Promise<number>;
  /** Locks a failed item for this transaction (a retry of it); its status, or undefined when there is none. */
  lockFailedItem(id: string): Promise<FailedItemStatus | undefined>;
  /** Marks a locked failed item resolved by this transaction's retry, with how. */
  resolveFailedItem(id: string, resolution: FailedItemResolution, now: Date): Promise<void>;
  /**
   * Moves the committed position to `lastSequence` and adds the batch's counters; the partition's
   * event-time watermark moves up to `maxEventTimeMs` (the latest event time counted), which
   * analytics uses to know which windows are closed.
   */
  advancePosition(
    partition: PartitionRef,
    range: {
      readonly firstSequence: number;
      readonly lastSequence: number;
      readonly maxEventTimeMs?: number;
    },
    counters: BatchCounters,
  ): Promise<void>;
}

export interface MetricsStore {
  /** The last committed sequence of a partition, read without locking (to pre-filter a batch). */
  readPosition(partition: PartitionRef): Promise<number | undefined>;
  /** The given eventIds that were counted already (read only: a dry run's duplicate check). */
  findCountedEventIds(eventIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Runs `work` in one transaction: all of its writes commit together or not at all. */
  transaction<T>(work: (writer: BatchWriter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
