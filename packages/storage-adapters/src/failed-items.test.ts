import { ErrorCode, type FailedItemRecord, FailureStage } from '@paymetrics/schemas';
import type { TestDatabase } from '@paymetrics/testing';
import { createSchemaDatabase } from '@paymetrics/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import {
  claimDueFailedItems,
  discardFailedItems,
  insertFailedItems,
  listFailedItems,
  releaseFailedItems,
  resolveFailedItems,
} from './failed-items.js';

const t0 = new Date('2026-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function record(sequenceNumber: number, overrides: Partial<FailedItemRecord> = {}): FailedItemRecord {
  const payload = `{"seq":${sequenceNumber},"pan":"************1111"}`;
  return {
    stage: FailureStage.validate,
    errorCode: ErrorCode.invalidAmount,
    errorMessage: 'amountMinor must not be negative',
    payload,
    payloadEncoding: 'utf8',
    payloadBytes: payload.length,
    payloadRef: null,
    source: 'hub-a',
    partitionId: '0',
    sequenceNumber,
    eventId: null,
    nextAttemptAt: null,
    ...overrides,
  };
}

const future = (sequenceNumber: number, nextAttemptAt: Date) =>
  record(sequenceNumber, {
    stage: FailureStage.bounds,
    errorCode: ErrorCode.futureTimestamp,
    errorMessage: 'occurredAt is in the future',
    nextAttemptAt,
  });

describe('failed_items operations on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Kysely<Database>;

  beforeAll(async () => {
    database = await createSchemaDatabase('failed_items');
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 4 }) }),
    });
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  beforeEach(async () => {
    await sql`TRUNCATE failed_items RESTART IDENTITY`.execute(db);
  });

  async function ids(): Promise<string[]> {
    return (await listFailedItems(db, { limit: 1000 })).map((item) => item.id);
  }

  describe('insertFailedItems', () => {
    it('stores records and reads them back unchanged', async () => {
      const records = [record(1), future(2, minutes(30))];
      expect(await insertFailedItems(db, records)).toEqual({ inserted: 2 });
      const items = await listFailedItems(db);
      expect(items).toHaveLength(2);
      expect(items[0]).toMatchObject({
        ...records[0],
        id: '1',
        status: 'pending',
        attempts: 0,
        resolvedAt: null,
      });
      expect(items[0]?.payload).toBe('{"seq":1,"pan":"************1111"}');
      expect(items[1]).toMatchObject({ ...records[1], id: '2' });
      expect(items[1]?.nextAttemptAt).toEqual(minutes(30));
      expect(items[0]?.failedAt).toBeInstanceOf(Date);
    });

    it('parks nothing twice for the same source position', async () => {
      await insertFailedItems(db, [record(1), record(2)]);
      expect(await insertFailedItems(db, [record(2), record(3)])).toEqual({ inserted: 1 });
      expect(await ids()).toEqual(['1', '2', '4']);
    });

    it('does nothing for an empty list', async () => {
      expect(await insertFailedItems(db, [])).toEqual({ inserted: 0 });
    });

    it('is refused by the table when an overflowing payload has no archive reference', async () => {
      const overflowing = record(1, { payload: null, payloadBytes: 100 });
      await expect(insertFailedItems(db, [overflowing])).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('listFailedItems', () => {
    beforeEach(async () => {
      await insertFailedItems(db, [
        record(1),
        record(2, { errorCode: ErrorCode.invalidCurrency }),
        future(3, minutes(10)),
        record(4, { errorCode: ErrorCode.invalidCurrency }),
      ]);
      await sql`UPDATE failed_items SET failed_at = ${minutes(0)} WHERE id IN (1, 2)`.execute(db);
      await sql`UPDATE failed_items SET failed_at = ${minutes(60)}, status = 'resolved' WHERE id IN (3, 4)`.execute(
        db,
      );
    });

    it.each<[string, Parameters<typeof listFailedItems>[1], string[]]>([
      ['no filter', {}, ['1', '2', '3', '4']],
      ['ids', { ids: ['4', 2, 99n] }, ['2', '4']],
      ['codes', { codes: [ErrorCode.invalidCurrency] }, ['2', '4']],
      ['one status', { status: 'resolved' }, ['3', '4']],
      ['several statuses', { status: ['pending', 'resolved'] }, ['1', '2', '3', '4']],
      ['from (inclusive)', { from: minutes(60) }, ['3', '4']],
      ['to (exclusive)', { to: minutes(60) }, ['1', '2']],
      ['combined criteria', { codes: [ErrorCode.invalidCurrency], status: 'pending' }, ['2']],
      ['a limit', { limit: 3 }, ['1', '2', '3']],
      ['empty ids', { ids: [] }, []],
      ['empty codes', { codes: [] }, []],
      ['ids that cannot exist', { ids: ['abc', '-1', '0', '99999999999999999999'] }, []],
    ])('filters by %s', async (_name, filter, expected) => {
      expect((await listFailedItems(db, filter)).map((item) => item.id)).toEqual(expected);
    });
  });

  describe('discardFailedItems', () => {
    beforeEach(async () => {
      await insertFailedItems(db, [record(1), record(2), record(3), record(4)]);
      await sql`UPDATE failed_items SET status = 'resolved' WHERE id = 3`.execute(db);
      await sql`UPDATE failed_items SET status = 'retrying' WHERE id = 4`.execute(db);
    });

    it('reports what it would do on a dry run and changes nothing', async () => {
      const outcomes = await discardFailedItems(db, { ids: [1, 2, 3, 4, 5, 'x'] }, { dryRun: true });
      expect(outcomes).toEqual([
        { id: '1', outcome: 'would_discard' },
        { id: '2', outcome: 'would_discard' },
        { id: '3', outcome: 'skipped', reason: 'status is resolved' },
        { id: '4', outcome: 'skipped', reason: 'status is retrying' },
        { id: '5', outcome: 'not_found', reason: 'no such item matches the filter' },
        { id: 'x', outcome: 'not_found', reason: 'not a valid id' },
      ]);
      const statuses = (await listFailedItems(db)).map((item) => item.status);
      expect(statuses).toEqual(['pending', 'pending', 'resolved', 'retrying']);
    });

    it('discards pending items only, with a reason and a time', async () => {
      const outcomes = await discardFailedItems(
        db,
        { ids: [1, 3, 4] },
        { dryRun: false, now: minutes(5), reason: 'known bad producer release' },
      );
      expect(outcomes).toEqual([
        { id: '1', outcome: 'discarded' },
        { id: '3', outcome: 'skipped', reason: 'status is resolved' },
        { id: '4', outcome: 'skipped', reason: 'status is retrying' },
      ]);
      const items = await listFailedItems(db);
      expect(items.map((item) => item.status)).toEqual(['discarded', 'pending', 'resolved', 'retrying']);
      expect(items[0]).toMatchObject({
        resolvedAt: minutes(5),
        nextAttemptAt: null,
        lastError: 'known bad producer release',
      });
    });

    it('discards by code and time window', async () => {
      const outcomes = await discardFailedItems(
        db,
        { codes: [ErrorCode.invalidAmount], status: 'pending', from: minutes(-60) },
        { dryRun: false },
      );
      expect(outcomes.map((outcome) => [outcome.id, outcome.outcome])).toEqual([
        ['1', 'discarded'],
        ['2', 'discarded'],
      ]);
    });

    it('reports nothing when nothing matches', async () => {
      expect(await discardFailedItems(db, { codes: ['too_late'] }, { dryRun: false })).toEqual([]);
    });

    it('discarding twice skips the second time', async () => {
      await discardFailedItems(db, { ids: [1] }, { dryRun: false });
      expect(await discardFailedItems(db, { ids: [1] }, { dryRun: false })).toEqual([
        { id: '1', outcome: 'skipped', reason: 'status is discarded' },
      ]);
    });
  });

  describe('retry helpers', () => {
    beforeEach(async () => {
      await insertFailedItems(db, [
        future(1, minutes(10)),
        future(2, minutes(20)),
        record(3),
        future(4, minutes(5)),
      ]);
    });

    it('claims only pending items that are due, in due order, and counts the attempt', async () => {
      expect(await claimDueFailedItems(db, { now: minutes(0) })).toEqual([]);
      const claimed = await claimDueFailedItems(db, { now: minutes(10) });
      expect(claimed.map((item) => [item.id, item.status, item.attempts])).toEqual([
        ['1', 'retrying', 1],
        ['4', 'retrying', 1],
      ]);
      expect(await claimDueFailedItems(db, { now: minutes(10) })).toEqual([]);
    });

    it('claims again an item whose retrier died, once its lease has run out', async () => {
      const [first] = await claimDueFailedItems(db, { now: minutes(10), leaseMs: 60_000, limit: 1 });
      expect(first).toMatchObject({ id: '4', status: 'retrying', attempts: 1 });
      // Within the lease the claim holds; no release or resolve ever comes.
      expect(
        (await claimDueFailedItems(db, { now: minutes(10.5), leaseMs: 60_000 })).map((i) => i.id),
      ).toEqual(['1']);
      const again = await claimDueFailedItems(db, { now: minutes(11), leaseMs: 60_000 });
      expect(again.map((item) => [item.id, item.status, item.attempts])).toEqual([['4', 'retrying', 2]]);
    });

    it('respects the claim limit', async () => {
      const claimed = await claimDueFailedItems(db, { now: minutes(60), limit: 2 });
      expect(claimed.map((item) => item.id)).toEqual(['1', '4']);
    });

    it('never hands the same item to two concurrent claimers', async () => {
      const [a, b] = await Promise.all([
        claimDueFailedItems(db, { now: minutes(60) }),
        claimDueFailedItems(db, { now: minutes(60) }),
      ]);
      const all = [...a, ...b].map((item) => item.id).sort();
      expect(all).toEqual(['1', '2', '4']);
    });

    it('resolves claimed or pending items and reports the rest', async () => {
      await claimDueFailedItems(db, { now: minutes(10) });
      await sql`UPDATE failed_items SET status = 'discarded' WHERE id = 2`.execute(db);
      const outcomes = await resolveFailedItems(db, ['1', 2, 3n, 99, 'nope'], { now: minutes(11) });
      expect(outcomes).toEqual([
        { id: '1', outcome: 'resolved' },
        { id: '2', outcome: 'skipped', reason: 'status is discarded' },
        { id: '3', outcome: 'resolved' },
        { id: '99', outcome: 'not_found' },
        { id: 'nope', outcome: 'not_found', reason: 'not a valid id' },
      ]);
      const items = await listFailedItems(db, { ids: [1, 3] });
      expect(items.map((item) => [item.status, item.resolvedAt, item.nextAttemptAt])).toEqual([
        ['resolved', minutes(11), null],
        ['resolved', minutes(11), null],
      ]);
    });

    it('releases a failed retry back to pending with its next attempt and error', async () => {
      await claimDueFailedItems(db, { now: minutes(10) });
      const outcomes = await releaseFailedItems(db, [
        { id: '1', nextAttemptAt: minutes(40), lastError: 'still in the future' },
        { id: '2', nextAttemptAt: minutes(40) },
        { id: '7', nextAttemptAt: null },
      ]);
      expect(outcomes).toEqual([
        { id: '1', outcome: 'released' },
        { id: '2', outcome: 'skipped', reason: 'status is pending' },
        { id: '7', outcome: 'not_found' },
      ]);
      const [first] = await listFailedItems(db, { ids: [1] });
      expect(first).toMatchObject({
        status: 'pending',
        nextAttemptAt: minutes(40),
        lastError: 'still in the future',
        attempts: 1,
      });
      const again = await claimDueFailedItems(db, { now: minutes(40) });
      expect(again.find((item) => item.id === '1')?.attempts).toBe(2);
    });

    it('does nothing for an empty id list', async () => {
      expect(await resolveFailedItems(db, [])).toEqual([]);
    });
  });
});
