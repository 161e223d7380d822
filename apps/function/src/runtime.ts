import { DefaultAzureCredential } from '@azure/identity';
import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
} from '@paymetrics/metric-engine';
import {
  type ArchiveStore,
  createBlobArchiveStore,
  createBlobContainerClient,
  createFileArchiveStore,
  createPostgresMetricsStore,
  type Database,
  type MetricsStore,
  tolerateConnectionLoss,
} from '@paymetrics/storage-adapters';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type ArchiveSettings, type FunctionSettings, readFunctionSettings } from './settings.js';

/** What the functions share per process: one pool, one engine, one archive. */
export interface FunctionRuntime {
  readonly settings: FunctionSettings;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  readonly archive: ArchiveStore | undefined;
  /** For failed_items operations; shares the store's pool. */
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

type Log = (message: string) => void;

let current: Promise<FunctionRuntime> | undefined;

/**
 * The runtime, created on first use and reused by every later invocation in this process, so
 * a handler works the same when the Functions host, a test or another host calls it. A failed
 * creation (a bad setting) is not cached: the next invocation tries again and fails loudly again.
 */
export function getRuntime(log: Log = console.warn): Promise<FunctionRuntime> {
  if (!current) {
    const creating = Promise.resolve().then(() => createRuntime(readFunctionSettings(), log));
    current = creating;
    creating.catch(() => {
      if (current === creating) current = undefined;
    });
  }
  return current;
}

/** Closes the shared runtime (the app's terminate hook; tests between databases). The next use creates a new one. */
export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  if (!closing) return;
  const runtime = await closing.catch(() => undefined);
  await runtime?.close();
}

export async function createRuntime(settings: FunctionSettings, log: Log): Promise<FunctionRuntime> {
  const pool = tolerateConnectionLoss(
    new pg.Pool({
      connectionString: settings.databaseUrl.reveal(),
      max: settings.poolMax,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 60_000,
    }),
  );
  pool.on('error', (error) => log(`postgres pool: idle connection lost (${error.message})`));
  const store = createPostgresMetricsStore({ pool });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  const archive = createArchive(settings.archive);
  let closed = false;
  return {
    settings,
    store,
    engine,
    archive,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await archive?.close();
      // The store and db share the pool; the store's close ends it (kysely's destroy would end it again).
      await store.close();
    },
  };
}

/** The Blob store when one is configured; the file store when a data folder is set. */
function createArchive(settings: ArchiveSettings): ArchiveStore | undefined {
  if (settings.kind === 'none') return undefined;
  if (settings.kind === 'file') return createFileArchiveStore({ rootDir: settings.rootDir });
  const container = settings.containerName === undefined ? {} : { containerName: settings.containerName };
  const containerClient =
    'connectionString' in settings
      ? createBlobContainerClient({ connectionString: settings.connectionString.reveal(), ...container })
      : // Managed identity in Azure (AZURE_CLIENT_ID picks a user-assigned one); developer credentials locally.
        createBlobContainerClient({
          accountUrl: settings.accountUrl,
          credential: new DefaultAzureCredential(),
          ...container,
        });
  return createBlobArchiveStore({ containerClient });
}
