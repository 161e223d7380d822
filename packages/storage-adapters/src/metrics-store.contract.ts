import {
  type BatchMetrics,
  type DynamicMetricRow,
  type HistogramRow,
  type PaymentMetricsRow,
  type StoredSketch,
  WINDOW_MS,
} from '@paymetrics/metric-engine';
import type { FailedItemRecord } from '@paymetrics/schemas';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import type { MetricsStore, PartitionRef } from './metrics-store.js';
import { refreshRollups } from './rollups.js';

/** A store under test plus a side door for assertions, on a migrated database. */
export interface MetricsStoreHarness {
  readonly store: MetricsStore;
  /** Reads the same database outside the store. */
  readonly db: Kysely<Database>;
  /**
   * Resolves once `count` statements are waiting for a lock held by another transaction.
   * A dialect that serializes transactions itself (PGlite) resolves at once: there the second
   * transaction has not even started.
   */
  waitForLockWaiters(count: number): Promise<void>;
  close(): Promise<void>;
}

const WINDOW = Date.UTC(2026, 10, 27, 10, 5);

let unique = 0;
/** Every test writes its own keys, so tests share one database without seeing each other. */
function nextId(label: string): string {
  unique += 1;
  return `${label}-${unique}`;
}

function uuid(n: number): string {
  return `abcdef00-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function payment(merchantId: string, overrides: Partial<PaymentMetricsRow> = {}): PaymentMetricsRow {
  return {
    windowStartMs: WINDOW,
    merchantId,
    paymentMethod: 'card',
    cardBrand: 'visa',
    currency: 'EUR',
    country: 'DE',
    channel: 'ecommerce',
    txnCount: 3,
    approvedCount: 1,
    declinedCount: 1,
    errorCount: 1,
    amountMinorSum: 300n,
    approvedAmountMinorSum: 100n,
    latencyMsSum: 60.5,
    latencyMsMin: 10,
    latencyMsMax: 30.25,
    ...overrides,
  };
}

function sketch(bins: Record<string, number>, zeroCount = 0, relativeAccuracy = 0.01): StoredSketch {
  return { relativeAccuracy, zeroCount, bins };
}

function metrics(parts: Partial<BatchMetrics>): BatchMetrics {
  return { paymentMetrics: [], dynamicMetrics: [], histograms: [], windowsTouched: [WINDOW], ...parts };
}

function failedItem(
  partition: PartitionRef,
  sequenceNumber: number,
  overrides: Partial<FailedItemRecord> = {},
) {
  const item: FailedItemRecord = {
    stage: 'decode',
    errorCode: 'invalid_json',
    errorMessage: 'Unexpected token',
    payload: `{"bad": ${sequenceNumber}`,
    payloadEncoding: 'utf8',
    payloadBytes: 12,
    payloadRef: null,
    source: partition.source,
    partitionId: partition.partitionId,
    sequenceNumber,
    eventId: null,
    nextAttemptAt: null,
    ...overrides,
  };
  return item;
}

const noCounters = { received: 0, counted: 0, deadLettered: 0, duplicates: 0 };

/** Registers the MetricsStore behaviour every dialect must show. */
export function describeMetricsStoreContract(
  dialect: string,
  createHarness: () => Promise<MetricsStoreHarness>,
) {
  describe(`MetricsStore contract: ${dialect}`, () => {
    let harness: MetricsStoreHarness;
    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });

    const paymentRows = (merchantId: string) =>
      harness.db
        .selectFrom('payment_metrics_5m')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .orderBy('window_start')
        .execute();
    const positionRow = (partition: PartitionRef) =>
      harness.db
        .selectFrom('source_positions')
        .selectAll()
        .where('source', '=', partition.source)
        .where('partition_id', '=', partition.partitionId)
        .executeTakeFirst();

    describe('positions', () => {
      it('reads nothing for a partition that never committed, then the last committed sequence', async () => {
        const partition = { source: nextId('hub'), partitionId: '0' };
        expect(await harness.store.readPosition(partition)).toBeUndefined();

        const locked = await harness.store.transaction(async (writer) => {
          const before = await writer.lockPosition(partition);
          await writer.advancePosition(
            partition,
            { firstSequence: 0, lastSequence: 9 },
            { received: 10, counted: 7, deadLettered: 2, duplicates: 1 },
          );
          return before;
        });
        expect(locked).toBeUndefined();
        expect(await harness.store.readPosition(partition)).toBe(9);

        const second = await harness.store.transaction(async (writer) => {
          const before = await writer.lockPosition(partition);
          await writer.advancePosition(
            partition,
            { firstSequence: 10, lastSequence: 19 },
            { received: 10, counted: 10, deadLettered: 0, duplicates: 0 },
          );
          return before;
        });
        expect(second).toBe(9);
        expect(await harness.store.readPosition(partition)).toBe(19);

        const row = await positionRow(partition);
        expect(row).toMatchObject({ first_sequence: expect.anything(), last_sequence: expect.anything() });
        expect({
          first: Number(row!.first_sequence),
          last: Number(row!.last_sequence),
          received: Number(row!.events_received),
          counted: Number(row!.events_counted),
          deadLettered: Number(row!.events_dead_lettered),
          duplicates: Number(row!.events_duplicate),
          batches: Number(row!.batches_committed),
        }).toEqual({
          first: 0,
          last: 19,
          received: 20,
          counted: 17,
          deadLettered: 2,
          duplicates: 1,
          batches: 2,
        });
      });

      it('never moves a position backwards', async () => {
        const partition = { source: nextId('hub'), partitionId: '3' };
        await harness.store.transaction((writer) =>
          writer.advancePosition(partition, { firstSequence: 100, lastSequence: 199 }, noCounters),
        );
        await harness.store.transaction((writer) =>
          writer.advancePosition(partition, { firstSequence: 50, lastSequence: 60 }, noCounters),
        );
        expect(await harness.store.readPosition(partition)).toBe(199);
        expect(Number((await positionRow(partition))!.first_sequence)).toBe(100);
      });

      it('hides the row a lock created until a batch commits, then takes that batch as the first', async () => {
        const partition = { source: nextId('hub'), partitionId: '1' };
        await harness.store.transaction(async (writer) => {
          expect(await writer.lockPosition(partition)).toBeUndefined();
        });
        expect(await harness.store.readPosition(partition)).toBeUndefined();
        expect(await harness.store.transaction((writer) => writer.lockPosition(partition))).toBeUndefined();

        await harness.store.transaction(async (writer) => {
          await writer.lockPosition(partition);
          await writer.advancePosition(
            partition,
            { firstSequence: 5, lastSequence: 7 },
            { received: 3, counted: 3, deadLettered: 0, duplicates: 0 },
          );
        });
        const row = await positionRow(partition);
        expect([
          Number(row!.first_sequence),
          Number(row!.last_sequence),
          Number(row!.batches_committed),
        ]).toEqual([5, 7, 1]);
        expect(await harness.store.readPosition(partition)).toBe(7);
      });

      it('refuses counters that break received = counted + dead-lettered + duplicates', async () => {
        const partition = { source: nextId('hub'), partitionId: '0' };
        await expect(
          harness.store.transaction((writer) =>
            writer.advancePosition(
              partition,
              { firstSequence: 0, lastSequence: 1 },
              { received: 2, counted: 1, deadLettered: 0, duplicates: 0 },
            ),
          ),
        ).rejects.toThrow(/received/);
        expect(await positionRow(partition)).toBeUndefined();
      });

      it('makes a second transaction on a new partition wait for the first and see its position', async () => {
        const partition = { source: nextId('hub'), partitionId: '0' };
        let second: Promise<number | undefined> | undefined;
        await harness.store.transaction(async (writer) => {
          expect(await writer.lockPosition(partition)).toBeUndefined();
          second = harness.store.transaction(async (other) => {
            const seen = await other.lockPosition(partition);
            await other.advancePosition(
              partition,
              { firstSequence: (seen ?? -1) + 1, lastSequence: (seen ?? -1) + 5 },
              { received: 5, counted: 5, deadLettered: 0, duplicates: 0 },
            );
            return seen;
          });
          await harness.waitForLockWaiters(1);
          await writer.advancePosition(
            partition,
            { firstSequence: 0, lastSequence: 4 },
            { received: 5, counted: 5, deadLettered: 0, duplicates: 0 },
          );
        });
        expect(await second).toBe(4);
        expect(await harness.store.readPosition(partition)).toBe(9);
        const row = await positionRow(partition);
        expect([
          Number(row!.first_sequence),
          Number(row!.events_received),
          Number(row!.batches_committed),
        ]).toEqual([0, 10, 2]);
      });
    });

    describe('metrics upserts', () => {
      it('adds counts and sums and folds min and max into the stored row', async () => {
        const merchant = nextId('m');
        const big = 2n ** 53n + 1n;
        await harness.store.transaction((writer) =>
          writer.writeMetrics(metrics({ paymentMetrics: [payment(merchant, { amountMinorSum: big })] })),
        );
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              paymentMetrics: [
                payment(merchant, {
                  txnCount: 2,
                  approvedCount: 2,
                  declinedCount: 0,
                  errorCount: 0,
                  amountMinorSum: big,
                  approvedAmountMinorSum: 999_999_999_999n,
                  latencyMsSum: 0.25,
                  latencyMsMin: 5.5,
                  latencyMsMax: 12,
                }),
                payment(merchant, { windowStartMs: WINDOW + WINDOW_MS, cardBrand: 'amex' }),
              ],
            }),
          ),
        );
        const rows = await paymentRows(merchant);
        expect(rows).toHaveLength(2);
        const [merged, other] = rows;
        expect(merged!.window_start.getTime()).toBe(WINDOW);
        expect({
          txn: Number(merged!.txn_count),
          approved: Number(merged!.approved_count),
          declined: Number(merged!.declined_count),
          errors: Number(merged!.error_count),
          amount: merged!.amount_minor_sum,
          approvedAmount: merged!.approved_amount_minor_sum,
          latencySum: merged!.latency_ms_sum,
          latencyMin: merged!.latency_ms_min,
          latencyMax: merged!.latency_ms_max,
        }).toEqual({
          txn: 5,
          approved: 3,
          declined: 1,
          errors: 1,
          amount: (big * 2n).toString(),
          approvedAmount: '1000000000099',
          latencySum: 60.75,
          latencyMin: 5.5,
          latencyMax: 30.25,
        });
        expect(other!.window_start.getTime()).toBe(WINDOW + WINDOW_MS);
        expect(other!.card_brand).toBe('amex');
      });

      it('merges rows of one batch that share a key instead of failing the upsert', async () => {
        const merchant = nextId('m');
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({ paymentMetrics: [payment(merchant), payment(merchant, { latencyMsMin: 1 })] }),
          ),
        );
        const [row] = await paymentRows(merchant);
        expect([Number(row!.txn_count), row!.amount_minor_sum, row!.latency_ms_min]).toEqual([6, '600', 1]);
      });

      it('stores dimensions with sorted keys and matches them whatever the input key order', async () => {
        const metricName = nextId('decline_count');
        const row = (dimensions: Record<string, string>, value: number): DynamicMetricRow => ({
          windowStartMs: WINDOW,
          metricName,
          dimensions,
          valueCount: 1,
          valueSum: value,
          valueMin: value,
          valueMax: value,
        });
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              dynamicMetrics: [
                row({ merchant_id: 'm1', decline_code: '05', '10': 'x', '9': 'y' }, 2),
                row({ '9': 'y', decline_code: '05', '10': 'x', merchant_id: 'm1' }, 7),
              ],
            }),
          ),
        );
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              dynamicMetrics: [row({ decline_code: '05', merchant_id: 'm1', '10': 'x', '9': 'y' }, -1)],
            }),
          ),
        );
        const rows = await harness.db
          .selectFrom('dynamic_metrics')
          .select([
            'dimensions',
            'value_count',
            'value_sum',
            'value_min',
            'value_max',
            sql<string>`dimensions::text`.as('dimensions_text'),
          ])
          .where('metric_name', '=', metricName)
          .execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]!.dimensions).toEqual({ '10': 'x', '9': 'y', decline_code: '05', merchant_id: 'm1' });
        expect(Number(rows[0]!.value_count)).toBe(3);
        expect([rows[0]!.value_sum, rows[0]!.value_min, rows[0]!.value_max]).toEqual([8, -1, 7]);
        // jsonb prints keys by (length, bytes); the point is one row, found by a sorted-key literal too.
        const found = await harness.db
          .selectFrom('dynamic_metrics')
          .select('metric_name')
          .where('metric_name', '=', metricName)
          .where(
            sql<boolean>`dimensions = ${'{"10":"x","9":"y","decline_code":"05","merchant_id":"m1"}'}::jsonb`,
          )
          .execute();
        expect(found).toHaveLength(1);
      });

      it('merges sketches bin by bin and keeps exact count, sum, min and max', async () => {
        const merchant = nextId('m');
        const histogram = (overrides: Partial<HistogramRow>): HistogramRow => ({
          windowStartMs: WINDOW,
          metricName: 'amount_minor',
          dimensions: { merchant_id: merchant, currency: 'EUR' },
          count: 3,
          sum: 2n ** 60n,
          min: 1,
          max: 1e12,
          sketch: sketch({ '10': 2, '-3': 1 }, 0),
          ...overrides,
        });
        await harness.store.transaction((writer) =>
          writer.writeMetrics(metrics({ histograms: [histogram({})] })),
        );
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              histograms: [
                histogram({
                  dimensions: { currency: 'EUR', merchant_id: merchant },
                  count: 4,
                  sum: 2n ** 60n + 1n,
                  min: 0,
                  max: 5,
                  sketch: sketch({ '10': 1, '11': 2 }, 1),
                }),
              ],
            }),
          ),
        );
        const rows = await harness.db
          .selectFrom('aggregate_histograms')
          .selectAll()
          .where('metric_name', '=', 'amount_minor')
          .where(sql<boolean>`dimensions ->> 'merchant_id' = ${merchant}`)
          .execute();
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect(Number(row!.count)).toBe(7);
        expect(row!.sum).toBe((2n ** 61n + 1n).toString());
        expect([row!.min, row!.max, row!.relative_accuracy]).toEqual([0, 1e12, 0.01]);
        expect(row!.sketch).toEqual({
          relativeAccuracy: 0.01,
          zeroCount: 1,
          bins: { '-3': 1, '10': 3, '11': 2 },
        });
      });

      it('stores a fractional histogram sum (latency) as given', async () => {
        const merchant = nextId('m');
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              histograms: [
                {
                  windowStartMs: WINDOW,
                  metricName: 'processor_latency_ms',
                  dimensions: { merchant_id: merchant },
                  count: 2,
                  sum: 0.1 + 0.2,
                  min: 0.1,
                  max: 0.2,
                  sketch: sketch({ '1': 2 }),
                },
              ],
            }),
          ),
        );
        const row = await harness.db
          .selectFrom('aggregate_histograms')
          .select('sum')
          .where(sql<boolean>`dimensions ->> 'merchant_id' = ${merchant}`)
          .executeTakeFirstOrThrow();
        expect(Number(row.sum)).toBe(0.1 + 0.2);
      });

      it('refuses to merge sketches of different accuracy', async () => {
        const merchant = nextId('m');
        const row = (relativeAccuracy: number): HistogramRow => ({
          windowStartMs: WINDOW,
          metricName: 'processor_latency_ms',
          dimensions: { merchant_id: merchant },
          count: 1,
          sum: 1,
          min: 1,
          max: 1,
          sketch: sketch({ '0': 1 }, 0, relativeAccuracy),
        });
        await harness.store.transaction((writer) =>
          writer.writeMetrics(metrics({ histograms: [row(0.01)] })),
        );
        await expect(
          harness.store.transaction((writer) => writer.writeMetrics(metrics({ histograms: [row(0.02)] }))),
        ).rejects.toThrow(/relative accuracy/);
      });
    });

    describe('event ids', () => {
      it('reports ids claimed by an earlier transaction as duplicates, compared case-insensitively', async () => {
        const base = 1_000_000 + unique++ * 100;
        const first = await harness.store.transaction((writer) =>
          writer.claimEventIds([
            { eventId: uuid(base + 1), windowStartMs: WINDOW },
            { eventId: uuid(base + 2), windowStartMs: WINDOW },
          ]),
        );
        expect([...first]).toEqual([]);
        const upper = uuid(base + 2).toUpperCase();
        const second = await harness.store.transaction((writer) =>
          writer.claimEventIds([
            { eventId: uuid(base + 3), windowStartMs: WINDOW + WINDOW_MS },
            { eventId: upper, windowStartMs: WINDOW },
            { eventId: uuid(base + 1), windowStartMs: WINDOW },
          ]),
        );
        expect([...second].sort()).toEqual([uuid(base + 1), upper].sort());
        const stored = await harness.db
          .selectFrom('processed_events')
          .selectAll()
          .where('event_id', '=', uuid(base + 3))
          .executeTakeFirstOrThrow();
        expect(stored.window_start.getTime()).toBe(WINDOW + WINDOW_MS);
      });

      it('requires distinct ids within one call', async () => {
        const id = uuid(2_000_000 + unique++);
        await expect(
          harness.store.transaction((writer) =>
            writer.claimEventIds([
              { eventId: id, windowStartMs: WINDOW },
              { eventId: id.toUpperCase(), windowStartMs: WINDOW },
            ]),
          ),
        ).rejects.toThrow(/appears twice/);
      });
    });

    describe('failed items', () => {
      it('parks an item once per source position and counts only the rows inserted', async () => {
        const partition = { source: nextId('file'), partitionId: '0' };
        const due = new Date(Date.UTC(2026, 10, 27, 11, 0, 0, 123));
        const inserted = await harness.store.transaction((writer) =>
          writer.writeFailedItems([
            failedItem(partition, 7, { nextAttemptAt: due, eventId: uuid(7) }),
            failedItem(partition, 3),
          ]),
        );
        expect(inserted).toBe(2);
        const again = await harness.store.transaction((writer) =>
          writer.writeFailedItems([
            failedItem(partition, 3, { errorMessage: 'second attempt' }),
            failedItem(partition, 9, {
              payload: null,
              payloadRef: 'payloads/x/0/00000000000000000009.gz',
              payloadBytes: 70_000,
              stage: 'validate',
              errorCode: 'payload_too_large',
            }),
            failedItem(partition, 9),
          ]),
        );
        expect(again).toBe(1);
        const rows = await harness.db
          .selectFrom('failed_items')
          .selectAll()
          .where('source', '=', partition.source)
          .orderBy('sequence_number')
          .execute();
        expect(
          rows.map((r) => [Number(r.sequence_number), r.error_message, r.status, r.attempts, r.payload_ref]),
        ).toEqual([
          [3, 'Unexpected token', 'pending', 0, null],
          [7, 'Unexpected token', 'pending', 0, null],
          [9, 'Unexpected token', 'pending', 0, 'payloads/x/0/00000000000000000009.gz'],
        ]);
        expect(rows[1]!.next_attempt_at?.getTime()).toBe(due.getTime());
        expect(rows[1]!.event_id).toBe(uuid(7));
        expect(rows[2]!.payload).toBeNull();
        expect(rows[2]!.error_code).toBe('payload_too_large');
      });
    });

    describe('hour and day rollups', () => {
      const rollupRow = (table: 'payment_metrics_1h' | 'payment_metrics_1d', merchantId: string) =>
        sql<{ window_start: Date; txn_count: string; amount_minor_sum: string; latency_ms_max: number }>`
          SELECT window_start, txn_count::text, amount_minor_sum::text, latency_ms_max
            FROM ${sql.table(table)} WHERE merchant_id = ${merchantId}`.execute(harness.db);
      const histogramRollup = (merchantId: string) =>
        sql<{ count: string; sketch: StoredSketch }>`
          SELECT count::text, sketch FROM aggregate_histograms_1h
           WHERE dimensions ->> 'merchant_id' = ${merchantId}`.execute(harness.db);
      const latency = (
        merchantId: string,
        windowStartMs: number,
        bins: Record<string, number>,
      ): HistogramRow => ({
        windowStartMs,
        metricName: 'processor_latency_ms',
        dimensions: { merchant_id: merchantId },
        count: Object.values(bins).reduce((a, b) => a + b, 0),
        sum: 10,
        min: 1,
        max: 9,
        sketch: sketch(bins),
      });

      it('catches up a backlog of hours in calls of a bounded size, oldest first', async () => {
        const merchantId = nextId('backlog');
        const HOUR = 3_600_000;
        const start = Math.floor(WINDOW / HOUR) * HOUR - 10 * HOUR;
        await refreshRollups(harness.db);
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              paymentMetrics: [0, 1, 2].map((h) => payment(merchantId, { windowStartMs: start + h * HOUR })),
            }),
          ),
        );
        // One call rebuilds one hour when asked to; the rest stays marked for the next.
        const one = await sql<{ hours: number }>`SELECT paymetrics_refresh_rollups(1) AS hours`.execute(
          harness.db,
        );
        expect(one.rows).toEqual([{ hours: 1 }]);
        expect(
          (await rollupRow('payment_metrics_1h', merchantId)).rows.map((r) => new Date(r.window_start)),
        ).toEqual([new Date(start)]);
        expect(await refreshRollups(harness.db, { hoursPerCall: 1 })).toBe(2);
        expect((await rollupRow('payment_metrics_1h', merchantId)).rows).toHaveLength(3);
      });

      it('rebuilds the hours and days a batch changed, and only once', async () => {
        const merchantId = nextId('rollup');
        const nextWindow = WINDOW + WINDOW_MS;
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({
              paymentMetrics: [
                payment(merchantId),
                payment(merchantId, { windowStartMs: nextWindow, latencyMsMax: 99 }),
              ],
              histograms: [
                latency(merchantId, WINDOW, { '10': 2 }),
                latency(merchantId, nextWindow, { '10': 1, '12': 4 }),
              ],
            }),
          ),
        );
        // Not in the rollups until refreshed: the batch only marked its windows.
        expect((await rollupRow('payment_metrics_1h', merchantId)).rows).toEqual([]);
        // Readers use the current views, which sum the hours awaiting a refresh on the fly.
        const current = await sql<{ txn_count: string }>`
          SELECT txn_count::text FROM payment_metrics_1d_current WHERE merchant_id = ${merchantId}`.execute(
          harness.db,
        );
        expect(current.rows).toEqual([{ txn_count: '6' }]);
        expect(await refreshRollups(harness.db)).toBeGreaterThanOrEqual(1);
        expect(await refreshRollups(harness.db)).toBe(0);

        const hour = new Date(Math.floor(WINDOW / 3_600_000) * 3_600_000);
        const day = new Date(Math.floor(WINDOW / 86_400_000) * 86_400_000);
        for (const [table, start] of [
          ['payment_metrics_1h', hour],
          ['payment_metrics_1d', day],
        ] as const) {
          const { rows } = await rollupRow(table, merchantId);
          expect(rows.map((r) => ({ ...r, window_start: new Date(r.window_start) }))).toEqual([
            { window_start: start, txn_count: '6', amount_minor_sum: '600', latency_ms_max: 99 },
          ]);
        }
        expect((await histogramRollup(merchantId)).rows).toEqual([
          { count: '7', sketch: { relativeAccuracy: 0.01, zeroCount: 0, bins: { '10': 3, '12': 4 } } },
        ]);

        // A late update to one window marks it again; the refresh folds it into the same rows.
        await harness.store.transaction((writer) =>
          writer.writeMetrics(
            metrics({ paymentMetrics: [payment(merchantId, { txnCount: 4, approvedCount: 2 })] }),
          ),
        );
        expect(await refreshRollups(harness.db)).toBeGreaterThanOrEqual(1);
        expect((await rollupRow('payment_metrics_1d', merchantId)).rows.map((r) => r.txn_count)).toEqual([
          '10',
        ]);
      });
    });

    describe('transactions', () => {
      it('rolls back every write of a transaction that throws', async () => {
        const partition = { source: nextId('hub'), partitionId: '0' };
        const merchant = nextId('m');
        const id = uuid(3_000_000 + unique++);
        const failure = new Error('archive down');
        await expect(
          harness.store.transaction(async (writer) => {
            await writer.lockPosition(partition);
            await writer.claimEventIds([{ eventId: id, windowStartMs: WINDOW }]);
            await writer.writeMetrics(
              metrics({
                paymentMetrics: [payment(merchant)],
                dynamicMetrics: [
                  {
                    windowStartMs: WINDOW,
                    metricName: merchant,
                    dimensions: {},
                    valueCount: 1,
                    valueSum: 1,
                    valueMin: 1,
                    valueMax: 1,
                  },
                ],
              }),
            );
            await writer.writeFailedItems([failedItem(partition, 1)]);
            await writer.advancePosition(
              partition,
              { firstSequence: 0, lastSequence: 2 },
              { received: 3, counted: 2, deadLettered: 1, duplicates: 0 },
            );
            throw failure;
          }),
        ).rejects.toBe(failure);

        expect(await harness.store.readPosition(partition)).toBeUndefined();
        expect(await positionRow(partition)).toBeUndefined();
        expect(await paymentRows(merchant)).toEqual([]);
        const counts = await harness.db
          .selectNoFrom([
            harness.db
              .selectFrom('processed_events')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('event_id', '=', id)
              .as('events'),
            harness.db
              .selectFrom('failed_items')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('source', '=', partition.source)
              .as('failed'),
            harness.db
              .selectFrom('dynamic_metrics')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('metric_name', '=', merchant)
              .as('dynamic'),
          ])
          .executeTakeFirstOrThrow();
        expect([Number(counts.events), Number(counts.failed), Number(counts.dynamic)]).toEqual([0, 0, 0]);

        // The id was never claimed, so the retried batch counts it.
        const retry = await harness.store.transaction((writer) =>
          writer.claimEventIds([{ eventId: id, windowStartMs: WINDOW }]),
        );
        expect(retry.size).toBe(0);
      });

      it('lets concurrent partitions upsert overlapping keys in opposite order without deadlock', async () => {
        const merchants = Array.from({ length: 300 }, (_, i) => `${nextId('dl')}-${i}`);
        const rows = merchants.map((merchant) =>
          payment(merchant, { txnCount: 1, approvedCount: 1, declinedCount: 0, errorCount: 0 }),
        );
        const histograms = merchants.map(
          (merchant): HistogramRow => ({
            windowStartMs: WINDOW,
            metricName: 'processor_latency_ms',
            dimensions: { merchant_id: merchant },
            count: 1,
            sum: 10,
            min: 10,
            max: 10,
            sketch: sketch({ '231': 1 }),
          }),
        );
        const source = nextId('hub');
        const rounds = 4;
        const writers = Array.from({ length: rounds * 2 }, (_, i) => {
          const forward = i % 2 === 0;
          const partition = { source, partitionId: String(i) };
          return harness.store.transaction(async (writer) => {
            await writer.lockPosition(partition);
            await writer.writeMetrics(
              metrics({
                paymentMetrics: forward ? rows : [...rows].reverse(),
                histograms: forward ? histograms : [...histograms].reverse(),
              }),
            );
            await writer.advancePosition(partition, { firstSequence: 0, lastSequence: 0 }, noCounters);
          });
        });
        await Promise.all(writers);
        const totals = await harness.db
          .selectFrom('payment_metrics_5m')
          .select((eb) => [eb.fn.sum<string>('txn_count').as('txns'), eb.fn.countAll<string>().as('keys')])
          .where('merchant_id', 'in', merchants)
          .executeTakeFirstOrThrow();
        expect([Number(totals.keys), Number(totals.txns)]).toEqual([
          merchants.length,
          merchants.length * rounds * 2,
        ]);
        const histogram = await harness.db
          .selectFrom('aggregate_histograms')
          .select(['count', 'sketch'])
          .where(sql<boolean>`dimensions ->> 'merchant_id' = ${merchants[0]!}`)
          .executeTakeFirstOrThrow();
        expect(Number(histogram.count)).toBe(rounds * 2);
        expect(histogram.sketch.bins).toEqual({ '231': rounds * 2 });
      });
    });
  });
}
