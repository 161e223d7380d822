import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import pg from 'pg';

const schemaDir = fileURLToPath(new URL('../../../database/schemas/', import.meta.url));

/** A fresh database with every database/schemas/*.sql file applied in name order. */
export async function createSchemaDatabase(prefix: string): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const file of readdirSync(schemaDir)
      .filter((name) => name.endsWith('.sql'))
      .sort()) {
      // One simple query per file: the files hold several statements and no parameters.
      await client.query(readFileSync(`${schemaDir}${file}`, 'utf8'));
    }
  } finally {
    await client.end();
  }
  return database;
}

/**
 * A pool for tests. pg-pool's end() resolves before its clients have closed, so dropping the
 * database WITH (FORCE) right after can terminate a closing client; that late 57P01 is noise.
 */
export function createTestPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  return pool;
}
