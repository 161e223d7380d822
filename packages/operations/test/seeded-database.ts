import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
} from '@paymetrics/metric-engine';
import { processBatch } from '@paymetrics/pipeline';
import { createPostgresMetricsStore, type Database, type MetricsStore } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, mixedBatches, FIXED_NOW as NOW, type TestDatabase } from '@paymetrics/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

export interface SeededDatabase {
  readonly database: TestDatabase;
  readonly db: Kysely<Database>;
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  query<R = Record<string, unknown>>(text: string): Promise<R[]>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with the schema; with `seed`, the mixed workload processed at NOW. */
export async function seededDatabase(
  prefix: string,
  options: { seed?: boolean } = {},
): Promise<SeededDatabase> {
  const database = await createSchemaDatabase(prefix);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // Dropping the database WITH (FORCE) can terminate a client the pool is still closing: noise.
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  const store = createPostgresMetricsStore({ pool });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const engine = createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });
  if (options.seed !== false) {
    for (const batch of mixedBatches()) await processBatch(batch, { store, engine, clock: () => NOW });
  }
  return {
    database,
    db,
    store,
    engine,
    async query<R>(text: string) {
      return (await sql.raw<R>(text).execute(db)).rows;
    },
    async close() {
      // The store and db share the pool; the store's close ends it.
      await store.close();
      await database.drop();
    },
  };
}
