import type { MetricEngine } from '@paymetrics/metric-engine';
import { rerunFailedItem } from '@paymetrics/pipeline';
import {
  type ArchiveStore,
  ArchiveStoreError,
  ArchiveStoreErrorCode,
  claimDueFailedItems,
  claimFailedItems,
  type Database,
  discardFailedItems,
  type FailedItem,
  type FailedItemFilter,
  listFailedItems,
  type MetricsStore,
  releaseFailedItems,
} from '@paymetrics/storage-adapters';
import type { Kysely } from 'kysely';

export interface FailedItemRetryDeps {
  readonly db: Kysely<Database>;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  /** Where payloads over the inline limit are kept (`payload_ref`); without it such items wait for a person. */
  readonly archive?: ArchiveStore | undefined;
  /** Epoch ms; decides which items are due and the event-time bounds of the re-run. */
  readonly clock?: () => number;
}

export interface RetryPolicy {
  /** An item that failed this many attempts is discarded. */
  readonly maxAttempts: number;
  /** Wait after the first failed attempt; doubled after each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Items claimed per run. */
  readonly batchSize: number;
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

/** What one re-run of a claimed item did. */
type Attempt =
  | { readonly kind: 'counted' | 'duplicate' }
  /** Resolved or discarded by someone else meanwhile: nothing was written. */
  | { readonly kind: 'not_claimable'; readonly status: string | undefined }
  | {
      readonly kind: 'still_failing';
      readonly errorCode: string;
      readonly message: string;
      /** A future event: when it becomes acceptable. Waiting is not a failed attempt. */
      readonly waitUntil: Date | null;
    }
  | { readonly kind: 'no_payload'; readonly reason: string };

/**
 * The payload to re-run: inline, or read back from the archive. An archived payload that is not
 * there, is not gzip or has a name no store writes cannot come back by waiting: a person decides.
 * A failed read (network, refused) is thrown like a database failure, so the item is given back.
 */
async function payloadOf(
  deps: FailedItemRetryDeps,
  item: FailedItem,
): Promise<
  { readonly payload: string | Uint8Array } | { readonly kind: 'no_payload'; readonly reason: string }
> {
  if (item.payload !== null) return { payload: item.payload };
  const ref = item.payloadRef ?? '(no payload_ref)';
  if (!deps.archive)
    return { kind: 'no_payload', reason: `payload is in the archive (${ref}), and no archive is configured` };
  try {
    const payload =
      item.payloadRef === null ? undefined : await deps.archive.readLargePayload(item.payloadRef);
    if (payload === undefined)
      return { kind: 'no_payload', reason: `payload ${ref} is missing from the archive` };
    return { payload };
  } catch (error) {
    const unreadable =
      error instanceof RangeError ||
      (error instanceof ArchiveStoreError && error.code === ArchiveStoreErrorCode.corruptObject);
    if (!unreadable) throw error;
    return { kind: 'no_payload', reason: `payload ${ref} cannot be read from the archive: ${error.message}` };
  }
}

/**
 * The one retry step, shared by the timer and the operators: re-runs an item's payload through
 * the pipeline, which counts the event and resolves the item in one transaction. Failures of the
 * database, the archive or the pipeline, not of the event, are thrown; the caller gives the item back.
 */
async function attemptItem(
  deps: FailedItemRetryDeps,
  item: FailedItem,
  options: { readonly clock: () => number; readonly dryRun: boolean },
): Promise<Attempt> {
  const read = await payloadOf(deps, item);
  if ('kind' in read) return read;
  const outcome = await rerunFailedItem(
    { ...item, payload: read.payload },
    { store: deps.store, engine: deps.engine, clock: options.clock, dryRun: options.dryRun },
  );
  if (outcome.kind !== 'parked_again') return outcome;
  return {
    kind: 'still_failing',
    errorCode: outcome.errorCode,
    message: outcome.message,
    waitUntil: outcome.nextAttemptAt,
  };
}

const lastError = (text: string) => text.slice(0, 1_000);

export interface RetryRunSummary {
  readonly claimed: number;
  /** Counted on this attempt, or already counted (a duplicate). */
  readonly resolved: number;
  /** Failed again (or not yet acceptable); back to pending with a later next attempt. */
  readonly released: number;
  readonly discarded: number;
  /** Their archived payload is missing or unreadable (or no archive is configured); left for a person. */
  readonly needsOperator: number;
}

/**
 * The retry timer's work: claims pending items whose next attempt is due, re-runs each one,
 * and resolves it, releases it (a future event: until its event time is acceptable; any other
 * failure: exponential backoff) or discards it after the policy's attempts.
 */
export async function retryDueFailedItems(
  deps: FailedItemRetryDeps & { readonly policy: RetryPolicy },
): Promise<RetryRunSummary> {
  const clock = deps.clock ?? Date.now;
  const now = new Date(clock());
  const claimed = await claimDueFailedItems(deps.db, { now, limit: deps.policy.batchSize });
  const counts = { resolved: 0, released: 0, discarded: 0, needsOperator: 0 };
  const backoff = (item: FailedItem) => new Date(now.getTime() + retryDelayMs(item.attempts, deps.policy));

  for (const [index, item] of claimed.entries()) {
    let attempt: Attempt;
    try {
      attempt = await attemptItem(deps, item, { clock, dryRun: false });
    } catch (error) {
      // The database, the archive or the pipeline failed, not the event: give every claimed item back and
      // let the timer's next run try again.
      await releaseFailedItems(
        deps.db,
        claimed.slice(index).map((rest) => ({
          id: rest.id,
          nextAttemptAt: backoff(rest),
          lastError: lastError(`retry run failed: ${(error as Error).message}`),
        })),
      ).catch(() => undefined);
      throw error;
    }
    if (attempt.kind === 'no_payload') {
      await releaseFailedItems(deps.db, [
        {
          id: item.id,
          nextAttemptAt: null,
          lastError: lastError(`${attempt.reason}; restore it, then retry it with pnpm dlq retry`),
        },
      ]);
      counts.needsOperator++;
    } else if (attempt.kind === 'not_claimable') {
      // Resolved or discarded by someone else after its lease ran out: nothing to give back.
    } else if (attempt.kind !== 'still_failing') {
      counts.resolved++;
    } else if (attempt.waitUntil !== null) {
      await releaseFailedItems(deps.db, [
        { id: item.id, nextAttemptAt: attempt.waitUntil, lastError: lastError(attempt.message) },
      ]);
      counts.released++;
    } else if (item.attempts >= deps.policy.maxAttempts) {
      // discardFailedItems only takes pending items: hand the claim back first.
      await releaseFailedItems(deps.db, [{ id: item.id, nextAttemptAt: null, lastError: attempt.message }]);
      await discardFailedItems(
        deps.db,
        { ids: [item.id] },
        {
          dryRun: false,
          now,
          reason: lastError(`discarded after ${item.attempts} attempts: ${attempt.message}`),
        },
      );
      counts.discarded++;
    } else {
      await releaseFailedItems(deps.db, [
        { id: item.id, nextAttemptAt: backoff(item), lastError: lastError(attempt.message) },
      ]);
      counts.released++;
    }
  }
  return { claimed: claimed.length, ...counts };
}

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
  /** Its archived payload is missing or unreadable, or no archive is configured. */
  | 'needs_operator'
  /** The database, the archive or the pipeline failed, not the event; the item is given back as pending. */
  | 'error';

export interface RetryItemResult {
  readonly id: string;
  readonly outcome: RetryItemOutcomeKind;
  /** The code the re-run parked it with (still_failing), or the item's stored code otherwise. */
  readonly errorCode?: string;
  readonly reason?: string;
}

/**
 * An operator's retry (`pnpm dlq retry`): re-runs each matching pending item now, one at a time,
 * whatever its next_attempt_at, with the same step as the timer. Reports one result per item and
 * never throws halfway. An item that fails again is given back with its schedule unchanged: an
 * operator's retry does not move the timer's. With `dryRun`, nothing is claimed or changed.
 */
export async function retryFailedItems(
  deps: FailedItemRetryDeps,
  filter: FailedItemFilter,
  options: { readonly dryRun: boolean },
): Promise<readonly RetryItemResult[]> {
  const clock = deps.clock ?? Date.now;
  const matching = await listFailedItems(deps.db, filter);
  const results: RetryItemResult[] = [];
  for (const item of matching) results.push(await retryOne(deps, item, { clock, dryRun: options.dryRun }));
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
  deps: FailedItemRetryDeps,
  item: FailedItem,
  options: { readonly clock: () => number; readonly dryRun: boolean },
): Promise<RetryItemResult> {
  const base = { id: item.id, errorCode: item.errorCode };
  if (item.status !== 'pending') return { ...base, outcome: 'skipped', reason: `status is ${item.status}` };
  if (!options.dryRun) {
    const [claimed] = await claimFailedItems(deps.db, [item.id], { now: new Date(options.clock()) });
    if (!claimed) return { ...base, outcome: 'skipped', reason: 'changed by someone else meanwhile' };
  }
  const giveBack = (reason: string) =>
    options.dryRun
      ? Promise.resolve()
      : releaseFailedItems(deps.db, [
          { id: item.id, nextAttemptAt: item.nextAttemptAt, lastError: lastError(reason) },
        ]).then(() => undefined);
  try {
    const attempt = await attemptItem(deps, item, options);
    switch (attempt.kind) {
      case 'no_payload':
        await giveBack(attempt.reason);
        return { ...base, outcome: 'needs_operator', reason: attempt.reason };
      case 'still_failing':
        await giveBack(attempt.message);
        return {
          id: item.id,
          outcome: 'still_failing',
          errorCode: attempt.errorCode,
          reason: attempt.message,
        };
      case 'not_claimable':
        return { ...base, outcome: 'skipped', reason: `status is ${attempt.status ?? 'gone'}` };
      case 'duplicate':
        return { ...base, outcome: options.dryRun ? 'would_be_duplicate' : 'duplicate' };
      case 'counted':
        return { ...base, outcome: options.dryRun ? 'would_resolve' : 'resolved' };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await giveBack(`retry failed: ${message}`).catch(() => undefined);
    return { ...base, outcome: 'error', reason: message.split('\n')[0] ?? message };
  }
}
