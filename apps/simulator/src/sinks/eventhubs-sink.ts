import { merchantPartitionKey } from '@paymetrics/scenarios';
import { type Clock, systemClock } from '../pacing.js';

/** The part of the SDK's `EventDataBatch` the sink uses. */
export interface EventBatch {
  readonly count: number;
  readonly sizeInBytes: number;
  tryAdd(event: { body: Uint8Array }): boolean;
}

/** The part of `EventHubProducerClient` (@azure/event-hubs 6) the sink uses; tests pass a fake of it. */
export interface EventProducer {
  createBatch(options?: { partitionKey?: string }): Promise<EventBatch>;
  sendBatch(batch: EventBatch): Promise<void>;
  close(): Promise<void>;
}

export interface EventHubsSinkOptions {
  readonly producer: EventProducer;
  /** sendBatch calls in flight at once (default 4). */
  readonly maxInFlight?: number | undefined;
  /** Events held in open batches before they are all sent (default 2,000): bounds memory and latency. */
  readonly maxBufferedEvents?: number | undefined;
  /** Open batches are sent at least this often (default 250 ms), so a live run streams. */
  readonly lingerMs?: number | undefined;
  /** Attempts per batch on top of the SDK's own retries (default 3); an error marked `retryable: false` is not retried. */
  readonly sendAttempts?: number | undefined;
  /** First wait between attempts, doubling each time (default 1,000 ms). */
  readonly retryDelayInMs?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly onBatchSent?: ((totals: SendTotals) => void) | undefined;
}

export interface SendTotals {
  /** Events acknowledged by the service. */
  sent: number;
  batches: number;
  bytes: number;
  /** Events sent with a merchant partition key, and without (lines with no valid merchant id). */
  keyed: number;
  unkeyed: number;
  retries: number;
  elapsedMs: number;
}

export interface EventHubsSink {
  /** Adds one line; it is sent as the event body, byte for byte. Rejects once a send has failed for good. */
  write(line: string | Uint8Array): Promise<void>;
  /** Sends what is open and waits for every send; the producer stays open (its owner closes it). */
  finish(): Promise<SendTotals>;
}

export class EventHubsSendError extends Error {
  override readonly name = 'EventHubsSendError';
}

function retryable(error: unknown): boolean {
  // MessagingError says whether a retry can help (a missing hub or a bad key cannot).
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

/**
 * Publishes lines to Event Hubs in size-bounded batches per partition key (the merchant id),
 * with a small number of sendBatch calls in flight.
 */
export function createEventHubsSink(options: EventHubsSinkOptions): EventHubsSink {
  const { producer } = options;
  const clock = options.clock ?? systemClock;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxBuffered = options.maxBufferedEvents ?? 2_000;
  const lingerMs = options.lingerMs ?? 250;
  const sendAttempts = options.sendAttempts ?? 3;
  const retryDelayInMs = options.retryDelayInMs ?? 1_000;
  const started = clock.now();
  const totals: SendTotals = {
    sent: 0,
    batches: 0,
    bytes: 0,
    keyed: 0,
    unkeyed: 0,
    retries: 0,
    elapsedMs: 0,
  };
  const open = new Map<string | undefined, EventBatch>();
  const inFlight = new Set<Promise<void>>();
  let buffered = 0;
  let lastDispatch = started;
  let failure: unknown;

  const createBatch = (key: string | undefined) =>
    producer.createBatch(key === undefined ? {} : { partitionKey: key });

  const sendWithRetry = async (batch: EventBatch): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.sendBatch(batch);
        return;
      } catch (error) {
        if (attempt >= sendAttempts || !retryable(error)) {
          const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
          throw new EventHubsSendError(
            `sending a batch of ${batch.count} events failed (attempt ${attempt}): ${reason}`,
            {
              cause: error,
            },
          );
        }
        totals.retries++;
        await clock.sleep(retryDelayInMs * 2 ** (attempt - 1));
      }
    }
  };

  const dispatch = async (batch: EventBatch) => {
    buffered -= batch.count;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const sending: Promise<void> = sendWithRetry(batch).then(
      () => {
        totals.sent += batch.count;
        totals.batches++;
        totals.bytes += batch.sizeInBytes;
        totals.elapsedMs = clock.now() - started;
        options.onBatchSent?.(totals);
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const dispatchOpen = async () => {
    lastDispatch = clock.now();
    const batches = [...open.values()];
    open.clear();
    for (const batch of batches) await dispatch(batch);
  };

  const tooLarge = (key: string | undefined, size: number) =>
    new EventHubsSendError(
      `an event of ${size} bytes${key ? ` for merchant ${key}` : ''} does not fit in an empty batch`,
    );

  return {
    async write(line) {
      if (failure !== undefined) throw failure;
      const key = merchantPartitionKey(line);
      // A Buffer body goes out as an AMQP data section as it is; a string body would be JSON-encoded (quoted).
      const body = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
      let batch = open.get(key);
      if (batch === undefined) {
        batch = await createBatch(key);
        open.set(key, batch);
      }
      if (!batch.tryAdd({ body })) {
        if (batch.count === 0) throw tooLarge(key, body.byteLength);
        open.delete(key);
        await dispatch(batch);
        batch = await createBatch(key);
        open.set(key, batch);
        if (!batch.tryAdd({ body })) throw tooLarge(key, body.byteLength);
      }
      buffered++;
      if (key === undefined) totals.unkeyed++;
      else totals.keyed++;
      if (buffered >= maxBuffered || clock.now() - lastDispatch >= lingerMs) await dispatchOpen();
    },
    async finish() {
      if (failure === undefined) await dispatchOpen();
      while (inFlight.size > 0) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      totals.elapsedMs = clock.now() - started;
      return totals;
    },
  };
}
