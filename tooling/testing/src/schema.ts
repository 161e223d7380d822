import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './databases.js';

const schemaDir = fileURLToPath(new URL('../../../database/schemas/', import.meta.url));

/** database/schemas/*.sql in apply order, each a whole script; only those named before `before` if given. */
export function schemaScripts(before?: string): string[] {
  return schemaFileNames()
    .filter((name) => before === undefined || name < before)
    .map((name) => readFileSync(`${schemaDir}${name}`, 'utf8'));
}

function schemaFileNames(): string[] {
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
}

/** A writable copy of database/schemas (optionally only the first `count` files), for migration tests. */
export async function copySchemaDir(count?: number): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'paymetrics-schemas-'));
  for (const name of schemaFileNames().slice(0, count))
    await copyFile(`${schemaDir}${name}`, join(dir, name));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh database with every schema file applied, for tests that are not about migrating;
 * `before` stops at the first file named from it on (an earlier schema, for an A/B measurement).
 */
export async function createSchemaDatabase(
  prefix = 'test',
  serverUrl?: string,
  options: { readonly before?: string } = {},
): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix, serverUrl);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const script of schemaScripts(options.before)) await client.query(script);
  } finally {
    await client.end();
  }
  return database;
}
