import { type MigrationResult, Migrator } from 'kysely/migration';
import type { AnyDatabase } from './any-database.js';
import { readAppliedMigrations } from './applied-migrations.js';
import { isConnectionFailure } from './connection-failure.js';
import { MigrationError } from './migration-error.js';
import { parseMigrationName } from './migration-name.js';
import { defaultSchemaDir, readSchemaFiles } from './schema-files.js';
import { planSchemaFiles } from './schema-plan.js';
import { getScriptRunner } from './script-runner.js';
import { SqlFileMigrationProvider } from './sql-file-migration-provider.js';

export interface MigrateOptions {
  readonly schemaDir?: string | undefined;
  /** Report what would be applied, apply nothing. */
  readonly dryRun?: boolean | undefined;
  /** Called as each file commits, for progress output. */
  readonly onFileApplied?: ((file: string) => void) | undefined;
}

export interface FileMigrationResult {
  readonly name: string;
  readonly checksum: string;
  /**
   * `applied`: by this call; `already_applied`: before it, or meanwhile by a concurrent
   * migrator; `pending`: not applied (a dry run).
   */
  readonly status: 'applied' | 'already_applied' | 'pending';
}

export interface MigrationReport {
  readonly dryRun: boolean;
  /** Files this call applied, in order (none for a dry run). */
  readonly applied: readonly string[];
  /** Files still pending afterwards: for a dry run, the files that would be applied. */
  readonly pending: readonly string[];
  /** One entry per schema file, in order. */
  readonly results: readonly FileMigrationResult[];
}

/**
 * Applies pending schema files in name order with kysely's Migrator. `migrateUp` applies one
 * file per call in its own transaction, holding kysely's migration lock (a PostgreSQL advisory
 * lock; PGlite has a single connection), and reads what is applied only once it holds the
 * lock, so concurrent migrators take turns and never apply a file twice.
 *
 * Throws MigrationError: `changed_file`, `missing_file`, `out_of_order` before anything is
 * applied; `failed` naming the file whose transaction was rolled back (files before it stay
 * applied); `unreachable` when the connection fails.
 */
export async function migrateToLatest(
  db: AnyDatabase,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const schemaDir = options.schemaDir ?? defaultSchemaDir;
  const runScript = getScriptRunner(db);
  const before = await plan(db, schemaDir);
  if (options.dryRun) {
    return {
      dryRun: true,
      applied: [],
      pending: before.filter((entry) => !entry.applied).map((entry) => entry.file.name),
      results: before.map(({ file, applied }) => ({
        name: file.name,
        checksum: file.checksum,
        status: applied ? 'already_applied' : 'pending',
      })),
    };
  }

  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(schemaDir, { runScript }) });
  const appliedNow: string[] = [];
  for (;;) {
    const { error, results = [] } = await migrator.migrateUp();
    if (error !== undefined) throw await toMigrationError(error, results, db, schemaDir);
    const succeeded = results.filter((result) => result.status === 'Success');
    if (succeeded.length === 0) break;
    for (const result of succeeded) {
      const { file } = parseMigrationName(result.migrationName);
      appliedNow.push(file);
      options.onFileApplied?.(file);
    }
  }

  const after = await plan(db, schemaDir);
  return {
    dryRun: false,
    applied: appliedNow,
    pending: after.filter((entry) => !entry.applied).map((entry) => entry.file.name),
    results: after.map(({ file, applied }) => ({
      name: file.name,
      checksum: file.checksum,
      status: appliedNow.includes(file.name) ? 'applied' : applied ? 'already_applied' : 'pending',
    })),
  };
}

async function plan(db: AnyDatabase, schemaDir: string) {
  const files = await readSchemaFiles(schemaDir);
  try {
    return planSchemaFiles(files, await readAppliedMigrations(db), schemaDir);
  } catch (error) {
    throw error instanceof MigrationError ? error : classify(error);
  }
}

function classify(error: unknown, file?: string): MigrationError {
  const message = error instanceof Error ? error.message : String(error);
  if (isConnectionFailure(error)) {
    return new MigrationError('unreachable', `lost the database connection: ${message}`, { cause: error });
  }
  return file === undefined
    ? new MigrationError('failed', `migration failed: ${message}`, { cause: error })
    : new MigrationError('failed', `${file} failed and was rolled back: ${message}`, { file, cause: error });
}

async function toMigrationError(
  error: unknown,
  results: readonly MigrationResult[],
  db: AnyDatabase,
  schemaDir: string,
): Promise<MigrationError> {
  const failed = results.find((result) => result.status === 'Error');
  if (failed) return classify(error, parseMigrationName(failed.migrationName).file);
  // kysely refused the recorded state ("corrupted migrations"): the folder changed after our
  // check, e.g. under a concurrent migrator. Check again to name the file.
  try {
    await plan(db, schemaDir);
  } catch (planError) {
    if (planError instanceof MigrationError) return planError;
  }
  return classify(error);
}
