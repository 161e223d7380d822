import type { AppliedMigration } from './applied-migrations.js';
import { MigrationError } from './migration-error.js';
import type { SchemaFile } from './schema-files.js';

export interface PlannedFile {
  readonly file: SchemaFile;
  readonly applied: AppliedMigration | undefined;
}

/**
 * Matches the schema folder against what kysely recorded and refuses, naming the file, the
 * states kysely's Migrator would refuse only with its own wording: an applied file that was
 * edited or removed, or a new file that sorts before an applied one.
 */
export function planSchemaFiles(
  files: readonly SchemaFile[],
  applied: readonly AppliedMigration[],
  schemaDir: string,
): PlannedFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const record of applied) {
    const file = byName.get(record.file);
    if (!file) {
      throw new MigrationError(
        'missing_file',
        `${record.file} was applied (${record.appliedAt.toISOString()}) but is no longer in ${schemaDir}: restore it`,
        { file: record.file },
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationError(
        'changed_file',
        `${file.name} changed after it was applied (applied checksum ${record.checksum ?? 'unknown'}, file now ${file.checksum}): restore it and put the change in a new schema file`,
        { file: file.name },
      );
    }
  }
  const appliedByFile = new Map(applied.map((record) => [record.file, record]));
  const lastApplied = files.findLast((file) => appliedByFile.has(file.name));
  const planned = files.map((file) => ({ file, applied: appliedByFile.get(file.name) }));
  const early = lastApplied && planned.find((entry) => !entry.applied && entry.file.name < lastApplied.name);
  if (early) {
    throw new MigrationError(
      'out_of_order',
      `${early.file.name} is new but sorts before ${lastApplied.name}, which is already applied: rename it to sort after it`,
      { file: early.file.name },
    );
  }
  return planned;
}
