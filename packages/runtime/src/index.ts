// The one reading of pg errors; it lives in migrations, which the runtime builds on.
export { isConnectionFailure, postgresErrorCode } from '@paymetrics/migrations';
export { type OpenedArchive, openArchive } from './archive.js';
export { createRuntime, type Runtime, type RuntimeOptions } from './create-runtime.js';
export { describeDatabaseUrl } from './database-url.js';
export { type EntraPasswordOptions, entraPassword, POSTGRES_ENTRA_SCOPE } from './entra-password.js';
export { type OpenDatabaseOptions, type OpenedDatabase, openDatabase } from './open-database.js';
export {
  type OpenReaderOptions,
  openReaderDatabase,
  READER_ROLE,
  type ReaderDatabase,
} from './open-reader-database.js';
export { createPool, type PoolOptions } from './pool.js';
export { Secret } from './secret.js';
export { SettingError } from './setting-error.js';
export {
  type ArchiveSettings,
  type DatabaseAuth,
  defaultPoolSettings,
  describeEventHub,
  type Env,
  type EventHubSettings,
  type PoolSettings,
  type ReadSettingsOptions,
  type RetrySettings,
  readSettings,
  readTelemetrySettings,
  requireEventHub,
  resolveUserPath,
  SettingName,
  type Settings,
  type TelemetrySettings,
} from './settings.js';
