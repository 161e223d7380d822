import { RetryableBatchError } from '@paymetrics/dead-letter';
import { type BatchResult, type PipelineDeps, processBatch, type RawEvent } from '@paymetrics/pipeline';

export interface RetryingRunOptions {
  readonly deps: PipelineDeps;
  readonly source: string;
  readonly partitionId?: string;
  readonly batchSize: number;
  /** Line number of the first line (a consumer resuming from an older checkpoint starts later). */
  readonly firstSequence?: number;
  /** Attempts per batch before giving up; a batch that never succeeds fails the scenario. */
  readonly maxAttempts?: number;
  /** Pause before a retry, as a host's retry policy would; grows linearly with the attempt. */
  readonly backoffMs?: number;
  /** Called before each delivery of a batch: the hook fault injectors use to aim at a batch. */
  readonly beforeBatch?: (batchIndex: number, attempt: number) => Promise<void> | void;
}

export interface RetryingRunResult {
  readonly results: BatchResult[];
  /** Deliveries that failed with RetryableBatchError and were delivered again. */
  readonly retries: number;
  /** Retries by the classified reason (deadlock, serialization, connection, ...). */
  readonly retriesByReason: Record<string, number>;
}

/**
 * Delivers the lines in batches of one partition the way a host does: a batch that fails with
 * RetryableBatchError is delivered again, unchanged, until it succeeds. Any other error ends the
 * run, because a host would stop the partition there too.
 */
export async function runWithRetries(
  lines: readonly (string | Uint8Array)[],
  options: RetryingRunOptions,
): Promise<RetryingRunResult> {
  const results: BatchResult[] = [];
  const retriesByReason: Record<string, number> = {};
  let retries = 0;
  const firstSequence = options.firstSequence ?? 1;
  const maxAttempts = options.maxAttempts ?? 200;
  let batchIndex = 0;
  for (let start = 0; start < lines.length; start += options.batchSize, batchIndex++) {
    const events: RawEvent[] = lines
      .slice(start, start + options.batchSize)
      .map((body, i) => ({ body, sequenceNumber: firstSequence + start + i }));
    const batch = { source: options.source, partitionId: options.partitionId ?? '0', events };
    for (let attempt = 1; ; attempt++) {
      await options.beforeBatch?.(batchIndex, attempt);
      try {
        results.push(await processBatch(batch, options.deps));
        break;
      } catch (error) {
        if (!(error instanceof RetryableBatchError) || attempt >= maxAttempts) throw error;
        retries++;
        const reason = error.classification.reason;
        retriesByReason[reason] = (retriesByReason[reason] ?? 0) + 1;
        const pause = (options.backoffMs ?? 0) * attempt;
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }
  return { results, retries, retriesByReason };
}
