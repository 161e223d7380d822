import type { AnyDatabase } from './any-database.js';
import { readAppliedMigrations } from './applied-migrations.js';
import { isConnectionFailure } from './connection-failure.js';
import { MigrationError } from './migration-error.js';
import { defaultSchemaDir, readSchemaFiles } from './schema-files.js';
import { planSchemaFiles } from './schema-plan.js';

export interface SchemaFileStatus {
  readonly name: string;
  readonly checksum: string;
  readonly state: 'applied' | 'pending';
  readonly appliedAt?: Date;
}

/**
 * Every schema file with its state. Throws the MigrationError migrateToLatest would
 * (`changed_file`, `missing_file`, `out_of_order`), since such a database has no true status.
 */
export async function migrationStatus(
  db: AnyDatabase,
  options: { readonly schemaDir?: string | undefined } = {},
): Promise<SchemaFileStatus[]> {
  const schemaDir = options.schemaDir ?? defaultSchemaDir;
  const files = await readSchemaFiles(schemaDir);
  let applied: Awaited<ReturnType<typeof readAppliedMigrations>>;
  try {
    applied = await readAppliedMigrations(db);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrationError(isConnectionFailure(error) ? 'unreachable' : 'failed', message, {
      cause: error,
    });
  }
  return planSchemaFiles(files, applied, schemaDir).map(({ file, applied: record }) =>
    record
      ? { name: file.name, checksum: file.checksum, state: 'applied', appliedAt: record.appliedAt }
      : { name: file.name, checksum: file.checksum, state: 'pending' },
  );
}
