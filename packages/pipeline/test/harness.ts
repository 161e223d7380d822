import { PGlite } from '@electric-sql/pglite';
import {
  compileRuleSet,
  createMetricEngine,
  defaultRuleSet,
  type MetricEngine,
} from '@paymetrics/metric-engine';
import {
  createPgliteMetricsStore,
  createPostgresMetricsStore,
  type MetricsStore,
} from '@paymetrics/storage-adapters';
import { createSchemaDatabase, schemaScripts } from '@paymetrics/testing';
import pg from 'pg';

export interface StoreUnderTest {
  readonly store: MetricsStore;
  readonly engine: MetricEngine;
  query(text: string): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

export interface Dialect {
  readonly name: string;
  open(): Promise<StoreUnderTest>;
}

const engine = () => createMetricEngine({ rules: compileRuleSet(defaultRuleSet) });

/** Every behaviour runs against real PostgreSQL and the embedded PGlite alike. */
export const dialects: readonly Dialect[] = [
  {
    name: 'postgres',
    async open() {
      const database = await createSchemaDatabase('pipeline');
      const pool = new pg.Pool({ connectionString: database.url, max: 4 });
      const store = createPostgresMetricsStore({ pool });
      return {
        store,
        engine: engine(),
        query: (text) => pool.query(text),
        async close() {
          await store.close();
          await pool.end().catch(() => undefined);
          await database.drop();
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const pglite = new PGlite();
      for (const script of schemaScripts()) await pglite.exec(script);
      const store = createPgliteMetricsStore({ pglite });
      return {
        store,
        engine: engine(),
        query: (text) => pglite.query(text),
        close: () => store.close(),
      };
    },
  },
];
