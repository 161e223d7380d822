import { resolve } from 'node:path';
import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
} from '@paymetrics/metric-engine';
import { MigrationError, openDatabase } from '@paymetrics/migrate';
import {
  createPgliteMetricsStore,
  createPostgresMetricsStore,
  type Database,
  type MetricsStore,
  tolerateConnectionLoss,
} from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';

export interface OpsSettings {
  readonly databaseUrl: string | undefined;
  /** Absolute: relative values resolve against INIT_CWD, the folder pnpm was started in. */
  readonly dataDir: string;
}

export function readOpsSettings(env: NodeJS.ProcessEnv, cwd: string): OpsSettings {
  const baseDir = env.INIT_CWD || cwd;
  return {
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    dataDir: resolve(baseDir, env.PAYMETRICS_DATA_DIR?.trim() || '.data'),
  };
}

/** A failure to start, already phrased as one line naming the setting at fault. */
export class OpsSettingError extends Error {
  override readonly name = 'OpsSettingError';
}

export interface OpsDatabase {
  readonly db: Kysely<Database>;
  readonly description: string;
  /** The pipeline's store and engine, opened on first use (only retries need them). */
  pipeline(): { readonly store: MetricsStore; readonly engine: MetricEngine };
  close(): Promise<void>;
}

const requiredTables = ['source_positions', 'failed_items', 'payment_metrics_5m', 'processed_events'];

/** Opens DATABASE_URL or the embedded PGlite and checks the schema is there. */
export async function openOpsDatabase(settings: OpsSettings): Promise<OpsDatabase> {
  const setting = settings.databaseUrl ? 'DATABASE_URL' : 'PAYMETRICS_DATA_DIR';
  let target: Awaited<ReturnType<typeof openDatabase>>;
  try {
    target = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  } catch (error) {
    throw settingError(error, setting);
  }
  try {
    const { rows } = await sql<{ name: string; present: boolean }>`
      SELECT t.name, to_regclass(t.name) IS NOT NULL AS present
        FROM unnest(${requiredTables}::text[]) AS t(name)`.execute(target.db);
    const absent = rows.filter((row) => !row.present).map((row) => row.name);
    if (absent.length > 0) {
      throw new OpsSettingError(
        `${setting} (${target.description}) has no ${absent.join(', ')} table: run pnpm migrate first`,
      );
    }
  } catch (error) {
    await target.close();
    throw error instanceof OpsSettingError ? error : settingError(error, setting);
  }

  let opened: { store: MetricsStore; engine: MetricEngine; pool?: pg.Pool } | undefined;
  return {
    db: target.db,
    description: target.description,
    pipeline() {
      if (!opened) {
        const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
        if (target.pglite) {
          opened = { store: createPgliteMetricsStore({ pglite: target.pglite }), engine };
        } else {
          const pool = tolerateConnectionLoss(
            new pg.Pool({ connectionString: settings.databaseUrl, max: 2 }),
          );
          opened = { store: createPostgresMetricsStore({ pool }), engine, pool };
        }
      }
      return opened;
    },
    async close() {
      // PGlite: the store and kysely share one instance; closing kysely closes it.
      if (opened?.pool) await opened.store.close();
      await target.close();
    },
  };
}

function settingError(error: unknown, setting: string): Error {
  if (error instanceof MigrationError && error.code === 'invalid_url') {
    return new OpsSettingError(`DATABASE_URL is ${error.message}`);
  }
  if (error instanceof MigrationError && error.code === 'unreachable') {
    return new OpsSettingError(
      setting === 'DATABASE_URL'
        ? `cannot connect to DATABASE_URL (${error.target}): ${error.reason ?? 'unknown error'}`
        : `cannot open the embedded database in PAYMETRICS_DATA_DIR (${error.target}): ${error.reason ?? 'unknown error'}`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
