import { PGliteAdapter, sql } from 'kysely';
import type { AnyDatabase } from './any-database.js';
import { MigrationError } from './migration-error.js';

/** Runs one schema file, as one script, on the connection (usually a transaction) it is given. */
export type ScriptRunner = (db: AnyDatabase, script: string) => Promise<void>;

/**
 * kysely's PostgresDialect hands node-postgres the parameters array; with no parameters pg uses
 * the simple query protocol, which runs a whole script (several statements, `$$` bodies) as is.
 */
export const runScriptAsSimpleQuery: ScriptRunner = async (db, script) => {
  await sql.raw(script).execute(db);
};

const registered = new WeakMap<AnyDatabase, ScriptRunner>();

/** Lets migrateToLatest run scripts on `db` another way (PGlite's `exec`). */
export function registerScriptRunner(db: AnyDatabase, runner: ScriptRunner): void {
  registered.set(db, runner);
}

/**
 * How to run a whole script on `db`. kysely's PGlite driver sends everything through PGlite's
 * `query`, the extended protocol, which refuses more than one statement; splitting a script
 * would break `$$` bodies, so a PGlite database must come from createPGliteKysely (which
 * @paymetrics/runtime's openDatabase uses), which can reach PGlite's `exec`.
 */
export function getScriptRunner(db: AnyDatabase): ScriptRunner {
  const runner = registered.get(db);
  if (runner) return runner;
  if (db.getExecutor().adapter instanceof PGliteAdapter) {
    throw new MigrationError(
      'failed',
      'cannot run schema scripts through a plain PGliteDialect (it runs one statement per query): open the database with openDatabase() or createPGliteKysely(pglite)',
    );
  }
  return runScriptAsSimpleQuery;
}
