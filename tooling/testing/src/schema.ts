import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './databases.js';

const schemaDir = fileURLToPath(new URL('../../../database/schemas/', import.meta.url));

/** database/schemas/*.sql in apply order, each a whole script. */
export function schemaScripts(): string[] {
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => readFileSync(`${schemaDir}${name}`, 'utf8'));
}

/** A fresh database with every schema file applied, for tests that are not about migrating. */
export async function createSchemaDatabase(prefix = 'test', serverUrl?: string): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix, serverUrl);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const script of schemaScripts()) await client.query(script);
  } finally {
    await client.end();
  }
  return database;
}
