import {
  claimDueFailedItems,
  discardFailedItems,
  releaseFailedItems,
  resolveFailedItems,
} from '@paymetrics/dead-letter';
import type { MetricEngine } from '@paymetrics/metric-engine';
import { rerunFailedItem } from '@paymetrics/pipeline';
import type { MetricsStore } from '@paymetrics/storage-adapters';
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
 * The retry timer's work: claims pending items whose next attempt is due, re-runs each payload
 * through processBatch, and resolves, releases (exponential backoff) or discards each one.
 */
export async function retryDueFailedItems(deps: FailedItemRetryDeps): Promise<RetryRunSummary> {
  const clock = deps.clock ?? Date.now;
  const now = new Date(clock());
  const claimed = await claimDueFailedItems(deps.db, { now, limit: deps.policy.batchSize });
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
    let failure: string;
    let waitUntil: Date | null = null;
    try {
      const outcome = await rerunFailedItem(
        { ...item, payload: item.payload },
        { store: deps.store, engine: deps.engine, clock },
      );
      if (outcome.kind !== 'parked_again') {
        await resolveFailedItems(deps.db, [item.id], { now });
        counts.resolved++;
        continue;
      }
      failure = outcome.message;
      waitUntil = outcome.nextAttemptAt;
    } catch (error) {
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
    if (waitUntil !== null) {
      // Still in the future: it comes due when its event time enters the tolerance. Waiting is
      // not a failed attempt, so the backoff and its discard do not apply.
      await releaseFailedItems(deps.db, [
        { id: item.id, nextAttemptAt: waitUntil, lastError: failure.slice(0, 1_000) },
      ]);
      counts.released++;
    } else if (item.attempts >= deps.policy.maxAttempts) {
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
