export { type ExitFlushOptions, exitWhenStuck, flushOnExit } from './exit-flush.js';
export {
  type PgModule,
  startTelemetryExport,
  type TelemetryDestination,
  type TelemetryExport,
  type TelemetryExportKind,
  type TelemetryExportOptions,
} from './start-telemetry-export.js';
