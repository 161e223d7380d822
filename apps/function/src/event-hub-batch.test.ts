import { describe, expect, it } from 'vitest';
import { eventHubBatch, TriggerMetadataError } from './event-hub-batch.js';

const partitionContext = {
  fullyQualifiedNamespace: 'Pay.servicebus.windows.net',
  eventHubName: 'payments',
  consumerGroup: 'paymetrics',
  partitionId: '7',
};

describe('eventHubBatch', () => {
  it('maps camelCased metadata (as @azure/functions v4 delivers it) to a batch and its source position', () => {
    const batch = eventHubBatch(['{"a":1}', Buffer.from('{"b":2}'), { c: 3 }], {
      partitionContext,
      sequenceNumberArray: [10, '11', 12n],
      enqueuedTimeUtcArray: ['2026-11-27T10:00:00.000Z', '2026-11-27T10:00:01.5', 'not a date'],
      offsetArray: ['0', '100', '200'],
    });
    expect(batch.source).toBe('eventhub:pay.servicebus.windows.net/payments/paymetrics');
    expect(batch.partitionId).toBe('7');
    expect(batch.events.map((e) => e.sequenceNumber)).toEqual([10, 11, 12]);
    expect(batch.events[0]?.body).toBe('{"a":1}');
    expect(batch.events[1]?.body).toBeInstanceOf(Uint8Array);
    expect(batch.events[2]?.body).toEqual({ c: 3 });
    expect(batch.events[1]?.enqueuedAt?.toISOString()).toBe('2026-11-27T10:00:01.500Z');
    expect(batch.events[2]?.enqueuedAt).toBeUndefined();
  });

  it("carries each event's producer trace context (traceparent or the SDK's Diagnostic-Id) to the pipeline", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const other = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const batch = eventHubBatch(['a', 'b', 'c', 'd'], {
      partitionContext,
      sequenceNumberArray: [1, 2, 3, 4],
      propertiesArray: [{ traceparent }, { 'diagnostic-Id': other }, { traceparent: 'not a trace' }, {}],
    });
    expect(batch.events.map((e) => e.traceparent)).toEqual([traceparent, other, undefined, undefined]);
  });

  it('accepts the PascalCase names the host itself sends, and protobuf Long sequence numbers', () => {
    const long = { low: 5, high: 0, toString: () => '4294967301' };
    const batch = eventHubBatch(
      ['x'],
      {
        PartitionContext: { EventHubName: 'payments', ConsumerGroup: '$Default', PartitionId: '0' },
        SequenceNumberArray: [long],
      },
      { fallbackNamespace: 'ns.servicebus.windows.net' },
    );
    expect(batch.source).toBe('eventhub:ns.servicebus.windows.net/payments/$Default');
    expect(batch.events[0]?.sequenceNumber).toBe(4_294_967_301);
  });

  it('keeps a JSON scalar the library parsed as its text, so it is parked as received', () => {
    const batch = eventHubBatch([42, null], { partitionContext, sequenceNumberArray: [1, 2] });
    expect(batch.events.map((e) => e.body)).toEqual(['42', 'null']);
  });

  it('refuses metadata it cannot turn into positions', () => {
    expect(() => eventHubBatch(['x'], { sequenceNumberArray: [1] })).toThrow(TriggerMetadataError);
    expect(() => eventHubBatch(['x', 'y'], { partitionContext, sequenceNumberArray: [1] })).toThrow(
      /one sequence number per event \(2\), got 1/,
    );
    expect(() => eventHubBatch(['x'], { partitionContext, sequenceNumberArray: [-1] })).toThrow(
      /not a sequence number/,
    );
    expect(() => eventHubBatch('x' as unknown as unknown[], { partitionContext })).toThrow(/cardinality/);
  });
});
