/**
 * The instrument names of the telemetry contract (ARCHITECTURE, "Telemetry"): the only names the
 * exporter writes to `customMetrics`, so the only names an alert or the workbook may query.
 * Taken from the contract table until `@paymetrics/telemetry` (issue 10) lands on main; then this
 * list is read from that package's instrument definitions instead.
 */
export const contractMetricNames: ReadonlySet<string> = new Set([
  'paymetrics.events.received',
  'paymetrics.events.counted',
  'paymetrics.events.dead_lettered',
  'paymetrics.events.duplicate',
  'paymetrics.batch.duration',
  'paymetrics.batch.commit.duration',
  'paymetrics.event.lag',
  'paymetrics.batch.failures',
  'paymetrics.storage.failures',
  'paymetrics.dead_letter.pending',
  'paymetrics.anomalies.open',
]);
