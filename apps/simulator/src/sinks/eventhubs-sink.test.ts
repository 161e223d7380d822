import type { EventData } from '@azure/event-hubs';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../pacing.js';
import {
  type BufferedEventProducer,
  type BufferedProducerOptions,
  createEventHubsSink,
} from './eventhubs-sink.js';

interface SentBatch {
  readonly partitionKey: string | undefined;
  readonly bodies: readonly Uint8Array[];
}

/**
 * A fake of `EventHubBufferedProducerClient` (Event Hubs cannot run here), with the SDK's shape
 * and reporting: events are buffered per partition key and published in batches of at most
 * `batchEvents`, each outcome reported to the handlers the client was built with, as the SDK
 * does once its own retries are over. `failures` are the errors of the first sends.
 */
function fakeBufferedProducer(
  behaviour: { batchEvents?: number; maxEventBytes?: number; failures?: Error[] } = {},
) {
  const batchEvents = behaviour.batchEvents ?? 10;
  const maxEventBytes = behaviour.maxEventBytes ?? 4_096;
  const failures = [...(behaviour.failures ?? [])];
  const sent: SentBatch[] = [];
  const buffers = new Map<string | undefined, EventData[]>();
  const state = { enqueued: 0, sends: 0, closedWithFlush: undefined as boolean | undefined };
  let handlers: BufferedProducerOptions | undefined;

  const publish = async (partitionKey: string | undefined, events: EventData[]) => {
    await new Promise((resolve) => setImmediate(resolve));
    state.sends++;
    const context = { partitionId: partitionKey ?? 'any', events };
    const failure = failures.shift();
    if (failure) handlers!.onSendEventsErrorHandler({ ...context, error: failure });
    else {
      sent.push({ partitionKey, bodies: events.map((e) => e.body as Uint8Array) });
      handlers!.onSendEventsSuccessHandler(context);
    }
  };
  const flush = async () => {
    const pending = [...buffers].filter(([, events]) => events.length > 0);
    buffers.clear();
    for (const [key, events] of pending) await publish(key, events);
  };
  const producer: BufferedEventProducer = {
    async enqueueEvent(event, options) {
      state.enqueued++;
      if ((event.body as Uint8Array).byteLength > maxEventBytes) {
        handlers!.onSendEventsErrorHandler({
          partitionId: '0',
          events: [event],
          error: new Error('Placeholder for max message size exceeded'),
        });
        return 0;
      }
      const key = options?.partitionKey;
      const buffer = buffers.get(key) ?? [];
      buffers.set(key, buffer);
      buffer.push(event);
      if (buffer.length >= batchEvents) {
        buffers.delete(key);
        await publish(key, buffer);
      }
      return buffer.length;
    },
    flush,
    async close(options) {
      state.closedWithFlush = options?.flush ?? true;
      if (state.closedWithFlush) await flush();
    },
  };
  return {
    createProducer: (options: BufferedProducerOptions) => {
      handlers = options;
      return producer;
    },
    sent,
    state,
    get handlers() {
      return handlers;
    },
  };
}

const frozenClock: Clock = { now: () => 0, sleep: async () => {} };

const line = (merchantId: string, n: number) =>
  JSON.stringify({ schemaVersion: 1, eventId: `e-${n}`, merchantId, amountMinor: n, note: 'x'.repeat(100) });
const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

describe('createEventHubsSink', () => {
  it("sends every line verbatim through the SDK's buffered producer, keyed by merchant, in order per merchant", async () => {
    const fake = fakeBufferedProducer({ batchEvents: 7 });
    const sink = createEventHubsSink({ createProducer: fake.createProducer, clock: frozenClock });
    const lines = Array.from({ length: 300 }, (_, i) => line(`m_${i % 3}`, i));
    for (const l of lines) await sink.write(l);
    const totals = await sink.finish();

    expect(totals).toMatchObject({ sent: 300, keyed: 300, unkeyed: 0, batches: fake.sent.length });
    expect(totals.bytes).toBe(lines.reduce((n, l) => n + Buffer.byteLength(l), 0));
    expect(fake.handlers?.maxWaitTimeInMs).toBe(250);
    for (const merchant of ['m_0', 'm_1', 'm_2']) {
      const bodies = fake.sent.filter((b) => b.partitionKey === merchant).flatMap((b) => b.bodies);
      expect(bodies.map(text)).toEqual(lines.filter((l) => l.includes(`"${merchant}"`)));
    }
    expect(fake.state.closedWithFlush).toBe(false); // finish flushed first
  });

  it('sends malformed lines without a partition key and byte for byte, invalid UTF-8 included', async () => {
    const fake = fakeBufferedProducer();
    const sink = createEventHubsSink({ createProducer: fake.createProducer, clock: frozenClock });
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
    expect(unkeyed.slice(0, 4).map(text)).toEqual(bad);
    expect([...unkeyed[4]!]).toEqual([...invalidUtf8]);
    // Bodies are bytes, so the SDK sends them as they are instead of JSON-quoting a string.
    expect(unkeyed.every((b) => b instanceof Uint8Array)).toBe(true);
  });

  it("puts the producer's traceparent in the event properties when it has one", async () => {
    const fake = fakeBufferedProducer({ batchEvents: 1 });
    const enqueued: EventData[] = [];
    const sink = createEventHubsSink({
      createProducer: (options) => {
        const producer = fake.createProducer(options);
        return {
          ...producer,
          enqueueEvent: (event, enqueueOptions) => {
            enqueued.push(event);
            return producer.enqueueEvent(event, enqueueOptions);
          },
        };
      },
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await sink.write('{"a":1}', { traceparent });
    await sink.write('{"b":2}');
    await sink.finish();
    expect(enqueued.map((event) => event.properties)).toEqual([{ traceparent }, undefined]);
  });

  it('passes maxWaitTimeInMs to the client, so a live run streams partly filled batches', async () => {
    const fake = fakeBufferedProducer();
    const sink = createEventHubsSink({ createProducer: fake.createProducer, maxWaitTimeInMs: 50 });
    expect(fake.handlers?.maxWaitTimeInMs).toBe(50);
    await sink.finish();
  });

  it('stops at a send the client gave up on, without retrying it again, and refuses further writes', async () => {
    const fake = fakeBufferedProducer({ batchEvents: 5, failures: [new Error('server busy\nat stack')] });
    const sink = createEventHubsSink({ createProducer: fake.createProducer, clock: frozenClock });
    for (let i = 0; i < 5; i++) await sink.write(line('m_1', i));
    await expect(sink.write(line('m_1', 6))).rejects.toThrow(
      /sending 5 events to partition m_1 failed after the client's retries: server busy$/,
    );
    await expect(sink.finish()).rejects.toThrow(/server busy/);
    expect(fake.state).toMatchObject({ enqueued: 5, sends: 1 });
  });

  it('reports an event larger than an empty batch', async () => {
    const fake = fakeBufferedProducer({ maxEventBytes: 100 });
    const sink = createEventHubsSink({ createProducer: fake.createProducer, clock: frozenClock });
    await sink.write(line('m_1', 1));
    await expect(sink.finish()).rejects.toThrow(/an event of \d+ bytes does not fit in an empty batch/);
  });

  it('closes the client without sending what is buffered when a run stops early', async () => {
    const fake = fakeBufferedProducer();
    const sink = createEventHubsSink({ createProducer: fake.createProducer, clock: frozenClock });
    await sink.write(line('m_1', 1));
    await sink.close();
    expect(fake.state.closedWithFlush).toBe(false);
    expect(fake.sent).toEqual([]);
  });
});
