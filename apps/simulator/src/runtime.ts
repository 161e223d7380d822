import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { compileRuleSet, createMetricEngine, defaultRuleSet, type MetricEngine, type RuleSet } from '@paymetrics/metric-engine';
import { migrateToLatest, migrationStatus } from '@paymetrics/migrate';
import {
  type ArchiveStore,
  createFileArchiveStore,
  createPgliteMetricsStore,
  createPostgresMetricsStore,
  type MetricsStore,
} from '@paymetrics/storage-adapters';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { redactUrl, type Settings, SettingError } from './settings.js';

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
  const archiveDir = join(settings.dataDir, 'archive');
  const archive = options.archive ? createFileArchiveStore({ rootDir: archiveDir }) : undefined;
  const archiveWhere = archive ? [`raw archive: ${archiveDir}`] : ['raw archive: off'];

  if (settings.databaseUrl) {
    const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 4 });
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    try {
      await pool.query('select 1');
    } catch (error) {
      await db.destroy();
      throw new SettingError(
        `cannot connect to DATABASE_URL (${redactUrl(settings.databaseUrl)}): ${(error as Error).message}`,
      );
    }
    if (options.migrate) await migrateToLatest(db);
    else await requireMigrated(db);
    const store = createPostgresMetricsStore({ pool });
    return {
      store,
      engine,
      archive,
      db,
      where: [`metrics: PostgreSQL at ${redactUrl(settings.databaseUrl)}`, ...archiveWhere],
      async close() {
        await archive?.close();
        await store.close();
        await db.destroy();
      },
    };
  }

  const pgliteDir = join(settings.dataDir, 'pglite');
  const pglite = await PGlite.create(pgliteDir);
  const db = new Kysely({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  const store = createPgliteMetricsStore({ pglite });
  return {
    store,
    engine,
    archive,
    db,
    where: [
      `metrics: embedded PostgreSQL (PGlite) in ${pgliteDir}`,
      ...archiveWhere,
      'query it: set DATABASE_URL to use your own PostgreSQL instead; `pnpm migrate status` shows the schema',
    ],
    async close() {
      await archive?.close();
      await store.close();
      await pglite.close();
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
