import {
  EventHubBufferedProducerClient,
  type EventHubBufferedProducerClientOptions,
  RetryMode,
} from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import type { EventHubSettings } from '@paymetrics/runtime';
import type { BufferedEventProducer, BufferedProducerOptions } from './eventhubs-sink.js';

/**
 * The only retries of a send: the client retries each operation (transient AMQP and network
 * errors, throttling) with exponential backoff, at most 1 + 5 attempts, and then reports the
 * batch to the sink's error handler, which stops the run. These retries are not idempotent (the
 * buffered client's `enableIdempotentRetries` works only without partition keys, and the sink
 * keys events by merchant), so a send that timed out after the service stored it can be stored
 * twice: the pipeline counts a repeated eventId once, so metrics are unaffected.
 */
export const producerRetryOptions = {
  mode: RetryMode.Exponential,
  maxRetries: 5,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 30_000,
  timeoutInMs: 60_000,
} as const;

/**
 * A factory of the SDK's `EventHubBufferedProducerClient` for the sink, which supplies the
 * handlers. Nothing connects until the first event is enqueued.
 */
export function createEventHubProducer(
  settings: EventHubSettings,
): (options: BufferedProducerOptions) => BufferedEventProducer {
  return (sinkOptions) => {
    const options: EventHubBufferedProducerClientOptions = {
      ...sinkOptions,
      retryOptions: producerRetryOptions,
      userAgent: 'paymetrics-simulator',
    };
    if (settings.kind === 'managed-identity') {
      return new EventHubBufferedProducerClient(
        settings.fullyQualifiedNamespace,
        settings.eventHubName,
        new DefaultAzureCredential(),
        options,
      );
    }
    const connectionString = settings.connectionString.reveal();
    return /EntityPath=/i.test(connectionString)
      ? new EventHubBufferedProducerClient(connectionString, options)
      : new EventHubBufferedProducerClient(connectionString, settings.eventHubName, options);
  };
}
