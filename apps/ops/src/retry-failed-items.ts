import {
  DEFAULT_CLAIM_LEASE_MS,
  type FailedItem,
  type FailedItemFilter,
  listFailedItems,
  releaseFailedItems,
  resolveFailedItems,
} from '@paymetrics/dead-letter';
import type { MetricEngine } from '@paymetrics/metric-engine';
import { rerunFailedItem } from '@paymetrics/pipeline';
import type { MetricsStore } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

export type RetryItemOutcomeKind =
  /** Counted now (dry run: would be). */
  | 'resolved'
  | 'would_resolve'
  /** Its eventId was counted already, so nothing more is counted; resolved. */
  | 'duplicate'
  | 'would_be_duplicate'
  /** The re-run rejected it again; back to pending with the reason in last_error. */
  | 'still_failing'
  /** Not pending (retrying, resolved, discarded), or claimed by someone else meanwhile. */
  | 'skipped'
  | 'not_found'
  /** The payload is in the archive (payload_ref), which this tool does not read. */
  | 'needs_operator'
  /** The database or the pipeline failed, not the event; the item is given back as pending. */
  | 'error';

export interface RetryItemResult {
  readonly id: string;
  readonly outcome: RetryItemOutcomeKind;
  /** The code the re-run parked it with (still_failing), or the item's stored code otherwise. */
  readonly errorCode?: string;
  readonly reason?: string;
}

export interface RetryFailedItemsDeps {
  // biome-ignore lint/suspicious/noExplicitAny: any database with a failed_items table (dead-letter's rule)
  readonly db: Kysely<any>;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  /** Processing time in epoch ms for the event-time bounds of the re-run. */
  readonly clock?: () => number;
}

export interface RetryFailedItemsOptions {
  readonly dryRun: boolean;
}

/**
 * Re-runs the payload of each matching pending item through processBatch now, one at a time,
 * the way the retry timer does, whatever its next_attempt_at. Reports one result per item and
 * never throws halfway: an item whose re-run fails for another reason than the event is
 * reported as `error` and given back as pending. With `dryRun`, each re-run is rolled back and
 * no item changes.
 */
export async function retryFailedItems(
  deps: RetryFailedItemsDeps,
  filter: FailedItemFilter,
  options: RetryFailedItemsOptions,
): Promise<readonly RetryItemResult[]> {
  const clock = deps.clock ?? Date.now;
  const matching = await listFailedItems(deps.db, filter);
  const results: RetryItemResult[] = [];
  for (const item of matching) {
    results.push(await retryOne(deps, item, { clock, dryRun: options.dryRun }));
  }
  if (filter.ids) {
    const found = new Set(matching.map((item) => item.id));
    for (const raw of new Set(filter.ids.map(String))) {
      if (!found.has(raw))
        results.push({ id: raw, outcome: 'not_found', reason: 'no such item matches the filter' });
    }
  }
  return results;
}

async function retryOne(
  deps: RetryFailedItemsDeps,
  item: FailedItem,
  options: { clock: () => number; dryRun: boolean },
): Promise<RetryItemResult> {
  const base = { id: item.id, errorCode: item.errorCode };
  if (item.status !== 'pending') return { ...base, outcome: 'skipped', reason: `status is ${item.status}` };
  if (item.payload === null) {
    return { ...base, outcome: 'needs_operator', reason: `payload is in the archive: ${item.payloadRef}` };
  }
  if (
    !options.dryRun &&
    !(await claim(deps.db, item.id, new Date(options.clock() + DEFAULT_CLAIM_LEASE_MS)))
  ) {
    return { ...base, outcome: 'skipped', reason: 'changed by someone else meanwhile' };
  }
  // Give the item back with its schedule unchanged: an operator's retry does not move the timer's.
  const giveBack = (lastError: string) =>
    options.dryRun
      ? Promise.resolve()
      : releaseFailedItems(deps.db, [
          { id: item.id, nextAttemptAt: item.nextAttemptAt, lastError: lastError.slice(0, 1_000) },
        ]).then(() => undefined);

  try {
    const outcome = await rerunFailedItem(
      { ...item, payload: item.payload },
      { store: deps.store, engine: deps.engine, clock: options.clock, dryRun: options.dryRun },
    );
    if (outcome.kind === 'parked_again') {
      await giveBack(outcome.message).catch(() => undefined);
      return { id: item.id, outcome: 'still_failing', errorCode: outcome.errorCode, reason: outcome.message };
    }
    const duplicate = outcome.kind === 'duplicate';
    if (options.dryRun) return { ...base, outcome: duplicate ? 'would_be_duplicate' : 'would_resolve' };
    await resolveFailedItems(deps.db, [item.id], { now: new Date(options.clock()) });
    if (outcome.kind === 'already_committed') {
      return { ...base, outcome: 'resolved', reason: 'an earlier retry had committed it' };
    }
    return { ...base, outcome: duplicate ? 'duplicate' : 'resolved' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await giveBack(`retry failed: ${message}`).catch(() => undefined);
    return { ...base, outcome: 'error', reason: message.split('\n')[0] ?? message };
  }
}

/** Claims one item with a lease, like the retry timer, so the timer does not take it meanwhile. */
async function claim(db: RetryFailedItemsDeps['db'], id: string, leaseEnd: Date): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    UPDATE failed_items SET status = 'retrying', attempts = attempts + 1, next_attempt_at = ${leaseEnd}
     WHERE id = ${id}::bigint AND status = 'pending'
    RETURNING id::text`.execute(db);
  return rows.length === 1;
}
