import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { Database } from '../database.js';
import type { MetricsStore } from '../metrics-store.js';
import { createKyselyMetricsStore } from '../sql/kysely-metrics-store.js';

export interface PostgresMetricsStoreOptions {
  /** A pg `Pool` (or anything of its shape); `close()` ends it. */
  readonly pool: PostgresPool;
}

/** MetricsStore on PostgreSQL: each transaction takes its own pooled connection. */
export function createPostgresMetricsStore(options: PostgresMetricsStoreOptions): MetricsStore {
  return createKyselyMetricsStore(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: options.pool }) }),
  );
}
