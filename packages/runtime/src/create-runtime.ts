import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
  type RuleSet,
} from '@paymetrics/metric-engine';
import { migrateToLatest } from '@paymetrics/migrations';
import {
  type ArchiveStore,
  createPgliteMetricsStore,
  createPostgresMetricsStore,
  type Database,
  type MetricsStore,
} from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';
import { openArchive } from './archive.js';
import { type OpenedDatabase, openDatabase } from './open-database.js';
import type { PoolOptions } from './pool.js';
import { SettingError } from './setting-error.js';
import { SettingName, type Settings } from './settings.js';

export interface RuntimeOptions {
  /**
   * `migrate`: apply pending schema files first; `check` (default): refuse, naming the fix,
   * when the pipeline's tables are missing; `trust`: assume the schema (the Function, which `pnpm migrate`
   * or the deployment migrates, and which must not spend a cold start on it).
   */
  readonly schema?: 'migrate' | 'check' | 'trust';
  /** Open the raw archive the settings name (default true); false leaves `archive` undefined. */
  readonly archive?: boolean;
  readonly rules?: RuleSet | undefined;
  /**
   * Added to the pool the settings describe. The hook for what settings cannot carry:
   * a password callback (an Entra ID token), a log of lost idle connections.
   */
  readonly pool?: Omit<PoolOptions, keyof Settings['pool']> | undefined;
  /** Check the database answers before returning (default true). */
  readonly verifyConnection?: boolean;
}

/** What every app runs on: one database (pool or PGlite), the store and db on it, engine, archive. */
export interface Runtime {
  readonly settings: Settings;
  readonly kind: 'postgres' | 'pglite';
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  readonly archive: ArchiveStore | undefined;
  /** Typed access to every table, for reads and for failed_items; shares the store's pool. */
  readonly db: Kysely<Database>;
  /** The database for messages: a password-free URL or the PGlite folder. */
  readonly description: string;
  /** Where the data lives, one line each (metrics, raw archive), for a summary. */
  readonly where: readonly string[];
  close(): Promise<void>;
}

/**
 * Builds the runtime from settings: the one place a pool, store, engine and archive are put
 * together. A database that cannot be opened, or whose schema is behind, throws a SettingError.
 */
export async function createRuntime(settings: Settings, options: RuntimeOptions = {}): Promise<Runtime> {
  const opened = await openDatabase({
    databaseUrl: settings.databaseUrl,
    databaseAuth: settings.databaseAuth,
    dataDir: settings.dataDir,
    pool: { ...settings.pool, ...options.pool },
    verifyConnection: options.verifyConnection ?? true,
  });
  try {
    await prepareSchema(opened, options.schema ?? 'check');
  } catch (error) {
    await opened.close();
    throw error;
  }
  const store =
    opened.kind === 'pglite'
      ? createPgliteMetricsStore({ pglite: opened.pglite })
      : createPostgresMetricsStore({ pool: opened.pool });
  const engine = createMetricEngine({ rules: compileRuleSet(options.rules ?? defaultRuleSet) });
  const { archive, description: archiveWhere } = await openArchive(
    (options.archive ?? true) ? settings.archive : { kind: 'none' },
  );
  let closed = false;
  return {
    settings,
    kind: opened.kind,
    store,
    engine,
    archive,
    db: opened.db,
    description: opened.description,
    where: [
      `metrics: ${opened.kind === 'postgres' ? `PostgreSQL at ${opened.description}` : opened.description}`,
      archiveWhere,
    ],
    async close() {
      if (closed) return;
      closed = true;
      await archive?.close();
      // The store and db are two kysely instances over one pool (or PGlite), and kysely ends its
      // client only through an instance that ran a query: a command that read through db alone
      // (reconcile) would leave the pool's connections holding the process open for their idle
      // timeout. So the store closes first, then the client itself unless that already ended it.
      await store.close();
      if (opened.kind === 'postgres') {
        if (!opened.pool.ended) await opened.pool.end();
      } else if (!opened.pglite.closed) {
        await opened.pglite.close();
      }
    },
  };
}

/** The tables the store writes: without them nothing can run (`check`). */
const requiredTables = [
  'payment_metrics_5m',
  'dynamic_metrics',
  'aggregate_histograms',
  'failed_items',
  'source_positions',
  'processed_events',
];

async function prepareSchema(opened: OpenedDatabase, schema: 'migrate' | 'check' | 'trust'): Promise<void> {
  if (schema === 'trust') return;
  if (schema === 'migrate') {
    await migrateToLatest(opened.db);
    return;
  }
  // Tables, not kysely's migration records: a database may be migrated by the deployment's psql.
  const { rows } = await sql<{ name: string; present: boolean }>`
    SELECT t.name, to_regclass(t.name) IS NOT NULL AS present
      FROM unnest(${requiredTables}::text[]) AS t(name)`.execute(opened.db);
  const absent = rows.filter((row) => !row.present).map((row) => row.name);
  if (absent.length > 0) {
    const setting = opened.kind === 'postgres' ? SettingName.databaseUrl : SettingName.dataDir;
    throw new SettingError(
      setting,
      `${setting} (${opened.description}) has no ${absent.join(', ')} table: run pnpm migrate first`,
    );
  }
}
