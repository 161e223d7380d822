export { type ExitFlushOptions, flushOnExit } from './exit-flush.js';
export {
  type PgModule,
  startTelemetryExport,
  type TelemetryExport,
  type TelemetryExportKind,
  type TelemetryExportOptions,
} from './start-telemetry-export.js';
