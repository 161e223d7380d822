import { Secret } from '@paymetrics/runtime';
import { describe, expect, it } from 'vitest';
import { createEventHubProducer, producerRetryOptions } from './eventhubs-producer.js';
import type { BufferedProducerOptions } from './eventhubs-sink.js';

const sinkOptions: BufferedProducerOptions = {
  maxWaitTimeInMs: 250,
  onSendEventsSuccessHandler: () => {},
  onSendEventsErrorHandler: () => {},
};

describe('createEventHubProducer', () => {
  it("builds the SDK's buffered producer for a connection string without connecting (a connection opens on first use)", async () => {
    const producer = createEventHubProducer({
      kind: 'connection-string',
      connectionString: new Secret(
        'Endpoint=sb://pay.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0',
      ),
      eventHubName: 'payments',
    })(sinkOptions);
    expect(producer.constructor.name).toBe('EventHubBufferedProducerClient');
    const client = producer as unknown as {
      eventHubName: string;
      _clientOptions: { maxWaitTimeInMs: number; retryOptions: unknown };
    };
    expect(client.eventHubName).toBe('payments');
    // The sink's timing and handlers reach the client, with the one retry policy of a send.
    expect(client._clientOptions).toMatchObject({ maxWaitTimeInMs: 250, retryOptions: producerRetryOptions });
    await producer.close();
  });

  it('uses DefaultAzureCredential for a namespace', async () => {
    const producer = createEventHubProducer({
      kind: 'managed-identity',
      fullyQualifiedNamespace: 'pay.servicebus.windows.net',
      eventHubName: 'payments',
    })(sinkOptions);
    expect((producer as unknown as { fullyQualifiedNamespace: string }).fullyQualifiedNamespace).toBe(
      'pay.servicebus.windows.net',
    );
    await producer.close();
  });
});
