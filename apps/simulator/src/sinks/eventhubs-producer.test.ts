import { describe, expect, it } from 'vitest';
import { createEventHubProducer } from './eventhubs-producer.js';

describe('createEventHubProducer', () => {
  it('builds the SDK client for a connection string without connecting (a connection opens on first use)', async () => {
    const producer = createEventHubProducer({
      kind: 'connection-string',
      connectionString:
        'Endpoint=sb://pay.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0',
      eventHubName: 'payments',
    });
    expect(producer.constructor.name).toBe('EventHubProducerClient');
    expect((producer as unknown as { eventHubName: string }).eventHubName).toBe('payments');
    await producer.close();
  });

  it('uses DefaultAzureCredential for a namespace', async () => {
    const producer = createEventHubProducer({
      kind: 'managed-identity',
      fullyQualifiedNamespace: 'pay.servicebus.windows.net',
      eventHubName: 'payments',
    });
    expect((producer as unknown as { fullyQualifiedNamespace: string }).fullyQualifiedNamespace).toBe(
      'pay.servicebus.windows.net',
    );
    await producer.close();
  });
});
