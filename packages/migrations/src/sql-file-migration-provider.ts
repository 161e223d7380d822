import type { Migration, MigrationProvider } from 'kysely/migration';
import { migrationNameOf } from './migration-name.js';
import { defaultSchemaDir, readSchemaFiles } from './schema-files.js';
import { runScriptAsSimpleQuery, type ScriptRunner } from './script-runner.js';

export interface SqlFileMigrationProviderOptions {
  /** How a file's SQL is run; the default suits node-postgres (see getScriptRunner). */
  readonly runScript?: ScriptRunner | undefined;
}

/**
 * One kysely migration per `*.sql` file of the schema folder, named `<file>@<checksum>` so
 * kysely refuses a file edited after it was applied. Read on every call, so the SQL run is
 * always the SQL the recorded name stands for.
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  readonly #dir: string;
  readonly #runScript: ScriptRunner;

  constructor(dir: string = defaultSchemaDir, options: SqlFileMigrationProviderOptions = {}) {
    this.#dir = dir;
    this.#runScript = options.runScript ?? runScriptAsSimpleQuery;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = await readSchemaFiles(this.#dir);
    return Object.fromEntries(
      files.map((file) => [migrationNameOf(file), { up: (db) => this.#runScript(db, file.sql) }]),
    );
  }
}
