import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase } from '@paymetrics/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type AnyDatabase, createPGliteKysely } from '../src/index.js';

export type TargetKind = 'postgres' | 'pglite';

export interface TestTarget {
  readonly db: AnyDatabase;
  /** Drops the database or removes the folder. */
  dispose(): Promise<void>;
}

/** A kysely on a plain pg pool: this package takes any kysely; opening databases is @paymetrics/runtime's job. */
export function openPostgres(url: string): AnyDatabase {
  return new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
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
    const db = openPostgres(database.url);
    return {
      db,
      async dispose() {
        await db.destroy();
        await database.drop();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'paymetrics-migrate-pglite-'));
  await cp(await emptyPGliteFolder(), join(dataDir, 'pglite'), { recursive: true });
  const db = createPGliteKysely(await PGlite.create(join(dataDir, 'pglite')));
  return {
    db,
    async dispose() {
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the PGlite template; call from afterAll. */
export async function disposeTestTemplates(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  pgliteTemplate = undefined;
}
