/**
 * Every app setting the Function reads, read here and nowhere else. A bad or missing required
 * setting throws a SettingError at first use whose message is one line naming the setting;
 * messages never contain a secret (connection strings are described, never echoed).
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/** A secret that prints as `[redacted]` in logs, JSON and inspection, so it cannot leak by accident. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

export type ArchiveSettings =
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly rootDir: string }
  | { readonly kind: 'blob'; readonly connectionString: Secret; readonly containerName: string | undefined }
  | { readonly kind: 'blob'; readonly accountUrl: string; readonly containerName: string | undefined };

export interface RetrySettings {
  /** Attempts after which a failed item is discarded. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; each further attempt doubles it. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Items one timer run claims at most. */
  readonly batchSize: number;
}

export interface FunctionSettings {
  readonly databaseUrl: Secret;
  /** Connections per Function instance; each partition's batch uses one at a time. */
  readonly poolMax: number;
  readonly archive: ArchiveSettings;
  /** Namespace used in source names when the trigger metadata lacks one. */
  readonly eventHubNamespace: string | undefined;
  readonly retry: RetrySettings;
}

/** App setting names, also used by the trigger's `%...%` binding expressions. */
export const SettingName = {
  databaseUrl: 'DATABASE_URL',
  poolMax: 'PAYMETRICS_PG_POOL_MAX',
  dataDir: 'PAYMETRICS_DATA_DIR',
  storageConnectionString: 'AZURE_STORAGE_CONNECTION_STRING',
  storageAccountUrl: 'AZURE_STORAGE_ACCOUNT_URL',
  archiveContainer: 'PAYMETRICS_ARCHIVE_CONTAINER',
  eventHubConnection: 'EVENTHUB_CONNECTION',
  eventHubName: 'EVENTHUB_NAME',
  eventHubConsumerGroup: 'EVENTHUB_CONSUMER_GROUP',
  eventHubNamespace: 'EVENTHUB_FULLY_QUALIFIED_NAMESPACE',
  eventHubConnectionString: 'EVENTHUB_CONNECTION_STRING',
  retryMaxAttempts: 'PAYMETRICS_RETRY_MAX_ATTEMPTS',
  retryBaseDelayMs: 'PAYMETRICS_RETRY_BASE_DELAY_MS',
  retryMaxDelayMs: 'PAYMETRICS_RETRY_MAX_DELAY_MS',
  retryBatchSize: 'PAYMETRICS_RETRY_BATCH_SIZE',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

export function readFunctionSettings(env: Env = process.env): FunctionSettings {
  return {
    databaseUrl: readDatabaseUrl(env),
    poolMax: readInteger(env, SettingName.poolMax, { defaultValue: 8, min: 1, max: 100 }),
    archive: readArchive(env),
    eventHubNamespace: readNamespace(env),
    retry: {
      maxAttempts: readInteger(env, SettingName.retryMaxAttempts, { defaultValue: 8, min: 1, max: 100 }),
      baseDelayMs: readInteger(env, SettingName.retryBaseDelayMs, {
        defaultValue: 60_000,
        min: 1,
        max: 86_400_000,
      }),
      maxDelayMs: readInteger(env, SettingName.retryMaxDelayMs, {
        defaultValue: 6 * 3_600_000,
        min: 1,
        max: 7 * 86_400_000,
      }),
      batchSize: readInteger(env, SettingName.retryBatchSize, { defaultValue: 100, min: 1, max: 10_000 }),
    },
  };
}

const value = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

function readDatabaseUrl(env: Env): Secret {
  const url = value(env, SettingName.databaseUrl);
  if (url === undefined) {
    throw new SettingError(
      `${SettingName.databaseUrl} is required: set it to postgres://user:password@host:port/database`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SettingError(
      `${SettingName.databaseUrl} is not a valid URL (expected postgres://user:password@host:port/database)`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new SettingError(`${SettingName.databaseUrl} must start with postgres:// or postgresql://`);
  }
  return new Secret(url);
}

function readInteger(
  env: Env,
  name: string,
  rule: { defaultValue: number; min: number; max: number },
): number {
  const raw = value(env, name);
  if (raw === undefined) return rule.defaultValue;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(parsed) || parsed < rule.min || parsed > rule.max) {
    throw new SettingError(`${name} must be an integer from ${rule.min} to ${rule.max}, got "${raw}"`);
  }
  return parsed;
}

function readArchive(env: Env): ArchiveSettings {
  // Unset: the store's default container (DEFAULT_ARCHIVE_CONTAINER_NAME).
  const containerName = value(env, SettingName.archiveContainer);
  if (containerName !== undefined && !/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(containerName)) {
    throw new SettingError(
      `${SettingName.archiveContainer} is not a valid blob container name: "${containerName}"`,
    );
  }
  const connectionString = value(env, SettingName.storageConnectionString);
  if (connectionString !== undefined) {
    if (!/(^|;)\s*(AccountName|BlobEndpoint|UseDevelopmentStorage)\s*=/i.test(connectionString)) {
      throw new SettingError(
        `${SettingName.storageConnectionString} does not look like a storage connection string`,
      );
    }
    return { kind: 'blob', connectionString: new Secret(connectionString), containerName };
  }
  const accountUrl = value(env, SettingName.storageAccountUrl);
  if (accountUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(accountUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new SettingError(`${SettingName.storageAccountUrl} must be an https:// account URL`);
    }
    if (parsed.search !== '') {
      // A SAS token belongs in a connection string, not in a URL that gets logged.
      throw new SettingError(
        `${SettingName.storageAccountUrl} must not carry a query string (SAS); use managed identity`,
      );
    }
    return { kind: 'blob', accountUrl: parsed.origin, containerName };
  }
  // Under run-from-package the app folder is read-only, so there is no implicit ./.data here.
  const dataDir = value(env, SettingName.dataDir);
  return dataDir === undefined
    ? { kind: 'none' }
    : { kind: 'file', rootDir: `${dataDir.replace(/\/+$/, '')}/archive` };
}

function readNamespace(env: Env): string | undefined {
  const explicit = value(env, SettingName.eventHubNamespace);
  if (explicit !== undefined) return explicit;
  // `Endpoint=sb://<namespace>/;SharedAccessKeyName=...`: only the host is read, never the key.
  for (const name of [SettingName.eventHubConnectionString, `${SettingName.eventHubConnection}`]) {
    const endpoint = /(?:^|;)\s*Endpoint\s*=\s*sb:\/\/([^/;]+)/i.exec(value(env, name) ?? '');
    if (endpoint?.[1]) return endpoint[1];
  }
  return value(env, `${SettingName.eventHubConnection}__fullyQualifiedNamespace`);
}
