/**
 * The instruments of the telemetry contract (ARCHITECTURE, "Telemetry"): the only metric names the
 * exporter writes to `customMetrics`, and the attributes each is recorded with (`customDimensions`),
 * so the only names and dimensions an alert or the workbook may query. Taken from the contract
 * table until `@paymetrics/telemetry` (issue 10) is on main; then read from its `instruments`.
 */
export const contractInstruments: Readonly<Record<string, { readonly attributes: readonly string[] }>> = {
  'paymetrics.events.received': { attributes: ['source_kind', 'partition'] },
  'paymetrics.events.counted': { attributes: ['source_kind', 'partition'] },
  'paymetrics.events.dead_lettered': { attributes: ['code'] },
  'paymetrics.events.duplicate': { attributes: [] },
  'paymetrics.batch.duration': { attributes: ['outcome'] },
  'paymetrics.batch.commit.duration': { attributes: [] },
  'paymetrics.event.lag': { attributes: [] },
  'paymetrics.batch.failures': { attributes: ['kind'] },
  'paymetrics.storage.failures': { attributes: ['store', 'reason'] },
  'paymetrics.dead_letter.pending': { attributes: ['status'] },
  'paymetrics.anomalies.open': { attributes: ['metric'] },
};

export const contractMetricNames: ReadonlySet<string> = new Set(Object.keys(contractInstruments));
