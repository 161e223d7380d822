import { type EventHubClientOptions, EventHubProducerClient, RetryMode } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import type { EventHubSettings } from './eventhubs-settings.js';
import type { EventProducer } from './eventhubs-sink.js';

/**
 * The SDK retries each operation itself (transient AMQP and network errors, throttling) with
 * exponential backoff. These retries are not idempotent: EventHubProducerClient 6 has no public
 * idempotent publishing (only EventHubBufferedProducerClient has `enableIdempotentRetries`, and
 * only without partition keys), so a send that timed out after the service stored it can be
 * stored twice. The pipeline counts a repeated eventId once, so metrics are unaffected.
 */
export const producerRetryOptions = {
  mode: RetryMode.Exponential,
  maxRetries: 5,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 30_000,
  timeoutInMs: 60_000,
} as const;

export function createEventHubProducer(settings: EventHubSettings): EventProducer {
  const options: EventHubClientOptions = {
    retryOptions: producerRetryOptions,
    userAgent: 'paymetrics-simulator',
  };
  const client =
    settings.kind === 'managed-identity'
      ? new EventHubProducerClient(
          settings.fullyQualifiedNamespace,
          settings.eventHubName,
          new DefaultAzureCredential(),
          options,
        )
      : /EntityPath=/i.test(settings.connectionString)
        ? new EventHubProducerClient(settings.connectionString, options)
        : new EventHubProducerClient(settings.connectionString, settings.eventHubName, options);
  // The SDK client is used through the sink's narrow interface; the assignment checks it still fits.
  const producer: EventProducer = client;
  return producer;
}
