import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { core, node, metrics as sdkMetrics, tracing } from '@opentelemetry/sdk-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchTrace } from './batch-trace.js';
import { InstrumentName, instruments, SpanName } from './instruments.js';

const spans = new tracing.InMemorySpanExporter();
const tracerProvider = new node.NodeTracerProvider({
  spanProcessors: [new tracing.SimpleSpanProcessor(spans)],
});
class CollectingReader extends sdkMetrics.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new CollectingReader();
const meterProvider = new sdkMetrics.MeterProvider({ readers: [reader] });

beforeAll(() => {
  tracerProvider.register({ propagator: new core.W3CTraceContextPropagator() });
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
afterEach(() => spans.reset());

/** Every data point of one instrument as `{ attributes, value }` (sums, or histogram sum and count). */
async function points(name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return {
    unit: metric?.descriptor.unit,
    points: (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value })),
  };
}

const producer = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const another = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('BatchTrace', () => {
  it("continues the first producer's trace, links the others, and nests the stage spans", async () => {
    const batch = {
      source: 'eventhub:ns/hub/group',
      partitionId: '3',
      events: [
        { sequenceNumber: 10, traceparent: producer },
        { sequenceNumber: 11, traceparent: another },
        { sequenceNumber: 12, traceparent: producer },
      ],
    };
    const traced = new BatchTrace(batch);
    traced.stageSync('decode', () => undefined);
    await traced.stage('commit', async () => undefined);
    traced.committed({
      received: 3,
      counted: 2,
      deadLettered: 1,
      duplicates: 0,
      replaySkipped: 0,
      deadLetteredByCode: { invalid_json: 1 },
      committedSequence: 12,
      timings: { commitMs: 4 },
    });
    const finished = spans.getFinishedSpans();
    const root = finished.find((s) => s.name === SpanName.batch);
    expect(root?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(root?.links.map((l) => l.context.traceId)).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736']);
    expect(root?.attributes).toMatchObject({
      'paymetrics.partition': '3',
      'paymetrics.source_kind': 'eventhub',
      'paymetrics.sequence.first': 10,
      'paymetrics.sequence.last': 12,
      'paymetrics.events.received': 3,
      'paymetrics.events.counted': 2,
      'paymetrics.events.dead_lettered': 1,
      'paymetrics.outcome': 'committed',
    });
    for (const stage of [SpanName.decode, SpanName.commit]) {
      expect(finished.find((s) => s.name === stage)?.parentSpanContext?.spanId).toBe(
        root?.spanContext().spanId,
      );
    }
  });

  it('records received and failures with the contract attributes when a batch fails', async () => {
    const before = await points(InstrumentName.batchFailures);
    const traced = new BatchTrace({
      source: 'file:sha256:ab',
      partitionId: '0',
      events: [{ sequenceNumber: 1 }],
    });
    await traced.stage('archive', async () => undefined);
    traced.failed({
      kind: 'retryable',
      store: traced.failingStore,
      reason: 'connection',
      error: new Error('down'),
    });

    const failures = await points(InstrumentName.batchFailures);
    expect(failures.unit).toBe(instruments[InstrumentName.batchFailures].unit);
    expect(failures.points.find((p) => p.attributes.kind === 'retryable')?.value).toBe(
      Number(before.points.find((p) => p.attributes.kind === 'retryable')?.value ?? 0) + 1,
    );
    const storage = await points(InstrumentName.storageFailures);
    expect(storage.points).toContainEqual({
      attributes: { store: 'archive', reason: 'connection' },
      value: 1,
    });
    const received = await points(InstrumentName.eventsReceived);
    expect(received.points).toContainEqual({ attributes: { source_kind: 'file', partition: '0' }, value: 1 });
    expect(spans.getFinishedSpans().find((s) => s.name === SpanName.batch)?.status.code).toBe(2);
  });
});
