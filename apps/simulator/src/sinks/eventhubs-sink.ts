import type { EventData, EventHubBufferedProducerClientOptions } from '@azure/event-hubs';
import { merchantPartitionKey } from '@paymetrics/scenarios';
import { type Clock, systemClock } from '../pacing.js';

/** What the sink hands the SDK's `EventHubBufferedProducerClient` at construction. */
export type BufferedProducerOptions = Required<
  Pick<
    EventHubBufferedProducerClientOptions,
    'maxWaitTimeInMs' | 'onSendEventsSuccessHandler' | 'onSendEventsErrorHandler'
  >
>;

/** The part of `EventHubBufferedProducerClient` (@azure/event-hubs 6) the sink uses; tests pass a fake of it. */
export interface BufferedEventProducer {
  enqueueEvent(event: EventData, options?: { partitionKey?: string }): Promise<number>;
  flush(): Promise<void>;
  close(options?: { flush?: boolean }): Promise<void>;
}

export interface EventHubsSinkOptions {
  /** Builds the client with the sink's handlers (`createEventHubProducer(settings)`). */
  readonly createProducer: (options: BufferedProducerOptions) => BufferedEventProducer;
  /** A partly filled batch is sent after this long without a new event (default 250 ms), so a live run streams. */
  readonly maxWaitTimeInMs?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly onBatchSent?: ((totals: SendTotals) => void) | undefined;
}

export interface SendTotals {
  /** Events acknowledged by the service. */
  sent: number;
  batches: number;
  /** Body bytes acknowledged. */
  bytes: number;
  /** Events sent with a merchant partition key, and without (lines with no valid merchant id). */
  keyed: number;
  unkeyed: number;
  elapsedMs: number;
}

export interface EventHubsSink {
  /**
   * Adds one line; it is sent as the event body, byte for byte. With a W3C `traceparent` (the
   * producer is tracing) it goes in the event's properties, where the consumer continues it.
   * Rejects once a send has failed for good.
   */
  write(line: string | Uint8Array, trace?: { readonly traceparent?: string | undefined }): Promise<void>;
  /** Sends what is buffered, waits for it, closes the client; rejects if any send failed. */
  finish(): Promise<SendTotals>;
  /** Closes the client without sending what is still buffered (a run that stopped early). */
  close(): Promise<void>;
}

export class EventHubsSendError extends Error {
  override readonly name = 'EventHubsSendError';
}

/** The SDK reports an event larger than an empty batch with this placeholder message. */
const TOO_LARGE = /max message size exceeded/i;

const bodyBytes = (event: unknown) => ((event as EventData).body as Uint8Array | undefined)?.byteLength ?? 0;

/**
 * Publishes lines to Event Hubs through the SDK's buffered producer: it batches per partition
 * (a merchant's partition key always maps to the same partition, so a merchant's events keep
 * their order), sends when a batch is full or `maxWaitTimeInMs` passed, and retries each send
 * by the client's retry options. A send it gave up on is final: the sink adds no retries of
 * its own and stops the run.
 */
export function createEventHubsSink(options: EventHubsSinkOptions): EventHubsSink {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const totals: SendTotals = { sent: 0, batches: 0, bytes: 0, keyed: 0, unkeyed: 0, elapsedMs: 0 };
  let failure: EventHubsSendError | undefined;
  let closed = false;

  const producer = options.createProducer({
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 250,
    onSendEventsSuccessHandler: ({ events }) => {
      totals.sent += events.length;
      totals.batches++;
      for (const event of events) totals.bytes += bodyBytes(event);
      totals.elapsedMs = clock.now() - started;
      options.onBatchSent?.(totals);
    },
    onSendEventsErrorHandler: ({ error, events, partitionId }) => {
      const reason = error.message.split('\n')[0];
      failure ??= TOO_LARGE.test(error.message)
        ? new EventHubsSendError(`an event of ${bodyBytes(events[0])} bytes does not fit in an empty batch`, {
            cause: error,
          })
        : new EventHubsSendError(
            `sending ${events.length} events to partition ${partitionId} failed after the client's retries: ${reason}`,
            { cause: error },
          );
    },
  });

  const close = async () => {
    if (closed) return;
    closed = true;
    await producer.close({ flush: false });
  };

  return {
    async write(line, trace) {
      if (failure !== undefined) throw failure;
      const key = merchantPartitionKey(line);
      // A Buffer body goes out as an AMQP data section as it is; a string body would be JSON-encoded (quoted).
      const body = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
      const event: EventData = trace?.traceparent
        ? { body, properties: { traceparent: trace.traceparent } }
        : { body };
      await producer.enqueueEvent(event, key === undefined ? {} : { partitionKey: key });
      if (key === undefined) totals.unkeyed++;
      else totals.keyed++;
    },
    async finish() {
      try {
        await producer.flush();
      } finally {
        await close();
      }
      if (failure !== undefined) throw failure;
      totals.elapsedMs = clock.now() - started;
      return totals;
    },
    close,
  };
}
