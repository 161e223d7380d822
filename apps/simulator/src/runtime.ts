import { join } from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
  type RuleSet,
} from '@paymetrics/metric-engine';
import { migrateToLatest, migrationStatus, openDatabase } from '@paymetrics/migrate';
import {
  type ArchiveStore,
  createBlobArchiveStore,
  createBlobContainerClient,
  createFileArchiveStore,
  createPgliteMetricsStore,
  createPostgresMetricsStore,
  type MetricsStore,
  tolerateConnectionLoss,
} from '@paymetrics/storage-adapters';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { SettingError, type Settings } from './settings.js';

/** Everything the local sink needs, opened from settings; `close()` releases it all. */
export interface LocalRuntime {
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  readonly archive: ArchiveStore | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: summaries and checks read tables with raw SQL
  readonly db: Kysely<any>;
  /** Where the data lives, for the summary. */
  readonly where: readonly string[];
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply pending schema files first (the embedded default always does). */
  readonly migrate: boolean;
  readonly archive: boolean;
  readonly rules?: RuleSet | undefined;
}

export async function openLocalRuntime(settings: Settings, options: RuntimeOptions): Promise<LocalRuntime> {
  const engine = createMetricEngine({ rules: compileRuleSet(options.rules ?? defaultRuleSet) });
  const { archive, where: archiveWhere } = options.archive
    ? openArchive(settings)
    : { archive: undefined, where: ['raw archive: off'] };

  const target = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    if (options.migrate || target.kind === 'pglite') await migrateToLatest(target.db);
    else await requireMigrated(target.db);
  } catch (error) {
    await target.close();
    throw error;
  }

  if (target.kind === 'pglite' && target.pglite) {
    const store = createPgliteMetricsStore({ pglite: target.pglite });
    return {
      store,
      engine,
      archive,
      db: target.db,
      where: [
        `metrics: ${target.description}`,
        ...archiveWhere,
        'set DATABASE_URL to use your own PostgreSQL instead; `pnpm migrate status` shows the schema',
      ],
      async close() {
        await archive?.close();
        // The store and the migration connection share the one PGlite; the store closes it.
        await store.close();
      },
    };
  }

  const pool = tolerateConnectionLoss(new pg.Pool({ connectionString: settings.databaseUrl, max: 4 }));
  const store = createPostgresMetricsStore({ pool });
  return {
    store,
    engine,
    archive,
    db: target.db,
    where: [`metrics: PostgreSQL at ${target.description}`, ...archiveWhere],
    async close() {
      await archive?.close();
      await store.close();
      await target.close();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: only the migrations table is read
async function requireMigrated(db: Kysely<any>): Promise<void> {
  const pending = (await migrationStatus(db)).filter((file) => file.state === 'pending');
  if (pending.length > 0) {
    throw new SettingError(
      `DATABASE_URL has ${pending.length} pending schema file(s) (${pending.map((f) => f.name).join(', ')}): run pnpm migrate first`,
    );
  }
}

function openArchive(settings: Settings): { archive: ArchiveStore; where: string[] } {
  const { archive } = settings;
  if (archive.kind === 'file') {
    const rootDir = join(settings.dataDir, 'archive');
    return { archive: createFileArchiveStore({ rootDir }), where: [`raw archive: ${rootDir}`] };
  }
  const container = archive.containerName ? { containerName: archive.containerName } : {};
  const containerClient =
    'connectionString' in archive
      ? createBlobContainerClient({ connectionString: archive.connectionString, ...container })
      : createBlobContainerClient({
          accountUrl: archive.accountUrl,
          credential: new DefaultAzureCredential(),
          ...container,
        });
  return {
    archive: createBlobArchiveStore({ containerClient }),
    where: [
      `raw archive: Blob Storage container ${containerClient.containerName} at ${containerClient.url.split('?')[0]}`,
    ],
  };
}
