import { instruments } from '@paymetrics/telemetry';

/**
 * The instruments of the telemetry contract as `@paymetrics/telemetry` defines and records them:
 * the only metric names the exporter writes to `customMetrics`, and the attributes each is
 * recorded with (`customDimensions`), so the only names and dimensions an alert or the workbook
 * may query.
 */
export const contractInstruments: Readonly<Record<string, { readonly attributes: readonly string[] }>> =
  instruments;

export const contractMetricNames: ReadonlySet<string> = new Set(Object.keys(contractInstruments));
