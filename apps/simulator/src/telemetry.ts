import type { TelemetrySettings } from '@paymetrics/runtime';
import { flushOnExit, startTelemetryExport, type TelemetryExport } from '@paymetrics/telemetry-export';
import pg from 'pg';

/**
 * Starts exporting this run's telemetry (if configured); it is flushed on exit, and on SIGTERM or
 * SIGINT once `drain` has let the batch in flight settle.
 */
export async function startRunTelemetry(
  settings: TelemetrySettings,
  drain: () => Promise<void>,
): Promise<TelemetryExport> {
  const telemetry = await startTelemetryExport({
    serviceName: 'paymetrics-simulator',
    destination: settings,
    pg,
  });
  flushOnExit(telemetry, { drain });
  return telemetry;
}
