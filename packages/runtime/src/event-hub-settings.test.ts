import { describe, expect, it } from 'vitest';
import { describeEventHub, type Env, readSettings, requireEventHub } from './settings.js';

const readEventHubSettings = (env: Env) =>
  requireEventHub(readSettings(env, { cwd: '/tmp' }), '--sink eventhubs');

const connectionString =
  'Endpoint=sb://pay.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0';

describe('readEventHubSettings', () => {
  it('reads a connection string or a namespace for managed identity', () => {
    expect(
      readEventHubSettings({ EVENTHUB_CONNECTION_STRING: connectionString, EVENTHUB_NAME: 'payments' }),
    ).toMatchObject({
      kind: 'connection-string',
      eventHubName: 'payments',
    });
    const fromString = readEventHubSettings({
      EVENTHUB_CONNECTION_STRING: connectionString,
      EVENTHUB_NAME: 'p',
    });
    expect(fromString.kind === 'connection-string' && fromString.connectionString.reveal()).toBe(
      connectionString,
    );
    expect(
      readEventHubSettings({ EVENTHUB_CONNECTION_STRING: `${connectionString};EntityPath=payments` }),
    ).toMatchObject({
      eventHubName: 'payments',
    });
    const identity = readEventHubSettings({
      EVENTHUB_FULLY_QUALIFIED_NAMESPACE: 'sb://pay.servicebus.windows.net/',
      EVENTHUB_NAME: 'payments',
    });
    expect(identity).toEqual({
      kind: 'managed-identity',
      fullyQualifiedNamespace: 'pay.servicebus.windows.net',
      eventHubName: 'payments',
    });
    expect(describeEventHub(identity)).toBe(
      'event hub payments on pay.servicebus.windows.net (managed identity)',
    );
  });

  it.each([
    [{}, /needs EVENTHUB_CONNECTION_STRING, or EVENTHUB_FULLY_QUALIFIED_NAMESPACE/],
    [
      { EVENTHUB_CONNECTION_STRING: connectionString },
      /EVENTHUB_NAME is required with EVENTHUB_CONNECTION_STRING/,
    ],
    [
      { EVENTHUB_CONNECTION_STRING: 'SharedAccessKey=c2VjcmV0', EVENTHUB_NAME: 'p' },
      /EVENTHUB_CONNECTION_STRING is not/,
    ],
    [
      { EVENTHUB_CONNECTION_STRING: `${connectionString};EntityPath=a`, EVENTHUB_NAME: 'b' },
      /EVENTHUB_NAME \(b\) differs/,
    ],
    [
      { EVENTHUB_FULLY_QUALIFIED_NAMESPACE: 'pay.servicebus.windows.net' },
      /EVENTHUB_NAME is required with EVENTHUB_FULLY/,
    ],
    [
      { EVENTHUB_FULLY_QUALIFIED_NAMESPACE: 'not a host', EVENTHUB_NAME: 'p' },
      /EVENTHUB_FULLY_QUALIFIED_NAMESPACE must be a host/,
    ],
  ])('refuses %o with one line naming the setting', (env, message) => {
    expect(() => readEventHubSettings(env)).toThrow(message);
    try {
      readEventHubSettings(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('c2VjcmV0');
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
