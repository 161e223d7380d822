export type { AnyDatabase } from './any-database.js';
export { type AppliedMigration, readAppliedMigrations } from './applied-migrations.js';
export { connectionFailureReason, isConnectionFailure, postgresErrorCode } from './connection-failure.js';
export {
  type FileMigrationResult,
  type MigrateOptions,
  type MigrationReport,
  migrateToLatest,
} from './migrate-to-latest.js';
export {
  MigrationError,
  MigrationErrorCode,
  type MigrationErrorOptions,
} from './migration-error.js';
export { migrationStatus, type SchemaFileStatus } from './migration-status.js';
export { createPGliteKysely } from './pglite-kysely.js';
export { defaultSchemaDir, readSchemaFiles, type SchemaFile, schemaChecksum } from './schema-files.js';
export { getScriptRunner, runScriptAsSimpleQuery, type ScriptRunner } from './script-runner.js';
export {
  SqlFileMigrationProvider,
  type SqlFileMigrationProviderOptions,
} from './sql-file-migration-provider.js';
