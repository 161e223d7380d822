import {
  flushOnExit,
  startTelemetryExport,
  type TelemetryExport,
  type TelemetrySettings,
} from '@paymetrics/telemetry-export';
import pg from 'pg';

/** Starts exporting this run's telemetry (if configured); it is flushed on exit and on SIGTERM/SIGINT. */
export function startRunTelemetry(settings: TelemetrySettings): TelemetryExport {
  const telemetry = startTelemetryExport({ serviceName: 'paymetrics-simulator', ...settings, pg });
  flushOnExit(telemetry);
  return telemetry;
}
