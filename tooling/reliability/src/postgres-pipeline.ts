import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import type { PipelineDeps } from '@paymetrics/pipeline';
import { createPool } from '@paymetrics/runtime';
import {
  type ArchiveStore,
  createPostgresMetricsStore,
  type MetricsStore,
} from '@paymetrics/storage-adapters';
import pg from 'pg';
import { RELIABILITY_NOW } from './scenario-lines.js';

export interface PostgresPipeline {
  readonly deps: PipelineDeps;
  readonly store: MetricsStore;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface PostgresPipelineOptions {
  readonly archive?: ArchiveStore;
  readonly nowMs?: number;
  /** Wrap the store, e.g. to fail after its commit. */
  readonly wrapStore?: (store: MetricsStore) => MetricsStore;
}

/** The pipeline as a runtime wires it (the runtime's pool with its timeouts, default rules), on its own pool. */
export function openPostgresPipeline(url: string, options: PostgresPipelineOptions = {}): PostgresPipeline {
  // A short connect timeout so a retry during a server restart fails fast instead of hanging.
  const pool = createPool(url, { max: 4, connectionTimeoutInMs: 5_000 });
  const realStore = createPostgresMetricsStore({ pool });
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore;
  const nowMs = options.nowMs ?? RELIABILITY_NOW;
  return {
    deps: {
      store,
      engine: createMetricEngine({ rules: compileRuleSet(defaultRuleSet) }),
      archive: options.archive,
      clock: () => nowMs,
    },
    store,
    pool,
    close: () => realStore.close(),
  };
}

/** A query function on a fresh connection per call, immune to the faults a scenario injects into pools. */
export type Query = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

export function freshQuery(url: string): Query {
  return async (text, values) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  };
}
