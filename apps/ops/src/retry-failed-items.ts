import {
  type FailedItem,
  type FailedItemFilter,
  listFailedItems,
  releaseFailedItems,
  resolveFailedItems,
} from '@paymetrics/dead-letter';
import type { MetricEngine } from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import type { FailedItemRecord } from '@paymetrics/schemas';
import type { BatchCounters, BatchWriter, MetricsStore } from '@paymetrics/storage-adapters';
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
 * Where a retry commits: `retry:<source>`, partition `<partition>@<sequence>`, exactly as the
 * Function's retry timer does (apps/function/src/failed-item-retry.ts), so a retry by either one
 * finds the other's committed position and counts nothing twice.
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

/** Thrown at the end of a dry run's transaction, so it rolls back after the outcome is known. */
class DryRunRollback extends Error {
  override readonly name = 'DryRunRollback';
  readonly counters: BatchCounters;
  constructor(counters: BatchCounters) {
    super('dry run: rolled back');
    this.counters = counters;
  }
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
  if (!options.dryRun && !(await claim(deps.db, item.id))) {
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
    const counters = await rerun(deps, item, options);
    if (counters === 'already_committed' || counters.counted + counters.duplicates === 1) {
      const duplicate = counters !== 'already_committed' && counters.duplicates === 1;
      if (options.dryRun) return { ...base, outcome: duplicate ? 'would_be_duplicate' : 'would_resolve' };
      await resolveFailedItems(deps.db, [item.id], { now: new Date(options.clock()) });
      if (counters === 'already_committed') {
        return { ...base, outcome: 'resolved', reason: 'an earlier retry had committed it' };
      }
      return { ...base, outcome: duplicate ? 'duplicate' : 'resolved' };
    }
    const reason = 'the re-run neither counted nor parked the event';
    await giveBack(reason);
    return { ...base, outcome: 'error', reason };
  } catch (error) {
    const parked = findInCauses(error, ParkedAgainError);
    if (parked) {
      await giveBack(parked.message).catch(() => undefined);
      return {
        id: item.id,
        outcome: 'still_failing',
        errorCode: parked.record.errorCode,
        reason: parked.message,
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    await giveBack(`retry failed: ${message}`).catch(() => undefined);
    return { ...base, outcome: 'error', reason: message.split('\n')[0] ?? message };
  }
}

async function claim(db: RetryFailedItemsDeps['db'], id: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    UPDATE failed_items SET status = 'retrying', attempts = attempts + 1
     WHERE id = ${id}::bigint AND status = 'pending'
    RETURNING id::text`.execute(db);
  return rows.length === 1;
}

async function rerun(
  deps: RetryFailedItemsDeps,
  item: FailedItem,
  options: { clock: () => number; dryRun: boolean },
): Promise<BatchCounters | 'already_committed'> {
  const payload = item.payload ?? '';
  const body = item.payloadEncoding === 'base64' ? Buffer.from(payload, 'base64') : payload;
  let committed: BatchCounters | undefined;
  try {
    const result = await processBatch(
      { ...retryPartition(item), events: [{ body, sequenceNumber: item.sequenceNumber }] },
      {
        store: guardedStore(deps.store, options.dryRun, (counters) => {
          committed = counters;
        }),
        engine: deps.engine,
        clock: options.clock,
      },
    );
    if (result.replaySkipped === 1) return 'already_committed';
  } catch (error) {
    const dryRun = findInCauses(error, DryRunRollback);
    if (dryRun) return dryRun.counters;
    throw error;
  }
  if (!committed) throw new Error('the re-run committed no position');
  return committed;
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
            if (first) throw new ParkedAgainError(first);
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
