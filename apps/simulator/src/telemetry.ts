import { flushOnExit, startTelemetryExport, type TelemetryExport } from '@paymetrics/telemetry-export';
import pg from 'pg';
import { SettingError } from './settings.js';

export interface TelemetrySettings {
  readonly applicationInsightsConnectionString: string | undefined;
  readonly otlpEndpoint: string | undefined;
}

export function readTelemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey=[^;]+/i.test(connectionString)) {
    throw new SettingError(
      'APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey=... (copy it from the Application Insights resource)',
    );
  }
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/]/.test(otlpEndpoint)) {
    throw new SettingError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL');
  }
  return { applicationInsightsConnectionString: connectionString, otlpEndpoint };
}

/** Starts exporting this run's telemetry (if configured); it is flushed on exit and on SIGTERM/SIGINT. */
export function startRunTelemetry(settings: TelemetrySettings): TelemetryExport {
  const telemetry = startTelemetryExport({ serviceName: 'paymetrics-simulator', ...settings, pg });
  flushOnExit(telemetry);
  return telemetry;
}
