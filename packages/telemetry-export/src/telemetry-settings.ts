/** A telemetry setting that stops the program at start; the message is one line naming it. */
export class TelemetrySettingError extends Error {
  override readonly name = 'TelemetrySettingError';
}

export interface TelemetrySettings {
  readonly applicationInsightsConnectionString: string | undefined;
  readonly otlpEndpoint: string | undefined;
}

export const TelemetrySettingName = {
  connectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
} as const;

/** Reads the two export settings from the environment object the app passes in. */
export function readTelemetrySettings(env: Readonly<Record<string, string | undefined>>): TelemetrySettings {
  const connectionString = env[TelemetrySettingName.connectionString]?.trim() || undefined;
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey=[^;]+/i.test(connectionString)) {
    throw new TelemetrySettingError(
      `${TelemetrySettingName.connectionString} has no InstrumentationKey=... (copy it from the Application Insights resource)`,
    );
  }
  const otlpEndpoint = env[TelemetrySettingName.otlpEndpoint]?.trim() || undefined;
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) {
    throw new TelemetrySettingError(
      `${TelemetrySettingName.otlpEndpoint} must be an http:// or https:// URL`,
    );
  }
  return { applicationInsightsConnectionString: connectionString, otlpEndpoint };
}
