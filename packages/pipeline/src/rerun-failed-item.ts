import type { FailedItem } from '@paymetrics/storage-adapters';
import { commitRetry, type PipelineDeps, prepareBatch } from './process-batch.js';

export type RerunOutcome =
  /** Counted now and resolved (dry run: would be). */
  | { readonly kind: 'counted' }
  /** Its eventId was counted before, so nothing more is counted; resolved (dry run: would be). */
  | { readonly kind: 'duplicate' }
  /** Another retry resolved the item, or an operator discarded it, meanwhile: nothing was written. */
  | { readonly kind: 'not_claimable'; readonly status: string | undefined }
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
  'id' | 'source' | 'partitionId' | 'sequenceNumber' | 'payloadEncoding'
> & {
  /** The payload as stored (inline, or read back from the archive). */
  readonly payload: string | Uint8Array;
};

export interface RerunOptions {
  readonly store: PipelineDeps['store'];
  readonly engine: PipelineDeps['engine'];
  /** Processing time in epoch ms, for the event-time bounds of the re-run. */
  readonly clock?: (() => number) | undefined;
  /** Decide the outcome and write nothing. */
  readonly dryRun?: boolean | undefined;
}

/**
 * Runs a dead-lettered payload through the pipeline again, as the retry timer and the operators'
 * `dlq retry` do: prepareBatch decides (parked again or countable), and commitRetry counts it and
 * resolves the item in one transaction. Failures of the database or the pipeline (not of the
 * event) are thrown.
 */
export async function rerunFailedItem(item: RerunnableItem, options: RerunOptions): Promise<RerunOutcome> {
  const body =
    typeof item.payload === 'string' && item.payloadEncoding === 'base64'
      ? Buffer.from(item.payload, 'base64')
      : item.payload;
  const clock = options.clock ?? Date.now;
  const deps: PipelineDeps = { store: options.store, engine: options.engine, clock };
  const prepared = await prepareBatch(
    {
      source: item.source,
      partitionId: item.partitionId,
      events: [{ body, sequenceNumber: item.sequenceNumber }],
    },
    deps,
    undefined,
    { ignorePosition: true },
  );
  const [parked] = prepared.failedItems;
  if (parked) {
    return {
      kind: 'parked_again',
      errorCode: parked.errorCode,
      message: `${parked.errorCode}: ${parked.errorMessage}`,
      nextAttemptAt: parked.nextAttemptAt,
    };
  }
  const [event] = prepared.classified.countable;
  if (!event) throw new Error(`failed item ${item.id}: the re-run neither parked nor counted its event`);
  if (options.dryRun) {
    const counted = await options.store.findCountedEventIds([event.valid.transaction.eventId]);
    return { kind: counted.size > 0 ? 'duplicate' : 'counted' };
  }
  return commitRetry(prepared, deps, { id: item.id, now: new Date(clock()) });
}
