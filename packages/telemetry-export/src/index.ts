export { type ExitFlushOptions, exitWhenStuck, flushOnExit } from './exit-flush.js';
export {
  type PgModule,
  startTelemetryExport,
  type TelemetryExport,
  type TelemetryExportKind,
  type TelemetryExportOptions,
} from './start-telemetry-export.js';
export {
  readTelemetrySettings,
  TelemetrySettingError,
  TelemetrySettingName,
  type TelemetrySettings,
} from './telemetry-settings.js';
