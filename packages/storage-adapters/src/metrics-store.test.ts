import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase, schemaScripts } from '@paymetrics/testing';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { describeMetricsStoreContract, type MetricsStoreHarness } from './metrics-store.contract.js';
import { createPgliteMetricsStore } from './pglite/pglite-metrics-store.js';
import { createPostgresMetricsStore } from './postgres/postgres-metrics-store.js';

const DIALECTS: Record<string, () => Promise<MetricsStoreHarness>> = {
  async postgres() {
    const database = await createTestDatabase('storage_adapters');
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (const script of schemaScripts()) await admin.query(script);
    } finally {
      await admin.end();
    }
    const store = createPostgresMetricsStore({
      pool: new pg.Pool({ connectionString: database.url, max: 12 }),
    });
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
    });
    return {
      store,
      db,
      async waitForLockWaiters(count) {
        for (;;) {
          const { rows } = await sql<{ waiting: number }>`
            SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE NOT l.granted AND a.datname = current_database()`.execute(db);
          if ((rows[0]?.waiting ?? 0) >= count) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      async close() {
        await store.close();
        await db.destroy();
        await database.drop();
      },
    };
  },

  async pglite() {
    const pglite = new PGlite();
    for (const script of schemaScripts()) await pglite.exec(script);
    const store = createPgliteMetricsStore({ pglite });
    return {
      store,
      // Same instance: kysely would close it on destroy, so only the store's close() ends it.
      db: new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) }),
      async waitForLockWaiters() {},
      close: () => store.close(),
    };
  },
};

for (const [dialect, createHarness] of Object.entries(DIALECTS)) {
  describeMetricsStoreContract(dialect, createHarness);
}
