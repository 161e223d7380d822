import { RetryableBatchError } from '@paymetrics/dead-letter';
import type { MetricEngine } from '@paymetrics/metric-engine';
import type { ValidTransaction } from '@paymetrics/schemas';
import {
  diffMetricsTables,
  readPaymentMetrics,
  referenceAggregation,
  snapshotTables,
} from '@paymetrics/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { badLines, line, NOW, validEvent } from '../test/fixtures.js';
import { dialects, type StoreUnderTest } from '../test/harness.js';
import type { BatchResult, RawEvent } from './batch.js';
import { commitBatch, prepareBatch, processBatch, processBatchStream } from './process-batch.js';
import { RecentEventIds } from './recent-event-ids.js';

const clock = () => NOW;

function toEvents(lines: readonly (string | Uint8Array)[], firstSequence = 1): RawEvent[] {
  return lines.map((body, i) => ({ body, sequenceNumber: firstSequence + i }));
}

async function run(
  sut: StoreUnderTest,
  events: readonly RawEvent[],
  batchSize: number,
  source = 'file:test',
): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for (let i = 0; i < events.length; i += batchSize) {
    const result = await processBatch(
      { source, partitionId: '0', events: events.slice(i, i + batchSize) },
      { store: sut.store, engine: sut.engine, clock },
    );
    expect(result.received).toBe(
      result.counted + result.deadLettered + result.duplicates + result.replaySkipped,
    );
    results.push(result);
  }
  return results;
}

/** The engine, counting the calls of `derive`: the commit's path for deriving a batch again. */
function countingDerive(base: MetricEngine): { engine: MetricEngine; derivedAgain: () => number } {
  let calls = 0;
  const engine: MetricEngine = {
    derive: (events) => {
      calls++;
      return base.derive(events);
    },
    startBatch: () => base.startBatch(),
    get ruleErrors() {
      return base.ruleErrors;
    },
    get ruleErrorsByRule() {
      return base.ruleErrorsByRule;
    },
  };
  return { engine, derivedAgain: () => calls };
}

const snapshot = (sut: StoreUnderTest) => snapshotTables((text) => sut.query(text));

/** 300 valid events with some repeated, plus one bad line of each kind, interleaved. */
function mixedLines(): string[] {
  const lines: string[] = [];
  const bad = badLines().filter((b) => typeof b.body === 'string');
  for (let i = 0; i < 300; i++) {
    lines.push(line(validEvent(i)));
    if (i % 40 === 0) lines.push(lines[lines.length - 1]!); // a producer's retry: same eventId
    if (i % 12 === 0 && bad.length > 0) lines.push(bad.shift()!.body as string);
  }
  return lines;
}

for (const dialect of dialects) {
  describe(`processBatch on ${dialect.name}`, () => {
    let sut: StoreUnderTest;
    afterEach(async () => {
      await sut?.close();
    });

    it('makes payment_metrics_5m equal to the reference aggregation and parks each bad line once', async () => {
      sut = await dialect.open();
      const lines = mixedLines();
      const results = await run(sut, toEvents(lines), 64);
      const reference = referenceAggregation(lines, { nowMs: NOW });

      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
      const failed = await sut.query('select sequence_number::int as seq from failed_items order by 1');
      expect((failed.rows as { seq: number }[]).map((r) => r.seq)).toEqual(reference.badLines);
      const sum = (pick: (r: BatchResult) => number) => results.reduce((n, r) => n + pick(r), 0);
      expect(sum((r) => r.counted)).toBe(reference.counted);
      expect(sum((r) => r.duplicates)).toBe(reference.duplicates);
      expect(sum((r) => r.deadLettered)).toBe(reference.badLines.length);
    });

    it('changes nothing when the same input is replayed, in the same or other batch sizes', async () => {
      sut = await dialect.open();
      const events = toEvents(mixedLines());
      await run(sut, events, 50);
      const before = await snapshot(sut);
      for (const size of [50, 7, 1000]) {
        const again = await run(sut, events, size);
        expect(again.every((r) => r.replaySkipped === r.received && r.counted === 0)).toBe(true);
      }
      expect(await snapshot(sut)).toEqual(before);
    });

    it('counts only the new positions of a batch overlapping an earlier one', async () => {
      sut = await dialect.open();
      const lines = Array.from({ length: 150 }, (_, i) => line(validEvent(i)));
      const events = toEvents(lines);
      const [first] = await run(sut, events.slice(0, 100), 100);
      const [overlap] = await run(sut, events.slice(50, 150), 100);
      expect(first).toMatchObject({ received: 100, counted: 100 });
      expect(overlap).toMatchObject({
        received: 100,
        counted: 50,
        replaySkipped: 50,
        committedSequence: 150,
      });
      const reference = referenceAggregation(lines, { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
    });

    it('counts an eventId repeated in a later batch, or another partition, once', async () => {
      sut = await dialect.open();
      const event = line(validEvent(3));
      const [a] = await run(sut, toEvents([event, line(validEvent(4))]), 10);
      const [b] = await run(sut, toEvents([line(validEvent(5)), event], 3), 10);
      const [c] = await run(sut, toEvents([event]), 10, 'other-source');
      expect([a!.counted, b!.counted, b!.duplicates, c!.duplicates]).toEqual([2, 1, 1, 1]);
      const { rows } = await sut.query('select sum(txn_count)::int as n from payment_metrics_5m');
      expect(rows).toEqual([{ n: 3 }]);
    });

    it('parks a future event to come due when its event time falls inside the tolerance', async () => {
      sut = await dialect.open();
      const occurredAtMs = NOW + 3_600_000;
      const lines = [line(validEvent(1, { occurredAt: new Date(occurredAtMs).toISOString() }))];
      const [result] = await run(sut, toEvents(lines), 10);
      expect(result?.deadLetteredByCode).toEqual({ future_timestamp: 1 });
      const { rows } = await sut.query(
        'select (extract(epoch from next_attempt_at) * 1000)::bigint::text as due from failed_items',
      );
      // Due 5 minutes before the event time (the future bound), by the injected clock, not the wall clock.
      expect(rows).toEqual([{ due: String(occurredAtMs - 5 * 60_000) }]);
    });

    it('parks every kind of bad event with its stable code while the rest of the batch counts', async () => {
      sut = await dialect.open();
      const bad = badLines();
      const lines: (string | Uint8Array)[] = [];
      bad.forEach((b, i) => {
        lines.push(b.body, line(validEvent(100 + i)));
      });
      const [result] = await run(sut, toEvents(lines), 1000);
      expect(result).toMatchObject({ counted: bad.length, deadLettered: bad.length });
      const { rows } = await sut.query(
        'select sequence_number::int as seq, error_code from failed_items order by 1',
      );
      expect(rows).toEqual(bad.map((b, i) => ({ seq: 2 * i + 1, error_code: b.code })));
      const replay = await run(sut, toEvents(lines), 1000);
      expect(replay[0]).toMatchObject({ replaySkipped: lines.length, deadLettered: 0 });
      const count = await sut.query('select count(*)::int as n from failed_items');
      expect(count.rows).toEqual([{ n: bad.length }]);
    });

    it('parks a parsed body nested 5,000 levels deep instead of failing the batch', async () => {
      sut = await dialect.open();
      const nested = (levels: number) => {
        let value: object = {};
        for (let i = 0; i < levels; i++) value = { a: value };
        return value;
      };
      const events: RawEvent[] = [
        { body: line(validEvent(1)), sequenceNumber: 1 },
        { body: nested(5_000), sequenceNumber: 2 },
        { body: { ...validEvent(3), extra: nested(5_000) }, sequenceNumber: 3 },
        { body: validEvent(4, { metadata: nested(1_000) }), sequenceNumber: 4 },
        { body: validEvent(5), sequenceNumber: 5 },
      ];
      const [result] = await run(sut, events, 10);
      expect(result).toMatchObject({ counted: 2, deadLettered: 3 });
      const { rows } = await sut.query(
        'select sequence_number::int as seq, stage, error_code, length(payload) > 0 as has_payload from failed_items order by 1',
      );
      expect(rows).toEqual([
        { seq: 2, stage: 'decode', error_code: 'invalid_json', has_payload: true },
        { seq: 3, stage: 'decode', error_code: 'invalid_json', has_payload: true },
        { seq: 4, stage: 'validate', error_code: 'invalid_metadata', has_payload: true },
      ]);
    });

    it('parks an event whose derivation throws while the rest of the batch counts', async () => {
      sut = await dialect.open();
      const boom = (events: readonly ValidTransaction[]) => {
        if (events.some((e) => e.transaction.merchantId === 'boom')) throw new TypeError('boom');
      };
      const engine: MetricEngine = {
        derive: (events) => {
          boom(events);
          return sut.engine.derive(events);
        },
        startBatch: () => {
          const batch = sut.engine.startBatch();
          return {
            add: (events) => {
              boom(events);
              batch.add(events);
            },
            rows: () => batch.rows(),
          };
        },
        get ruleErrors() {
          return sut.engine.ruleErrors;
        },
        get ruleErrorsByRule() {
          return sut.engine.ruleErrorsByRule;
        },
      };
      const lines = [line(validEvent(1)), line(validEvent(2, { merchantId: 'boom' })), line(validEvent(3))];
      const result = await processBatch(
        { source: 'file:derive', partitionId: '0', events: toEvents(lines) },
        { store: sut.store, engine, clock },
      );
      expect(result).toMatchObject({
        counted: 2,
        deadLettered: 1,
        deadLetteredByCode: { processing_error: 1 },
      });
      const { rows } = await sut.query(
        'select sequence_number::int as seq, stage, error_code from failed_items',
      );
      expect(rows).toEqual([{ seq: 2, stage: 'derive', error_code: 'processing_error' }]);
    });

    it('gives the same tables for any split and order of the same events', async () => {
      const lines = mixedLines().slice(0, 120);
      const reference = referenceAggregation(lines, { nowMs: NOW });
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
          fc.integer({ min: 1, max: 60 }),
          async (shuffled, batchSize) => {
            sut = await dialect.open();
            try {
              await run(sut, toEvents(shuffled), batchSize);
              expect(
                diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table),
              ).toEqual([]);
              const failed = await sut.query('select count(*)::int as n from failed_items');
              expect(failed.rows).toEqual([{ n: reference.badLines.length }]);
            } finally {
              await sut.close();
            }
          },
        ),
        { numRuns: dialect.name === 'pglite' ? 3 : 8 },
      );
      sut = await dialect.open();
    });

    it('streams batches, preparing each while the previous commits, to the same tables', async () => {
      sut = await dialect.open();
      const lines = mixedLines();
      const events = toEvents(lines);
      const batches = Array.from({ length: Math.ceil(events.length / 37) }, (_, i) => ({
        source: 'file:stream',
        partitionId: '0',
        events: events.slice(i * 37, (i + 1) * 37),
      }));
      const results: BatchResult[] = [];
      await processBatchStream(batches, { store: sut.store, engine: sut.engine, clock }, (r) =>
        results.push(r),
      );
      expect(results).toHaveLength(batches.length);
      expect(results.reduce((n, r) => n + r.received, 0)).toBe(events.length);
      const reference = referenceAggregation(lines, { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
    });

    it("leaves a recent batch's repeats out from the start, and derives again only for an older one", async () => {
      sut = await dialect.open();
      const { engine, derivedAgain } = countingDerive(sut.engine);
      // Batches of 10 events; batch k (from 0) also repeats an event of batch k-1 and of k-4,
      // and batch 7 one of batch 1: six batches back, beyond what a stream remembers.
      const batchLines: string[][] = [];
      for (let k = 0; k < 8; k++) {
        const own = Array.from({ length: 10 }, (_, i) => line(validEvent(k * 10 + i)));
        const repeats = [
          k >= 1 ? batchLines[k - 1]![0]! : undefined,
          k >= 4 ? batchLines[k - 4]![1]! : undefined,
        ];
        if (k === 7) repeats.push(batchLines[1]![2]!);
        batchLines.push([...own, ...repeats.filter((r) => r !== undefined)]);
      }
      const lines = batchLines.flat();
      let sequence = 0;
      const batches = batchLines.map((batch) => ({
        source: 'file:repeats',
        partitionId: '0',
        events: batch.map((body) => ({ body, sequenceNumber: ++sequence })),
      }));
      const results: BatchResult[] = [];
      await processBatchStream(batches, { store: sut.store, engine, clock }, (r) => results.push(r));

      const reference = referenceAggregation(lines, { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(reference.duplicates);
      expect(results.map((r) => r.counted)).toEqual([10, 10, 10, 10, 10, 10, 10, 10]);
      expect(derivedAgain()).toBe(1);
    });

    it("leaves out a repeat of a batch in the caller's recent eventIds, batch after batch", async () => {
      sut = await dialect.open();
      const { engine, derivedAgain } = countingDerive(sut.engine);
      const recentEventIds = new RecentEventIds();
      const first = [1, 2, 3].map((i) => line(validEvent(i)));
      const second = [first[1]!, line(validEvent(4))];
      const deps = { store: sut.store, engine, clock };
      const source = 'file:recent';
      await processBatch({ source, partitionId: '0', events: toEvents(first) }, deps, { recentEventIds });
      const result = await processBatch({ source, partitionId: '0', events: toEvents(second, 4) }, deps, {
        recentEventIds,
      });
      expect(result).toMatchObject({ received: 2, counted: 1, duplicates: 1 });
      expect(derivedAgain()).toBe(0);
      const reference = referenceAggregation([...first, ...second], { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
    });

    it('counts an event expected to be a repeat when the claim finds it new', async () => {
      sut = await dialect.open();
      const events = [1, 2, 3].map((i) => validEvent(i));
      const lines = events.map(line);
      const deps = { store: sut.store, engine: sut.engine, clock };
      const expectedRepeats = new Set([events[1]!.eventId as string]);
      const prepared = await prepareBatch(
        { source: 'file:expected', partitionId: '0', events: toEvents(lines) },
        deps,
        undefined,
        { expectedRepeats },
      );
      expect(prepared.classified.expectedRepeats).toHaveLength(1);
      const result = await commitBatch(prepared, deps);
      expect(result).toMatchObject({ received: 3, counted: 3, duplicates: 0 });
      const reference = referenceAggregation(lines, { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
    });

    // An ownership change: the new owner starts from the last checkpoint, which is never past the
    // committed position, while the old owner is still processing.
    it('counts each event once when two streams consume the same partition with overlapping batches', async () => {
      sut = await dialect.open();
      const lines = mixedLines();
      const events = toEvents(lines);
      const stream = (size: number, from: number) =>
        Array.from({ length: Math.ceil((events.length - from) / size) }, (_, i) => ({
          source: 'file:owners',
          partitionId: '0',
          events: events.slice(from + i * size, from + (i + 1) * size),
        }));
      const results: BatchResult[] = [];
      const deps = { store: sut.store, engine: sut.engine, clock };
      await Promise.all([
        processBatchStream(stream(23, 0), deps, (r) => results.push(r)),
        processBatchStream(stream(41, 0), deps, (r) => results.push(r)),
      ]);
      const reference = referenceAggregation(lines, { nowMs: NOW });
      expect(diffMetricsTables(await readPaymentMetrics((t) => sut.query(t)), reference.table)).toEqual([]);
      expect(results.reduce((n, r) => n + r.counted, 0)).toBe(reference.counted);
      const failed = await sut.query('select count(*)::int as n from failed_items');
      expect(failed.rows).toEqual([{ n: reference.badLines.length }]);
    });

    it('fails the batch and commits nothing when a write fails', async () => {
      sut = await dialect.open();
      await run(sut, toEvents([line(validEvent(1))]), 10);
      const before = await snapshot(sut);
      await sut.query('alter table failed_items rename to failed_items_gone');
      const batch = {
        source: 'file:test',
        partitionId: '0',
        events: toEvents([line(validEvent(2)), '{oops'], 2),
      };
      await expect(processBatch(batch, { store: sut.store, engine: sut.engine, clock })).rejects.toThrow();
      await sut.query('alter table failed_items_gone rename to failed_items');
      expect(await snapshot(sut)).toEqual(before);
      const [retried] = await run(sut, batch.events, 10);
      expect(retried).toMatchObject({ counted: 1, deadLettered: 1 });
    });
  });
}

describe('failure classification at the pipeline boundary', () => {
  it('marks a lost database as retryable', async () => {
    const sut = await dialects[0]!.open();
    await sut.close();
    const batch = { source: 's', partitionId: '0', events: toEvents([line(validEvent(1))]) };
    await expect(processBatch(batch, { store: sut.store, engine: sut.engine, clock })).rejects.toBeInstanceOf(
      RetryableBatchError,
    );
  });
});
