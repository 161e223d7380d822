import { describe, expect, it } from 'vitest';
import type { Clock } from '../pacing.js';
import { createEventHubsSink, type EventBatch, type EventProducer } from './eventhubs-sink.js';

interface SentBatch {
  readonly partitionKey: string | undefined;
  readonly bodies: readonly Uint8Array[];
  readonly sizeInBytes: number;
}

/**
 * A fake of the EventHubProducerClient subset the sink uses (Event Hubs cannot run here): batches
 * bounded by size like the SDK's, sends that take a few event-loop turns, optional failures.
 */
function fakeProducer(options: { maxSizeInBytes?: number; failures?: unknown[] } = {}) {
  const maxSizeInBytes = options.maxSizeInBytes ?? 4_096;
  const failures = [...(options.failures ?? [])];
  const sent: SentBatch[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let attempts = 0;
  let closed = false;
  const producer: EventProducer = {
    async createBatch(batchOptions) {
      const bodies: Uint8Array[] = [];
      let size = 64;
      const batch: EventBatch & { partitionKey: string | undefined; bodies: Uint8Array[] } = {
        partitionKey: batchOptions?.partitionKey,
        bodies,
        get count() {
          return bodies.length;
        },
        get sizeInBytes() {
          return size;
        },
        tryAdd(event) {
          const next = size + event.body.byteLength + 16;
          if (next > maxSizeInBytes) return false;
          bodies.push(event.body);
          size = next;
          return true;
        },
      };
      return batch;
    },
    async sendBatch(batch) {
      attempts++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures.shift();
        const { partitionKey, bodies } = batch as EventBatch & {
          partitionKey: string | undefined;
          bodies: Uint8Array[];
        };
        sent.push({ partitionKey, bodies: [...bodies], sizeInBytes: batch.sizeInBytes });
      } finally {
        inFlight--;
      }
    },
    async close() {
      closed = true;
    },
  };
  return {
    producer,
    sent,
    get maxInFlight() {
      return maxInFlight;
    },
    get attempts() {
      return attempts;
    },
    get closed() {
      return closed;
    },
  };
}

const frozenClock: Clock = { now: () => 0, sleep: async () => {} };

const line = (merchantId: string, n: number) =>
  JSON.stringify({ schemaVersion: 1, eventId: `e-${n}`, merchantId, amountMinor: n, note: 'x'.repeat(100) });

describe('createEventHubsSink', () => {
  it('sends every line verbatim, in size-bounded batches, one partition key per merchant', async () => {
    const fake = fakeProducer({ maxSizeInBytes: 2_000 });
    const sink = createEventHubsSink({
      producer: fake.producer,
      clock: frozenClock,
      maxBufferedEvents: 10_000,
    });
    const lines = Array.from({ length: 300 }, (_, i) => line(`m_${i % 3}`, i));
    for (const l of lines) await sink.write(l);
    const totals = await sink.finish();

    expect(totals).toMatchObject({ sent: 300, keyed: 300, unkeyed: 0, retries: 0 });
    expect(totals.batches).toBe(fake.sent.length);
    expect(fake.sent.length).toBeGreaterThan(3 * 10); // each merchant's 100 lines needed several batches
    for (const batch of fake.sent) {
      expect(batch.sizeInBytes).toBeLessThanOrEqual(2_000);
      for (const body of batch.bodies) {
        expect(JSON.parse(Buffer.from(body).toString('utf8')).merchantId).toBe(batch.partitionKey);
      }
    }
    // Per merchant, the order of the lines is kept.
    for (const merchant of ['m_0', 'm_1', 'm_2']) {
      const bodies = fake.sent.filter((b) => b.partitionKey === merchant).flatMap((b) => b.bodies);
      expect(bodies.map((b) => Buffer.from(b).toString('utf8'))).toEqual(
        lines.filter((l) => l.includes(`"${merchant}"`)),
      );
    }
  });

  it('sends malformed lines without a partition key and byte for byte, invalid UTF-8 included', async () => {
    const fake = fakeProducer();
    const sink = createEventHubsSink({ producer: fake.producer, clock: frozenClock });
    const bad = [
      '{"merchantId":"m_1","amountMinor":',
      '[{"merchantId":"m_1"}]',
      JSON.stringify({ merchantId: 'merchant with spaces' }),
      '"just a string"',
    ];
    const invalidUtf8 = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
    for (const l of bad) await sink.write(l);
    await sink.write(invalidUtf8);
    await sink.write(line('m_ok', 1));
    const totals = await sink.finish();
    expect(totals).toMatchObject({ sent: 6, keyed: 1, unkeyed: 5 });
    const unkeyed = fake.sent.filter((b) => b.partitionKey === undefined).flatMap((b) => b.bodies);
    expect(unkeyed.slice(0, 4).map((b) => Buffer.from(b).toString('utf8'))).toEqual(bad);
    expect([...unkeyed[4]!]).toEqual([...invalidUtf8]);
    // Bodies are bytes, so the SDK sends them as they are instead of JSON-quoting a string.
    expect(unkeyed.every((b) => b instanceof Uint8Array)).toBe(true);
  });

  it('keeps at most maxInFlight sendBatch calls in flight', async () => {
    const fake = fakeProducer({ maxSizeInBytes: 600 });
    const sink = createEventHubsSink({
      producer: fake.producer,
      clock: frozenClock,
      maxInFlight: 2,
      maxBufferedEvents: 50,
    });
    for (let i = 0; i < 400; i++) await sink.write(line(`m_${i % 20}`, i));
    const totals = await sink.finish();
    expect(totals.sent).toBe(400);
    expect(fake.maxInFlight).toBe(2);
  });

  it('retries a failed send and counts the retry; gives up at once on a non-retryable error', async () => {
    const transient = Object.assign(new Error('server busy'), { retryable: true });
    const fake = fakeProducer({ failures: [transient, transient] });
    const sink = createEventHubsSink({ producer: fake.producer, clock: frozenClock, sendAttempts: 3 });
    for (let i = 0; i < 5; i++) await sink.write(line('m_1', i));
    const totals = await sink.finish();
    expect(totals).toMatchObject({ sent: 5, batches: 1, retries: 2 });
    expect(fake.attempts).toBe(3);

    const unauthorized = Object.assign(new Error('Unauthorized access'), { retryable: false });
    const failing = fakeProducer({ failures: [unauthorized] });
    const stopped = createEventHubsSink({ producer: failing.producer, clock: frozenClock, sendAttempts: 5 });
    await stopped.write(line('m_1', 1));
    await expect(stopped.finish()).rejects.toThrow(/failed \(attempt 1\): Unauthorized access/);
    expect(failing.attempts).toBe(1);
  });

  it('fails once the attempts are used up, and refuses further writes', async () => {
    const transient = Object.assign(new Error('timeout'), { retryable: true });
    const fake = fakeProducer({ failures: [transient, transient, transient], maxSizeInBytes: 300 });
    const sink = createEventHubsSink({
      producer: fake.producer,
      clock: frozenClock,
      sendAttempts: 3,
      maxInFlight: 1,
    });
    await sink.write(line('m_1', 1));
    await sink.write(line('m_1', 2)); // does not fit: the first batch goes out and fails three times
    await expect(sink.finish()).rejects.toThrow(/attempt 3\): timeout/);
    await expect(sink.write(line('m_1', 3))).rejects.toThrow(/timeout/);
  });

  it('sends open batches after lingerMs, so a live run streams', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, sleep: async () => {} };
    const fake = fakeProducer();
    const sink = createEventHubsSink({ producer: fake.producer, clock, lingerMs: 250 });
    await sink.write(line('m_1', 1));
    now = 100;
    await sink.write(line('m_2', 2));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(fake.attempts).toBe(0);
    now = 260;
    await sink.write(line('m_1', 3));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(fake.sent.map((b) => b.bodies.length).sort()).toEqual([1, 2]);
    await sink.finish();
  });

  it('rejects an event larger than an empty batch', async () => {
    const fake = fakeProducer({ maxSizeInBytes: 100 });
    const sink = createEventHubsSink({ producer: fake.producer, clock: frozenClock });
    await expect(sink.write(line('m_1', 1))).rejects.toThrow(/does not fit in an empty batch/);
  });
});
