import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { describeDatabaseUrl } from './database-url.js';
import { Secret } from './secret.js';
import { SettingError } from './setting-error.js';

/** The environment as an app passes it in (`process.env`, or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where raw events are archived. */
export type ArchiveSettings =
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly rootDir: string }
  | { readonly kind: 'blob'; readonly connectionString: Secret; readonly containerName: string | undefined }
  | { readonly kind: 'blob'; readonly accountUrl: string; readonly containerName: string | undefined };

export type EventHubSettings =
  | { readonly kind: 'connection-string'; readonly connectionString: Secret; readonly eventHubName: string }
  | {
      readonly kind: 'managed-identity';
      readonly fullyQualifiedNamespace: string;
      readonly eventHubName: string;
    };

/** Where telemetry goes; `@paymetrics/telemetry-export` sets the exporter up from this. */
export type TelemetrySettings =
  | { readonly kind: 'none' }
  | { readonly kind: 'azure-monitor'; readonly connectionString: Secret }
  | { readonly kind: 'otlp'; readonly endpoint: string };

/** Every pg pool's limits. Timeouts of 0 leave the server's own setting (usually none). */
export interface PoolSettings {
  readonly max: number;
  /** `statement_timeout`: one statement (an upsert, a claim) runs at most this long. */
  readonly statementTimeoutInMs: number;
  /** `lock_timeout`: waiting for a row or table lock fails after this, instead of holding an invocation. */
  readonly lockTimeoutInMs: number;
  /** `idle_in_transaction_session_timeout`: a transaction left open by a stuck client is ended. */
  readonly idleInTransactionSessionTimeoutInMs: number;
  readonly connectionTimeoutInMs: number;
}

/** What a pool gets when the settings say nothing. */
export const defaultPoolSettings: PoolSettings = {
  max: 8,
  statementTimeoutInMs: 60_000,
  lockTimeoutInMs: 10_000,
  idleInTransactionSessionTimeoutInMs: 60_000,
  connectionTimeoutInMs: 10_000,
};

/** How the pool authenticates to PostgreSQL. */
export type DatabaseAuth = 'password' | 'entra';

export interface RetrySettings {
  /** Attempts after which a failed item is discarded. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; each further attempt doubles it. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Items one retry run claims at most. */
  readonly batchSize: number;
}

export interface Settings {
  /** Absent: the embedded PGlite in `<dataDir>/pglite`. */
  readonly databaseUrl: Secret | undefined;
  /** `entra`: the pool's password is an Entra ID token (PAYMETRICS_DATABASE_AUTH); `password`: the URL's. */
  readonly databaseAuth: DatabaseAuth;
  /** Absolute. Undefined only without the embedded default (the Function) when it is not set. */
  readonly dataDir: string | undefined;
  /** Where relative paths given by the user resolve: INIT_CWD (pnpm's starting folder) or the cwd. */
  readonly baseDir: string;
  readonly pool: PoolSettings;
  readonly archive: ArchiveSettings;
  /** Undefined when neither EVENTHUB_CONNECTION_STRING nor EVENTHUB_FULLY_QUALIFIED_NAMESPACE is set. */
  readonly eventHub: EventHubSettings | undefined;
  /** The namespace named in source names when the trigger metadata lacks one (never a key). */
  readonly eventHubNamespace: string | undefined;
  readonly telemetry: TelemetrySettings;
  readonly retry: RetrySettings;
}

export interface ReadSettingsOptions {
  /** The process's working directory; INIT_CWD wins when pnpm set it. */
  readonly cwd: string;
  /**
   * true (default): no DATABASE_URL means the embedded PGlite, and the data folder defaults to
   * `./.data`. false (the Function, whose app folder is read-only): DATABASE_URL is required and
   * there is a data folder (a file archive) only when PAYMETRICS_DATA_DIR is set.
   */
  readonly embeddedDefault?: boolean;
}

/** Every variable read here, so a message, a binding expression or a doc can name it. */
export const SettingName = {
  databaseUrl: 'DATABASE_URL',
  databaseAuth: 'PAYMETRICS_DATABASE_AUTH',
  dataDir: 'PAYMETRICS_DATA_DIR',
  poolMax: 'PAYMETRICS_PG_POOL_MAX',
  statementTimeout: 'PAYMETRICS_PG_STATEMENT_TIMEOUT_MS',
  lockTimeout: 'PAYMETRICS_PG_LOCK_TIMEOUT_MS',
  idleInTransactionTimeout: 'PAYMETRICS_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  storageConnectionString: 'AZURE_STORAGE_CONNECTION_STRING',
  storageAccountUrl: 'AZURE_STORAGE_ACCOUNT_URL',
  archiveContainer: 'PAYMETRICS_ARCHIVE_CONTAINER',
  eventHubConnectionString: 'EVENTHUB_CONNECTION_STRING',
  eventHubNamespace: 'EVENTHUB_FULLY_QUALIFIED_NAMESPACE',
  eventHubName: 'EVENTHUB_NAME',
  eventHubConsumerGroup: 'EVENTHUB_CONSUMER_GROUP',
  /** The Function's trigger connection setting (a connection string, or `__fullyQualifiedNamespace`). */
  eventHubConnection: 'EVENTHUB_CONNECTION',
  appInsightsConnectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  retryMaxAttempts: 'PAYMETRICS_RETRY_MAX_ATTEMPTS',
  retryBaseDelayMs: 'PAYMETRICS_RETRY_BASE_DELAY_MS',
  retryMaxDelayMs: 'PAYMETRICS_RETRY_MAX_DELAY_MS',
  retryBatchSize: 'PAYMETRICS_RETRY_BATCH_SIZE',
} as const;

const N = SettingName;
const DAY_MS = 86_400_000;

/** Unset and blank are the same: a variable set to '' in a shell or an app setting means "not set". */
const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const text = optional(z.string());

/** Messages of the schemas below start after the variable's name: `<NAME> <message>`. */
const integer = (min: number, max: number, defaultValue: number) =>
  optional(
    z
      .string()
      .refine((raw) => /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max, {
        error: (issue) => `must be an integer from ${min} to ${max}, got "${String(issue.input)}"`,
      })
      .transform(Number),
  ).transform((value) => value ?? defaultValue);

const databaseUrl = optional(
  z
    .string()
    .check((ctx) => {
      try {
        describeDatabaseUrl(ctx.value);
      } catch (error) {
        ctx.issues.push({
          code: 'custom',
          input: '',
          message: (error as Error).message.replace(/^DATABASE_URL /, ''),
        });
      }
    })
    .transform((url) => new Secret(url)),
);

const storageConnectionString = optional(
  z
    .string()
    .refine((value) => /(^|;)\s*(AccountName|BlobEndpoint|UseDevelopmentStorage)\s*=/i.test(value), {
      error: 'does not look like a storage connection string',
    })
    .transform((value) => new Secret(value)),
);

const httpUrl = (what: string) =>
  z.string().check((ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(ctx.value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      ctx.issues.push({ code: 'custom', input: '', message: `must be an ${what}` });
    }
  });

const storageAccountUrl = optional(
  httpUrl('https:// account URL (https://<account>.blob.core.windows.net)')
    // A SAS token belongs in a connection string, not in a URL that gets logged.
    .refine((value) => new URL(value).search === '', {
      error: 'must not carry a query string (SAS); use managed identity',
    })
    .transform((value) => new URL(value).origin),
);

const containerName = optional(
  z.string().regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, {
    error: (issue) => `is not a valid blob container name: "${String(issue.input)}"`,
  }),
);

const eventHubConnectionString = optional(
  z
    .string()
    .refine((value) => /(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(value), {
      error:
        'is not an Event Hubs connection string (expected Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...)',
    })
    .transform((value) => new Secret(value)),
);

const eventHubNamespace = optional(
  z
    .string()
    .transform((value) => value.replace(/^sb:\/\//i, '').replace(/\/+$/, ''))
    .refine((host) => /^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$/.test(host), {
      error: (issue) =>
        `must be a host name such as <namespace>.servicebus.windows.net, not "${String(issue.input)}"`,
    }),
);

const appInsightsConnectionString = optional(
  z
    .string()
    .refine((value) => /(^|;)\s*(InstrumentationKey|IngestionEndpoint)\s*=/i.test(value), {
      error: 'does not look like an Application Insights connection string (InstrumentationKey=...)',
    })
    .transform((value) => new Secret(value)),
);

/** Where telemetry goes: read on its own too, because an app starts exporting before anything else. */
const telemetryEnvSchema = z.object({
  [N.appInsightsConnectionString]: appInsightsConnectionString,
  [N.otlpEndpoint]: optional(httpUrl('http:// or https:// URL')),
});

const envSchema = z.object({
  ...telemetryEnvSchema.shape,
  [N.databaseUrl]: databaseUrl,
  [N.databaseAuth]: optional(
    z.enum(['password', 'entra'], {
      error: (issue) => `must be password or entra, got "${String(issue.input)}"`,
    }),
  ).transform((value) => value ?? 'password'),
  [N.dataDir]: text,
  [N.poolMax]: integer(1, 100, defaultPoolSettings.max),
  [N.statementTimeout]: integer(0, DAY_MS, defaultPoolSettings.statementTimeoutInMs),
  [N.lockTimeout]: integer(0, DAY_MS, defaultPoolSettings.lockTimeoutInMs),
  [N.idleInTransactionTimeout]: integer(0, DAY_MS, defaultPoolSettings.idleInTransactionSessionTimeoutInMs),
  [N.storageConnectionString]: storageConnectionString,
  [N.storageAccountUrl]: storageAccountUrl,
  [N.archiveContainer]: containerName,
  [N.eventHubConnectionString]: eventHubConnectionString,
  [N.eventHubNamespace]: eventHubNamespace,
  [N.eventHubName]: text,
  [N.eventHubConnection]: text,
  EVENTHUB_CONNECTION__fullyQualifiedNamespace: text,
  [N.retryMaxAttempts]: integer(1, 100, 8),
  [N.retryBaseDelayMs]: integer(1, DAY_MS, 60_000),
  [N.retryMaxDelayMs]: integer(1, 7 * DAY_MS, 6 * 3_600_000),
  [N.retryBatchSize]: integer(1, 10_000, 100),
  INIT_CWD: text,
});

type ParsedEnv = z.output<typeof envSchema>;

/** The schema's output, or a SettingError whose message is one line naming the first bad variable. */
function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new SettingError(name, `${name} ${issue.message}`);
  }
  return result.data;
}

/**
 * Reads every setting the apps use from `env`, the one place that does. A bad setting throws a
 * SettingError whose message is one line naming the variable and never its secret value.
 */
export function readSettings(env: Env, options: ReadSettingsOptions): Settings {
  const parsed = parseEnv(envSchema, env);
  const embeddedDefault = options.embeddedDefault ?? true;
  const baseDir = parsed.INIT_CWD ?? options.cwd;
  const databaseUrl = parsed[N.databaseUrl];
  if (databaseUrl === undefined && !embeddedDefault) {
    throw new SettingError(
      N.databaseUrl,
      `${N.databaseUrl} is required: set it to postgres://user:password@host:port/database`,
    );
  }
  const databaseAuth = parsed[N.databaseAuth];
  if (databaseAuth === 'entra') {
    if (databaseUrl === undefined) {
      throw new SettingError(
        N.databaseAuth,
        `${N.databaseAuth}=entra needs ${N.databaseUrl} (postgres://<Entra principal>@<server>:5432/<database>?sslmode=require)`,
      );
    }
    if (new URL(databaseUrl.reveal()).password !== '') {
      throw new SettingError(
        N.databaseAuth,
        `${N.databaseAuth}=entra takes the password from Entra ID: remove the password from ${N.databaseUrl}`,
      );
    }
  }
  const dataDirSetting = parsed[N.dataDir] ?? (embeddedDefault ? '.data' : undefined);
  const dataDir = dataDirSetting === undefined ? undefined : resolve(baseDir, dataDirSetting);
  return {
    databaseUrl,
    databaseAuth,
    dataDir,
    baseDir,
    pool: {
      max: parsed[N.poolMax],
      statementTimeoutInMs: parsed[N.statementTimeout],
      lockTimeoutInMs: parsed[N.lockTimeout],
      idleInTransactionSessionTimeoutInMs: parsed[N.idleInTransactionTimeout],
      connectionTimeoutInMs: defaultPoolSettings.connectionTimeoutInMs,
    },
    archive: archiveOf(parsed, dataDir),
    eventHub: eventHubOf(parsed),
    eventHubNamespace: eventHubNamespaceOf(parsed),
    telemetry: telemetryOf(parsed),
    retry: {
      maxAttempts: parsed[N.retryMaxAttempts],
      baseDelayMs: parsed[N.retryBaseDelayMs],
      maxDelayMs: parsed[N.retryMaxDelayMs],
      batchSize: parsed[N.retryBatchSize],
    },
  };
}

/** A path the user gave (an option, a file name) resolved the way settings' paths are. */
export function resolveUserPath(settings: Pick<Settings, 'baseDir'>, path: string): string {
  return isAbsolute(path) || path === '-' ? path : resolve(settings.baseDir, path);
}

/** The Event Hubs settings, or one line saying what `purpose` needs. */
export function requireEventHub(settings: Settings, purpose: string): EventHubSettings {
  if (settings.eventHub) return settings.eventHub;
  throw new SettingError(
    N.eventHubConnectionString,
    `${purpose} needs ${N.eventHubConnectionString}, or ${N.eventHubNamespace} for managed identity (with ${N.eventHubName})`,
  );
}

/** Where events go, fit for logs: no key. */
export function describeEventHub(settings: EventHubSettings): string {
  const host =
    settings.kind === 'managed-identity'
      ? settings.fullyQualifiedNamespace
      : (/Endpoint=sb:\/\/([^/;]+)/i.exec(settings.connectionString.reveal())?.[1] ?? '(namespace)');
  return `event hub ${settings.eventHubName} on ${host} (${settings.kind === 'managed-identity' ? 'managed identity' : 'connection string'})`;
}

function archiveOf(parsed: ParsedEnv, dataDir: string | undefined): ArchiveSettings {
  const containerName = parsed[N.archiveContainer];
  const connectionString = parsed[N.storageConnectionString];
  if (connectionString !== undefined) return { kind: 'blob', connectionString, containerName };
  const accountUrl = parsed[N.storageAccountUrl];
  if (accountUrl !== undefined) return { kind: 'blob', accountUrl, containerName };
  return dataDir === undefined ? { kind: 'none' } : { kind: 'file', rootDir: resolve(dataDir, 'archive') };
}

function eventHubOf(parsed: ParsedEnv): EventHubSettings | undefined {
  const connectionString = parsed[N.eventHubConnectionString];
  const namespace = parsed[N.eventHubNamespace];
  const eventHubName = parsed[N.eventHubName];
  if (connectionString !== undefined) {
    const entityPath = /(?:^|;)\s*EntityPath=([^;]+)/i.exec(connectionString.reveal())?.[1]?.trim();
    if (entityPath !== undefined && eventHubName !== undefined && entityPath !== eventHubName) {
      throw new SettingError(
        N.eventHubName,
        `${N.eventHubName} (${eventHubName}) differs from the EntityPath in ${N.eventHubConnectionString} (${entityPath})`,
      );
    }
    const name = eventHubName ?? entityPath;
    if (name === undefined) {
      throw new SettingError(
        N.eventHubName,
        `${N.eventHubName} is required with ${N.eventHubConnectionString} (or put EntityPath= in the connection string)`,
      );
    }
    return { kind: 'connection-string', connectionString, eventHubName: name };
  }
  if (namespace === undefined) return undefined;
  if (eventHubName === undefined) {
    throw new SettingError(N.eventHubName, `${N.eventHubName} is required with ${N.eventHubNamespace}`);
  }
  return { kind: 'managed-identity', fullyQualifiedNamespace: namespace, eventHubName };
}

function eventHubNamespaceOf(parsed: ParsedEnv): string | undefined {
  const explicit = parsed[N.eventHubNamespace];
  if (explicit !== undefined) return explicit;
  // `Endpoint=sb://<namespace>/;SharedAccessKeyName=...`: only the host is read, never the key.
  for (const value of [parsed[N.eventHubConnectionString]?.reveal(), parsed[N.eventHubConnection]]) {
    const endpoint = /(?:^|;)\s*Endpoint\s*=\s*sb:\/\/([^/;]+)/i.exec(value ?? '');
    if (endpoint?.[1]) return endpoint[1];
  }
  return parsed.EVENTHUB_CONNECTION__fullyQualifiedNamespace;
}

/**
 * Only where telemetry goes (`readSettings(...).telemetry`, without reading anything else): an
 * app starts its telemetry export first, before it opens a database or even requires one.
 */
export function readTelemetrySettings(env: Env): TelemetrySettings {
  return telemetryOf(parseEnv(telemetryEnvSchema, env));
}

function telemetryOf(parsed: z.output<typeof telemetryEnvSchema>): TelemetrySettings {
  const connectionString = parsed[N.appInsightsConnectionString];
  if (connectionString !== undefined) return { kind: 'azure-monitor', connectionString };
  const endpoint = parsed[N.otlpEndpoint];
  return endpoint === undefined ? { kind: 'none' } : { kind: 'otlp', endpoint };
}
