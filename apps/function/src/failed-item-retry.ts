import {
  claimDueFailedItems,
  discardFailedItems,
  type FailedItem,
  releaseFailedItems,
  resolveFailedItems,
} from '@paymetrics/dead-letter';
import type { MetricEngine } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import type { FailedItemRecord } from '@paymetrics/schemas';
import type { BatchWriter, MetricsStore } from '@paymetrics/storage-adapters';
import type { Kysely } from 'kysely';

export interface RetryPolicy {
  /** An item that failed this many attempts is discarded. */
  readonly maxAttempts: number;
  /** Wait after the first failed attempt; doubled after each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Items claimed per run. */
  readonly batchSize: number;
}

export interface FailedItemRetryDeps {
  // biome-ignore lint/suspicious/noExplicitAny: any database with a failed_items table (dead-letter's rule)
  readonly db: Kysely<any>;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  readonly policy: RetryPolicy;
  /** Epoch ms; decides which items are due and the event-time bounds of the re-run. */
  readonly clock?: () => number;
}

export interface RetryRunSummary {
  readonly claimed: number;
  /** Counted on this attempt, or already counted (a duplicate, or an earlier attempt that committed). */
  readonly resolved: number;
  /** Failed again; back to pending with a later next attempt. */
  readonly released: number;
  readonly discarded: number;
  /** Their payload lives in the archive, which this run cannot read; left for a person. */
  readonly needsOperator: number;
}

/** `base * 2^(attempts - 1)`, capped: the wait after the `attempts`-th failed attempt. */
export function retryDelayMs(
  attemptsMade: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  // 2^exponent overflows to Infinity long before it matters; min() caps it either way.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/**
 * Where a retry of an item is committed: its own partition under `retry:<source>`, at the item's
 * original sequence number. A re-run commits a position only when it counted the event (see
 * ParkedAgainError), so a retry repeated after a crash finds its position committed and changes
 * nothing; one partition per item, because positions are high-water marks and items of one
 * source partition become due in any order.
 */
export function retryPartition(item: Pick<FailedItem, 'source' | 'partitionId' | 'sequenceNumber'>): {
  readonly source: string;
  readonly partitionId: string;
} {
  return { source: `retry:${item.source}`, partitionId: `${item.partitionId}@${item.sequenceNumber}` };
}

/** Thrown inside the re-run's transaction so a still-failing event parks nothing and commits nothing. */
class ParkedAgainError extends Error {
  override readonly name = 'ParkedAgainError';
  readonly record: FailedItemRecord;
  constructor(record: FailedItemRecord) {
    super(`${record.errorCode}: ${record.errorMessage}`);
    this.record = record;
  }
}

/**
 * The retry timer's work: claims pending items whose next attempt is due, re-runs each payload
 * through processBatch, and resolves, releases (exponential backoff) or discards each one.
 */
export async function retryDueFailedItems(deps: FailedItemRetryDeps): Promise<RetryRunSummary> {
  const clock = deps.clock ?? Date.now;
  const now = new Date(clock());
  const claimed = await claimDueFailedItems(deps.db, { now, limit: deps.policy.batchSize });
  const store = withoutParking(deps.store);
  const counts = { resolved: 0, released: 0, discarded: 0, needsOperator: 0 };

  for (const [index, item] of claimed.entries()) {
    if (item.payload === null) {
      await releaseFailedItems(deps.db, [
        {
          id: item.id,
          nextAttemptAt: null,
          lastError: 'payload is in the archive (payload_ref); retry it by hand',
        },
      ]);
      counts.needsOperator++;
      continue;
    }
    const body = item.payloadEncoding === 'base64' ? Buffer.from(item.payload, 'base64') : item.payload;
    let failure: string;
    try {
      const result = await processBatch(
        { ...retryPartition(item), events: [{ body, sequenceNumber: item.sequenceNumber }] },
        { store, engine: deps.engine, clock },
      );
      if (result.counted + result.duplicates + result.replaySkipped === 1) {
        await resolveFailedItems(deps.db, [item.id], { now });
        counts.resolved++;
        continue;
      }
      failure = 'the re-run neither counted nor parked the event';
    } catch (error) {
      const parked = findParkedAgain(error);
      if (!parked) {
        // The database or the pipeline failed, not the event: give every claimed item back and
        // let the timer's next run try again.
        await releaseFailedItems(
          deps.db,
          claimed.slice(index).map((rest) => ({
            id: rest.id,
            nextAttemptAt: new Date(now.getTime() + retryDelayMs(rest.attempts, deps.policy)),
            lastError: `retry run failed: ${(error as Error).message}`.slice(0, 1_000),
          })),
        ).catch(() => undefined);
        throw error;
      }
      failure = parked.message;
    }
    if (item.attempts >= deps.policy.maxAttempts) {
      // discardFailedItems only takes pending items: hand the claim back first.
      await releaseFailedItems(deps.db, [{ id: item.id, nextAttemptAt: null, lastError: failure }]);
      await discardFailedItems(
        deps.db,
        { ids: [item.id] },
        {
          dryRun: false,
          now,
          reason: `discarded after ${item.attempts} attempts: ${failure}`.slice(0, 1_000),
        },
      );
      counts.discarded++;
    } else {
      const nextAttemptAt = new Date(now.getTime() + retryDelayMs(item.attempts, deps.policy));
      await releaseFailedItems(deps.db, [{ id: item.id, nextAttemptAt, lastError: failure.slice(0, 1_000) }]);
      counts.released++;
    }
  }
  return { claimed: claimed.length, ...counts };
}

/** The store, except that a batch about to park an event aborts its transaction instead. */
function withoutParking(store: MetricsStore): MetricsStore {
  return {
    readPosition: (partition) => store.readPosition(partition),
    close: () => store.close(),
    transaction: (work) =>
      store.transaction((writer) => {
        const guarded: BatchWriter = {
          lockPosition: (partition) => writer.lockPosition(partition),
          claimEventIds: (claims) => writer.claimEventIds(claims),
          writeMetrics: (metrics) => writer.writeMetrics(metrics),
          advancePosition: (partition, range, counters) => writer.advancePosition(partition, range, counters),
          async writeFailedItems(items) {
            const [first] = items;
            if (first) throw new ParkedAgainError(first);
            return 0;
          },
        };
        return work(guarded);
      }),
  };
}

function findParkedAgain(error: unknown): ParkedAgainError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof ParkedAgainError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
