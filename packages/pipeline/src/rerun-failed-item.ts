import type { MetricEngine } from '@paymetrics/metric-engine';
import type { BatchCounters, BatchWriter, FailedItem, MetricsStore } from '@paymetrics/storage-adapters';
import { processBatch } from './process-batch.js';

export type RerunOutcome =
  /** Counted now (dry run: would be). */
  | { readonly kind: 'counted' }
  /** Its eventId was counted before, so nothing more is counted. */
  | { readonly kind: 'duplicate' }
  /** An earlier retry of this item committed it (the item was not marked resolved then). */
  | { readonly kind: 'already_committed' }
  /** Rejected again; nothing was parked or committed. */
  | {
      readonly kind: 'parked_again';
      readonly errorCode: string;
      readonly message: string;
      /** When waiting can help (a future event): the time it becomes acceptable; else null. */
      readonly nextAttemptAt: Date | null;
    };

export type RerunnableItem = Pick<
  FailedItem,
  'source' | 'partitionId' | 'sequenceNumber' | 'payloadEncoding'
> & {
  readonly payload: string;
};

export interface RerunOptions {
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  /** Processing time in epoch ms, for the event-time bounds of the re-run. */
  readonly clock?: (() => number) | undefined;
  /** Roll the re-run back after its outcome is known. */
  readonly dryRun?: boolean | undefined;
}

/**
 * Where a retry of a failed item commits: its own partition under `retry:<source>`, at the item's
 * original sequence number. A re-run commits a position only when it counted the event, so a
 * retry repeated after a crash finds its position committed and changes nothing. One partition
 * per item, because positions are high-water marks and items of one partition come due in any order.
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
  readonly errorCode: string;
  readonly nextAttemptAt: Date | null;
  constructor(errorCode: string, message: string, nextAttemptAt: Date | null) {
    super(`${errorCode}: ${message}`);
    this.errorCode = errorCode;
    this.nextAttemptAt = nextAttemptAt;
  }
}

/** Thrown at the end of a dry run's transaction, so it rolls back once the outcome is known. */
class DryRunRollback extends Error {
  override readonly name = 'DryRunRollback';
  readonly counters: BatchCounters;
  constructor(counters: BatchCounters) {
    super('dry run: rolled back');
    this.counters = counters;
  }
}

/**
 * Runs a dead-lettered payload through processBatch again, as the retry timer and the operators'
 * `dlq retry` do. Failures of the database or the pipeline (not of the event) are thrown.
 */
export async function rerunFailedItem(item: RerunnableItem, options: RerunOptions): Promise<RerunOutcome> {
  const body = item.payloadEncoding === 'base64' ? Buffer.from(item.payload, 'base64') : item.payload;
  let committed: BatchCounters | undefined;
  try {
    const result = await processBatch(
      { ...retryPartition(item), events: [{ body, sequenceNumber: item.sequenceNumber }] },
      {
        store: guardedStore(options.store, options.dryRun === true, (counters) => {
          committed = counters;
        }),
        engine: options.engine,
        clock: options.clock,
      },
    );
    if (result.replaySkipped === 1) return { kind: 'already_committed' };
  } catch (error) {
    const parked = findInCauses(error, ParkedAgainError);
    if (parked) {
      return {
        kind: 'parked_again',
        errorCode: parked.errorCode,
        message: parked.message,
        nextAttemptAt: parked.nextAttemptAt,
      };
    }
    const rolledBack = findInCauses(error, DryRunRollback);
    if (!rolledBack) throw error;
    committed = rolledBack.counters;
  }
  if (!committed) throw new Error('the re-run committed no position');
  return committed.duplicates === 1 ? { kind: 'duplicate' } : { kind: 'counted' };
}

/** The store, except that parking aborts the transaction, and a dry run rolls back at the end. */
function guardedStore(
  store: MetricsStore,
  dryRun: boolean,
  onAdvance: (counters: BatchCounters) => void,
): MetricsStore {
  return {
    readPosition: (partition) => store.readPosition(partition),
    close: () => store.close(),
    transaction: (work) =>
      store.transaction((writer) => {
        const guarded: BatchWriter = {
          lockPosition: (partition) => writer.lockPosition(partition),
          claimEventIds: (claims) => writer.claimEventIds(claims),
          writeMetrics: (metrics) => writer.writeMetrics(metrics),
          async advancePosition(partition, range, counters) {
            await writer.advancePosition(partition, range, counters);
            if (dryRun) throw new DryRunRollback(counters);
            onAdvance(counters);
          },
          async writeFailedItems(items) {
            const [first] = items;
            if (first) throw new ParkedAgainError(first.errorCode, first.errorMessage, first.nextAttemptAt);
            return 0;
          },
        };
        return work(guarded);
      }),
  };
}

function findInCauses<E extends Error>(
  error: unknown,
  type: abstract new (...args: never[]) => E,
): E | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
