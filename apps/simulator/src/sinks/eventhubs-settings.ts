import { SettingError } from '../settings.js';

export type EventHubSettings =
  | { readonly kind: 'connection-string'; readonly connectionString: string; readonly eventHubName: string }
  | {
      readonly kind: 'managed-identity';
      readonly fullyQualifiedNamespace: string;
      readonly eventHubName: string;
    };

/** Reads the event hub settings; a missing or malformed one stops with one line naming it (never its value). */
export function readEventHubSettings(env: NodeJS.ProcessEnv = process.env): EventHubSettings {
  const connectionString = env.EVENTHUB_CONNECTION_STRING?.trim() || undefined;
  const namespace = env.EVENTHUB_FULLY_QUALIFIED_NAMESPACE?.trim() || undefined;
  const eventHubName = env.EVENTHUB_NAME?.trim() || undefined;
  if (connectionString === undefined && namespace === undefined) {
    throw new SettingError(
      '--sink eventhubs needs EVENTHUB_CONNECTION_STRING, or EVENTHUB_FULLY_QUALIFIED_NAMESPACE for managed identity (with EVENTHUB_NAME)',
    );
  }
  if (connectionString !== undefined) {
    if (!/(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(connectionString)) {
      throw new SettingError(
        'EVENTHUB_CONNECTION_STRING is not an Event Hubs connection string (expected Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...)',
      );
    }
    const entityPath = /(?:^|;)\s*EntityPath=([^;]+)/i.exec(connectionString)?.[1]?.trim();
    if (entityPath !== undefined && eventHubName !== undefined && entityPath !== eventHubName) {
      throw new SettingError(
        `EVENTHUB_NAME (${eventHubName}) differs from the EntityPath in EVENTHUB_CONNECTION_STRING (${entityPath})`,
      );
    }
    const name = eventHubName ?? entityPath;
    if (name === undefined) {
      throw new SettingError(
        'EVENTHUB_NAME is required with EVENTHUB_CONNECTION_STRING (or put EntityPath= in the connection string)',
      );
    }
    return { kind: 'connection-string', connectionString, eventHubName: name };
  }
  const host = namespace!.replace(/^sb:\/\//i, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$/.test(host)) {
    throw new SettingError(
      `EVENTHUB_FULLY_QUALIFIED_NAMESPACE must be a host name such as <namespace>.servicebus.windows.net, not "${host}"`,
    );
  }
  if (eventHubName === undefined) {
    throw new SettingError('EVENTHUB_NAME is required with EVENTHUB_FULLY_QUALIFIED_NAMESPACE');
  }
  return { kind: 'managed-identity', fullyQualifiedNamespace: host, eventHubName };
}

/** Where the events go, fit for logs: no key. */
export function describeEventHub(settings: EventHubSettings): string {
  const host =
    settings.kind === 'managed-identity'
      ? settings.fullyQualifiedNamespace
      : (/Endpoint=sb:\/\/([^/;]+)/i.exec(settings.connectionString)?.[1] ?? '(namespace)');
  return `event hub ${settings.eventHubName} on ${host} (${settings.kind === 'managed-identity' ? 'managed identity' : 'connection string'})`;
}
