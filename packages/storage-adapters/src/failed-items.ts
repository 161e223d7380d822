import type { FailedItemRecord, FailedItemStatus } from '@paymetrics/schemas';
import type { Kysely } from 'kysely';
import type { Database, FailedItemResolution, FailedItemRow } from './database.js';
import { createBatchWriter } from './sql/batch-writer.js';

/**
 * The one module that reads and changes `failed_items` outside a batch's transaction (the
 * batch writer parks items inside it, with the same insert). Every function takes the schema's
 * typed database.
 */

/** A stored failed item; `id` is a string because the column is bigint. */
export interface FailedItem extends FailedItemRecord {
  readonly id: string;
  readonly failedAt: Date;
  readonly attempts: number;
  readonly status: FailedItemStatus;
  readonly resolvedAt: Date | null;
  readonly lastError: string | null;
  readonly resolution: FailedItemResolution | null;
}

export interface FailedItemFilter {
  readonly ids?: readonly (string | number | bigint)[];
  readonly codes?: readonly string[];
  readonly status?: FailedItemStatus | readonly FailedItemStatus[];
  /** Inclusive lower bound on failed_at. */
  readonly from?: Date;
  /** Exclusive upper bound on failed_at. */
  readonly to?: Date;
  /** Default 100, at most 10,000. */
  readonly limit?: number;
}

export type FailedItemOutcomeKind =
  | 'discarded'
  | 'would_discard'
  | 'resolved'
  | 'released'
  | 'skipped'
  | 'not_found';

export interface FailedItemOutcome {
  readonly id: string;
  readonly outcome: FailedItemOutcomeKind;
  readonly reason?: string;
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 10_000;

/**
 * Parks failed items; an item already parked for the same source position is left as it is,
 * so a redelivered batch parks nothing twice. Returns how many rows were new.
 */
export async function insertFailedItems(
  db: Kysely<Database>,
  records: readonly FailedItemRecord[],
): Promise<{ readonly inserted: number }> {
  return { inserted: await createBatchWriter(db).writeFailedItems(records) };
}

/** Items matching every given criterion, oldest id first. */
export async function listFailedItems(
  db: Kysely<Database>,
  filter: FailedItemFilter = {},
): Promise<readonly FailedItem[]> {
  const { ids } = splitIds(filter.ids);
  if (filter.ids && ids.length === 0) return [];
  let query = db.selectFrom('failed_items').selectAll();
  if (filter.ids) query = query.where('id', 'in', ids);
  if (filter.codes) {
    if (filter.codes.length === 0) return [];
    query = query.where('error_code', 'in', [...filter.codes]);
  }
  if (filter.status !== undefined) {
    const statuses: FailedItemStatus[] =
      typeof filter.status === 'string' ? [filter.status] : [...filter.status];
    if (statuses.length === 0) return [];
    query = query.where('status', 'in', statuses);
  }
  if (filter.from) query = query.where('failed_at', '>=', filter.from);
  if (filter.to) query = query.where('failed_at', '<', filter.to);
  const defaultLimit = Math.max(DEFAULT_LIST_LIMIT, ids.length);
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? defaultLimit)), MAX_LIST_LIMIT);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map(toFailedItem);
}

/**
 * Discards matching items that are still pending. One UPDATE decides every item at once, so
 * a failure leaves nothing half done. Items being retried, resolved or already discarded are
 * reported as skipped; requested ids that do not exist as not_found. With `dryRun`, nothing
 * is written and pending items are reported as `would_discard`.
 */
export async function discardFailedItems(
  db: Kysely<Database>,
  filter: FailedItemFilter,
  options: { readonly dryRun: boolean; readonly now?: Date; readonly reason?: string },
): Promise<readonly FailedItemOutcome[]> {
  const { invalid } = splitIds(filter.ids);
  const matching = await listFailedItems(db, filter);
  const pending = matching.filter((item) => item.status === 'pending').map((item) => item.id);
  let changed = new Set<string>();
  if (!options.dryRun && pending.length > 0) {
    const updated = await db
      .updateTable('failed_items')
      .set({
        status: 'discarded',
        resolved_at: options.now ?? new Date(),
        next_attempt_at: null,
        ...(options.reason === undefined ? {} : { last_error: options.reason }),
      })
      .where('id', 'in', pending)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    changed = new Set(updated.map((row) => String(row.id)));
  }
  const outcomes = matching.map((item): FailedItemOutcome => {
    if (item.status !== 'pending')
      return { id: item.id, outcome: 'skipped', reason: `status is ${item.status}` };
    if (options.dryRun) return { id: item.id, outcome: 'would_discard' };
    if (changed.has(item.id)) return { id: item.id, outcome: 'discarded' };
    return { id: item.id, outcome: 'skipped', reason: 'changed by someone else meanwhile' };
  });
  return [...outcomes, ...missing(filter.ids, matching, invalid)];
}

/** How long a claim lasts: an item still `retrying` after it (its retrier crashed) is claimed again. */
export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;

/**
 * Claims items whose next attempt is due for one retry: status becomes `retrying`, attempts
 * grows by one, and next_attempt_at becomes the end of the claim's lease. Items left `retrying`
 * past their lease (the retrier died before resolving or releasing them) are due again, so no
 * item is stuck. SKIP LOCKED lets two timers run at once without claiming an item twice.
 */
export async function claimDueFailedItems(
  db: Kysely<Database>,
  options: { readonly now?: Date; readonly limit?: number; readonly leaseMs?: number } = {},
): Promise<readonly FailedItem[]> {
  const now = options.now ?? new Date();
  const leaseEnd = new Date(now.getTime() + (options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS));
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? DEFAULT_LIST_LIMIT)), MAX_LIST_LIMIT);
  const kdb = db;
  const rows = await kdb
    .updateTable('failed_items')
    .set((eb) => ({ status: 'retrying', attempts: eb('attempts', '+', 1), next_attempt_at: leaseEnd }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('failed_items')
        .select('id')
        .where('status', 'in', ['pending', 'retrying'])
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return rows.map(toFailedItem).sort((a, b) => compareIds(a.id, b.id));
}

/**
 * Claims the given items for a retry now, whatever their next_attempt_at (an operator's retry),
 * with the same lease as a due claim, so the timer does not take them meanwhile. Only pending
 * items are claimed; returns the ones this call claimed.
 */
export async function claimFailedItems(
  db: Kysely<Database>,
  requested: readonly (string | number | bigint)[],
  options: { readonly now?: Date; readonly leaseMs?: number } = {},
): Promise<readonly FailedItem[]> {
  const { ids } = splitIds(requested);
  if (ids.length === 0) return [];
  const now = options.now ?? new Date();
  const rows = await db
    .updateTable('failed_items')
    .set((eb) => ({
      status: 'retrying',
      attempts: eb('attempts', '+', 1),
      next_attempt_at: new Date(now.getTime() + (options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS)),
    }))
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .returningAll()
    .execute();
  return rows.map(toFailedItem).sort((a, b) => compareIds(a.id, b.id));
}

/** Marks items as resolved (the retry counted them, or an operator fixed them). */
export async function resolveFailedItems(
  db: Kysely<Database>,
  ids: readonly (string | number | bigint)[],
  options: { readonly now?: Date } = {},
): Promise<readonly FailedItemOutcome[]> {
  return transition(db, ids, ['pending', 'retrying'], 'resolved', {
    status: 'resolved',
    resolved_at: options.now ?? new Date(),
    next_attempt_at: null,
  });
}

/** Returns claimed items to pending after a failed retry, with when to try next and why it failed. */
export async function releaseFailedItems(
  db: Kysely<Database>,
  releases: readonly {
    readonly id: string | number | bigint;
    readonly nextAttemptAt: Date | null;
    readonly lastError?: string;
  }[],
): Promise<readonly FailedItemOutcome[]> {
  const outcomes: FailedItemOutcome[] = [];
  // One statement per item: each has its own next attempt time; each is atomic on its own.
  for (const release of releases) {
    const [outcome] = await transition(db, [release.id], ['retrying'], 'released', {
      status: 'pending',
      next_attempt_at: release.nextAttemptAt,
      ...(release.lastError === undefined ? {} : { last_error: release.lastError }),
    });
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

async function transition(
  db: Kysely<Database>,
  requested: readonly (string | number | bigint)[],
  from: readonly FailedItemStatus[],
  outcome: FailedItemOutcomeKind,
  set: {
    status: FailedItemStatus;
    next_attempt_at?: Date | null;
    resolved_at?: Date | null;
    last_error?: string;
  },
): Promise<readonly FailedItemOutcome[]> {
  const { ids, invalid } = splitIds(requested);
  if (ids.length === 0) return invalid.map((id) => ({ id, outcome: 'not_found', reason: 'not a valid id' }));
  const kdb = db;
  const updated = await kdb
    .updateTable('failed_items')
    .set(set)
    .where('id', 'in', ids)
    .where('status', 'in', [...from])
    .returning('id')
    .execute();
  const changed = new Set(updated.map((row) => String(row.id)));
  const unchanged = ids.filter((id) => !changed.has(id));
  const current =
    unchanged.length === 0
      ? []
      : await kdb.selectFrom('failed_items').select(['id', 'status']).where('id', 'in', unchanged).execute();
  const statusOf = new Map(current.map((row) => [String(row.id), row.status]));
  return requested.map((raw): FailedItemOutcome => {
    const id = String(raw);
    if (changed.has(id)) return { id, outcome };
    const status = statusOf.get(id);
    if (status !== undefined) return { id, outcome: 'skipped', reason: `status is ${status}` };
    return { id, outcome: 'not_found', ...(invalid.includes(id) ? { reason: 'not a valid id' } : {}) };
  });
}

/** Ids as the canonical decimal strings of the bigint column; anything else cannot exist. */
function splitIds(raw: readonly (string | number | bigint)[] | undefined): {
  ids: string[];
  invalid: string[];
} {
  const ids: string[] = [];
  const invalid: string[] = [];
  for (const value of raw ?? []) {
    const id = String(value);
    if (/^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n) ids.push(id);
    else invalid.push(id);
  }
  return { ids: [...new Set(ids)], invalid };
}

function missing(
  requested: readonly (string | number | bigint)[] | undefined,
  found: readonly FailedItem[],
  invalid: readonly string[],
): FailedItemOutcome[] {
  if (!requested) return [];
  const foundIds = new Set(found.map((item) => item.id));
  const { ids } = splitIds(requested);
  return [
    ...ids
      .filter((id) => !foundIds.has(id))
      .map(
        (id): FailedItemOutcome => ({ id, outcome: 'not_found', reason: 'no such item matches the filter' }),
      ),
    ...invalid.map((id): FailedItemOutcome => ({ id, outcome: 'not_found', reason: 'not a valid id' })),
  ];
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toFailedItem(row: FailedItemRow): FailedItem {
  return {
    id: String(row.id),
    failedAt: row.failed_at,
    stage: row.stage as FailedItem['stage'],
    errorCode: row.error_code as FailedItem['errorCode'],
    errorMessage: row.error_message,
    payload: row.payload,
    payloadEncoding: row.payload_encoding,
    payloadBytes: row.payload_bytes,
    payloadRef: row.payload_ref,
    source: row.source,
    partitionId: row.partition_id,
    sequenceNumber: Number(row.sequence_number),
    eventId: row.event_id,
    attempts: row.attempts,
    status: row.status,
    nextAttemptAt: row.next_attempt_at,
    resolvedAt: row.resolved_at,
    lastError: row.last_error,
    resolution: row.resolution,
  };
}
