import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase } from '@paymetrics/testing';
import { type DatabaseTarget, defaultSchemaDir, openDatabase } from '../src/index.js';

export type TargetKind = 'postgres' | 'pglite';

export interface TestTarget extends DatabaseTarget {
  /** Drops the database or removes the folder. */
  dispose(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
let pgliteTemplate: Promise<string> | undefined;

/** initdb costs PGlite seconds; a closed, empty data folder copied per test costs a fraction. */
function emptyPGliteFolder(): Promise<string> {
  pgliteTemplate ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paymetrics-migrate-template-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pglite = await PGlite.create(join(dir, 'pglite'));
    await pglite.close();
    return join(dir, 'pglite');
  })();
  return pgliteTemplate;
}

export async function openTestTarget(kind: TargetKind): Promise<TestTarget> {
  if (kind === 'postgres') {
    const database = await createTestDatabase('migrate');
    const target = await openDatabase({ databaseUrl: database.url });
    return {
      ...target,
      async dispose() {
        await target.close();
        await database.drop();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'paymetrics-migrate-pglite-'));
  await cp(await emptyPGliteFolder(), join(dataDir, 'pglite'), { recursive: true });
  const target = await openDatabase({ dataDir });
  return {
    ...target,
    async dispose() {
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the PGlite template; call from afterAll. */
export async function disposeTestTemplates(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  pgliteTemplate = undefined;
}

/** A writable copy of database/schemas (optionally only the first `count` files). */
export async function copySchemaDir(count?: number): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'paymetrics-schemas-'));
  const names = (await readdir(defaultSchemaDir)).filter((name) => name.endsWith('.sql')).sort();
  for (const name of names.slice(0, count)) {
    await writeFile(join(dir, name), await readFile(join(defaultSchemaDir, name)));
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
