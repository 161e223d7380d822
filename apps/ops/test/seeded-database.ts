import { processBatch } from '@paymetrics/pipeline';
import { createRuntime, type Runtime, readSettings } from '@paymetrics/runtime';
import { createSchemaDatabase, mixedBatches, FIXED_NOW as NOW, type TestDatabase } from '@paymetrics/testing';
import { sql } from 'kysely';

export interface SeededDatabase {
  readonly database: TestDatabase;
  readonly ops: Runtime;
  query<R = Record<string, unknown>>(text: string): Promise<R[]>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with the schema, the mixed workload processed at NOW. */
export async function seededDatabase(prefix: string): Promise<SeededDatabase> {
  const database = await createSchemaDatabase(prefix);
  const settings = readSettings({ DATABASE_URL: database.url }, { cwd: '/nonexistent' });
  const ops = await createRuntime(settings, { archive: false });
  const { store, engine } = ops;
  for (const batch of mixedBatches()) await processBatch(batch, { store, engine, clock: () => NOW });
  return {
    database,
    ops,
    async query<R>(text: string) {
      return (await sql.raw<R>(text).execute(ops.db)).rows;
    },
    async close() {
      await ops.close();
      await database.drop();
    },
  };
}
