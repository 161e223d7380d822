import type { SchemaFile } from './schema-files.js';

/**
 * The name recorded in kysely's migration table carries the file's checksum: an edited file
 * then no longer matches any recorded name, so kysely itself notices the change and no
 * bookkeeping of our own is needed.
 */
export function migrationNameOf(file: Pick<SchemaFile, 'name' | 'checksum'>): string {
  return `${file.name}@${file.checksum}`;
}

export interface ParsedMigrationName {
  readonly file: string;
  /** Undefined for a name written by something other than this package. */
  readonly checksum: string | undefined;
}

export function parseMigrationName(migrationName: string): ParsedMigrationName {
  const at = migrationName.lastIndexOf('@');
  if (at <= 0) return { file: migrationName, checksum: undefined };
  return { file: migrationName.slice(0, at), checksum: migrationName.slice(at + 1) };
}
