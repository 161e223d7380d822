import { type Span, SpanKind, trace } from '@opentelemetry/api';
import { SpanName, TELEMETRY_SCOPE } from './instruments.js';

export interface PublishTrace {
  /** The W3C traceparent the next event carries; undefined when nothing is traced. */
  next(): string | undefined;
  end(): void;
}

/**
 * Producer spans for a publishing run (`pnpm simulate --sink eventhubs`): one `paymetrics.publish`
 * span per `eventsPerSpan` events, whose context every one of those events carries, so the
 * consumer's batch spans continue the producer's trace. A span per event would cost more than
 * the send; a span per run would make one trace of a whole day.
 */
export function createPublishTrace(eventsPerSpan = 1_000): PublishTrace {
  const tracer = trace.getTracer(TELEMETRY_SCOPE);
  let span: Span | undefined;
  let traceparent: string | undefined;
  let events = 0;
  return {
    next() {
      if (!span || events >= eventsPerSpan) {
        span?.end();
        span = tracer.startSpan(SpanName.publish, { kind: SpanKind.PRODUCER });
        const { traceId, spanId, traceFlags } = span.spanContext();
        traceparent = span.isRecording()
          ? `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`
          : undefined;
        events = 0;
      }
      events++;
      span.setAttribute('paymetrics.events.sent', events);
      return traceparent;
    },
    end() {
      span?.end();
      span = undefined;
    },
  };
}
