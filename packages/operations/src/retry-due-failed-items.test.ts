import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processBatch } from '@paymetrics/pipeline';
import {
  type ArchiveStore,
  createFileArchiveStore,
  insertFailedItems,
  largePayloadName,
  listFailedItems,
} from '@paymetrics/storage-adapters';
import { validEvent } from '@paymetrics/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SeededDatabase, seededDatabase } from '../test/seeded-database.js';
import { reconcile } from './reconcile.js';
import {
  type RetryPolicy,
  retryDelayMs,
  retryDueFailedItems,
  retryFailedItems,
} from './retry-failed-items.js';

const migration07 = new URL('../../../database/schemas/07_retries_without_positions.sql', import.meta.url);

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 3_600_000, batchSize: 100 };
const SOURCE = 'eventhub:ns.servicebus.windows.net/payments/paymetrics-function';

/** One run of the retry timer at `clockMs`. */
function retryAt(runtime: SeededDatabase, clockMs: number, archive?: ArchiveStore) {
  return retryDueFailedItems({
    db: runtime.db,
    store: runtime.store,
    engine: runtime.engine,
    archive,
    policy,
    clock: () => clockMs,
  });
}

async function countedTransactions(runtime: SeededDatabase): Promise<number> {
  const [row] = await runtime.query<{ n: string | null }>(
    'select sum(txn_count)::text as n from payment_metrics_5m',
  );
  return Number(row?.n ?? 0);
}

describe('retryDelayMs', () => {
  it('doubles after every failed attempt and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 60].map((attempts) => retryDelayMs(attempts, policy));
    expect(delays).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });
});

describe('retryDueFailedItems on PostgreSQL', () => {
  let runtime: SeededDatabase;

  beforeEach(async () => {
    runtime = await seededDatabase('operations_retry', { seed: false });
  });

  afterEach(async () => runtime.close());

  const retry = (clockMs: number) => retryAt(runtime, clockMs);

  const txnCount = () => countedTransactions(runtime);

  const item = async () => {
    const [found] = await listFailedItems(runtime.db, {});
    if (!found) throw new Error('no failed item');
    return found;
  };

  const parkFuture = async (t0: number, occurredAt: number) => {
    const result = await processBatch(
      {
        source: SOURCE,
        partitionId: '3',
        events: [
          {
            body: JSON.stringify(validEvent(1, { occurredAt: new Date(occurredAt).toISOString() })),
            sequenceNumber: 42,
          },
        ],
      },
      { store: runtime.store, engine: runtime.engine, clock: () => t0 },
    );
    expect(result.deadLetteredByCode).toEqual({ future_timestamp: 1 });
  };

  it('a future_timestamp item comes due when its event time enters the tolerance, and is counted then', async () => {
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    const occurredAt = t0 + 3_600_000;
    await parkFuture(t0, occurredAt);
    const due = occurredAt - 5 * 60_000;
    expect((await item()).nextAttemptAt?.getTime()).toBe(due);

    // One millisecond before it is due: not claimed.
    expect(await retry(due - 1)).toMatchObject({ claimed: 0 });
    expect(await retry(due)).toMatchObject({ claimed: 1, resolved: 1 });
    expect(await item()).toMatchObject({ status: 'resolved', attempts: 1, nextAttemptAt: null });
    expect(await txnCount()).toBe(1);

    // Nothing is due any more, and the metrics stay as they are.
    expect(await retry(occurredAt + 86_400_000)).toMatchObject({ claimed: 0 });
    expect(await txnCount()).toBe(1);
  });

  it('a future_timestamp item claimed early waits for its event time, and the backoff never discards it', async () => {
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    const occurredAt = t0 + 30 * 86_400_000;
    await parkFuture(t0, occurredAt);
    const due = occurredAt - 5 * 60_000;
    // An operator made it due now, more often than the policy allows attempts.
    for (let attempt = 1; attempt <= policy.maxAttempts + 1; attempt++) {
      await runtime.query(`update failed_items set next_attempt_at = '${new Date(t0).toISOString()}'`);
      expect(await retry(t0)).toMatchObject({ claimed: 1, released: 1, discarded: 0 });
      expect(await item()).toMatchObject({
        status: 'pending',
        lastError: expect.stringMatching(/^future_timestamp/),
      });
      expect((await item()).nextAttemptAt?.getTime()).toBe(due);
    }
    expect(await retry(due)).toMatchObject({ claimed: 1, resolved: 1 });
    expect(await txnCount()).toBe(1);
  });

  it('discards a permanently bad item after the maximum number of attempts, waiting longer each time', async () => {
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    await insertFailedItems(runtime.db, [
      {
        stage: 'decode',
        errorCode: 'invalid_json',
        errorMessage: 'body is not valid JSON',
        payload: '{"schemaVersion":1,',
        payloadEncoding: 'utf8',
        payloadBytes: 19,
        payloadRef: null,
        source: SOURCE,
        partitionId: '0',
        sequenceNumber: 7,
        eventId: null,
        // An operator asked for a retry.
        nextAttemptAt: new Date(t0),
      },
    ]);

    let now = t0;
    const waits: number[] = [];
    for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
      expect(await retry(now)).toMatchObject({ claimed: 1, released: 1 });
      const pending = await item();
      expect(pending).toMatchObject({ status: 'pending', attempts: attempt });
      waits.push(pending.nextAttemptAt!.getTime() - now);
      // One millisecond early is not yet due.
      expect(await retry(pending.nextAttemptAt!.getTime() - 1)).toMatchObject({ claimed: 0 });
      now = pending.nextAttemptAt!.getTime();
    }
    expect(waits).toEqual([60_000, 120_000]);

    expect(await retry(now)).toMatchObject({ claimed: 1, discarded: 1 });
    const discarded = await item();
    expect(discarded).toMatchObject({ status: 'discarded', attempts: 3, nextAttemptAt: null });
    expect(discarded.lastError).toMatch(/discarded after 3 attempts: invalid_json/);
    expect(await retry(now + 86_400_000)).toMatchObject({ claimed: 0 });
    // A failing re-run commits nothing: no metrics, no extra failed item, no retry position.
    expect(await txnCount()).toBe(0);
    expect(await runtime.query('select 1 from failed_items')).toHaveLength(1);
    expect(await runtime.query('select 1 from source_positions')).toHaveLength(0);
  });

  it('a retry that counts adds no source_positions row, and reconcile still holds', async () => {
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    const occurredAt = t0 + 3_600_000;
    await parkFuture(t0, occurredAt);
    expect(await retry(occurredAt)).toMatchObject({ claimed: 1, resolved: 1 });
    expect(await item()).toMatchObject({ status: 'resolved', resolution: 'counted' });
    expect(await runtime.query('select source, partition_id from source_positions')).toEqual([
      { source: SOURCE, partition_id: '3' },
    ]);
    const report = await reconcile(runtime.db, { now: new Date(occurredAt) });
    expect(report.problems).toEqual([]);
    expect(report.global.find((c) => c.check === 'metrics_vs_counted')).toMatchObject({
      expected: 1,
      actual: 1,
    });
  });

  it('migration 07 resolves what a retry position counted and removes every retry: position', async () => {
    const t0 = Date.parse('2026-11-27T12:00:00.000Z');
    const occurredAt = t0 + 3_600_000;
    await parkFuture(t0, occurredAt);
    // How a retry committed before migration 07: its own position, and the timer died before resolving.
    const body = (await item()).payload!;
    const legacy = await processBatch(
      { source: `retry:${SOURCE}`, partitionId: '3@42', events: [{ body, sequenceNumber: 42 }] },
      { store: runtime.store, engine: runtime.engine, clock: () => occurredAt },
    );
    expect(legacy.counted).toBe(1);
    await runtime.query(readFileSync(migration07, 'utf8'));
    expect(await runtime.query(`select 1 from source_positions where source like 'retry:%'`)).toEqual([]);
    expect(await item()).toMatchObject({ status: 'resolved', resolution: 'counted', nextAttemptAt: null });
    expect((await reconcile(runtime.db, { now: new Date(occurredAt) })).problems).toEqual([]);
    // Nothing is due any more: the event is not counted twice.
    expect(await retry(occurredAt)).toMatchObject({ claimed: 0 });
    expect(await txnCount()).toBe(1);
  });
});

describe('retrying items whose payload is in the archive (over 64 KB)', () => {
  let runtime: SeededDatabase;
  let rootDir: string;
  let archive: ArchiveStore;
  const t0 = Date.parse('2026-11-27T12:00:00.000Z');
  const occurredAt = t0 + 3_600_000;
  const due = occurredAt - 5 * 60_000;

  beforeEach(async () => {
    runtime = await seededDatabase('operations_retry_archive', { seed: false });
    rootDir = await mkdtemp(join(tmpdir(), 'paymetrics-retry-archive-'));
    archive = createFileArchiveStore({ rootDir });
  });

  afterEach(async () => {
    await runtime.close();
    await rm(rootDir, { recursive: true, force: true });
  });

  const retry = (clockMs: number, options: { archive?: ArchiveStore } = { archive }) =>
    retryAt(runtime, clockMs, options.archive);

  const item = async () => {
    const [found] = await listFailedItems(runtime.db, {});
    if (!found) throw new Error('no failed item');
    return found;
  };

  const txnCount = () => countedTransactions(runtime);

  /** A future event of about 70 KB: parked with its payload in the archive, not in the row. */
  const parkLargeFuture = async () => {
    const body = JSON.stringify(
      validEvent(1, {
        occurredAt: new Date(occurredAt).toISOString(),
        metadata: { pad: 'x'.repeat(70_000) },
      }),
    );
    const result = await processBatch(
      { source: SOURCE, partitionId: '3', events: [{ body, sequenceNumber: 42 }] },
      { store: runtime.store, engine: runtime.engine, archive, clock: () => t0 },
    );
    expect(result.deadLetteredByCode).toEqual({ future_timestamp: 1 });
    const parked = await item();
    expect(parked.payload).toBeNull();
    expect(parked.payloadRef).toBe(
      largePayloadName({ source: SOURCE, partitionId: '3', sequenceNumber: 42 }),
    );
    return parked;
  };

  it('the timer reads the payload back from the archive and counts it', async () => {
    await parkLargeFuture();
    expect(await retry(due)).toEqual({
      claimed: 1,
      resolved: 1,
      released: 0,
      discarded: 0,
      needsOperator: 0,
    });
    expect(await item()).toMatchObject({ status: 'resolved', resolution: 'counted', nextAttemptAt: null });
    expect(await txnCount()).toBe(1);
    expect((await reconcile(runtime.db, { now: new Date(occurredAt) })).problems).toEqual([]);
  });

  it('an operator retry reads it back too, and a dry run counts nothing', async () => {
    const parked = await parkLargeFuture();
    const deps = { db: runtime.db, store: runtime.store, engine: runtime.engine, archive, clock: () => due };
    expect(await retryFailedItems(deps, { ids: [parked.id] }, { dryRun: true })).toMatchObject([
      { id: parked.id, outcome: 'would_resolve' },
    ]);
    expect(await txnCount()).toBe(0);
    expect(await retryFailedItems(deps, { ids: [parked.id] }, { dryRun: false })).toMatchObject([
      { id: parked.id, outcome: 'resolved' },
    ]);
    expect(await txnCount()).toBe(1);
  });

  it('keeps an item whose archived payload is missing, for a person, with the reason', async () => {
    const parked = await parkLargeFuture();
    await rm(join(rootDir, ...parked.payloadRef!.split('/')));
    expect(await retry(due)).toMatchObject({ claimed: 1, resolved: 0, needsOperator: 1 });
    const kept = await item();
    expect(kept).toMatchObject({ status: 'pending', nextAttemptAt: null });
    expect(kept.lastError).toContain(`payload ${parked.payloadRef} is missing from the archive`);
    // Not due again: it waits for a person instead of being retried (and discarded) by the timer.
    expect(await retry(due + 86_400_000)).toMatchObject({ claimed: 0 });
    expect(await txnCount()).toBe(0);
  });

  it('keeps an item for a person when no archive is configured', async () => {
    const parked = await parkLargeFuture();
    expect(await retry(due, {})).toMatchObject({ claimed: 1, needsOperator: 1 });
    expect((await item()).lastError).toContain(
      `payload is in the archive (${parked.payloadRef}), and no archive is configured`,
    );
    expect(
      await retryFailedItems(
        { db: runtime.db, store: runtime.store, engine: runtime.engine, clock: () => due },
        { ids: [parked.id] },
        { dryRun: false },
      ),
    ).toMatchObject([
      { outcome: 'needs_operator', reason: expect.stringMatching(/no archive is configured/) },
    ]);
    expect(await item()).toMatchObject({ status: 'pending' });
  });

  it('gives the item back with a later attempt when the archive cannot be read now', async () => {
    const parked = await parkLargeFuture();
    const path = join(rootDir, ...parked.payloadRef!.split('/'));
    await rm(path);
    await mkdir(path); // reading a folder fails with EISDIR: a failed read, not a missing payload
    await expect(retry(due)).rejects.toThrow(/could not read/);
    const kept = await item();
    expect(kept).toMatchObject({ status: 'pending' });
    expect(kept.nextAttemptAt?.getTime()).toBe(due + retryDelayMs(1, policy));
    expect(kept.lastError).toMatch(/^retry run failed: could not read payloads\//);
  });
});
