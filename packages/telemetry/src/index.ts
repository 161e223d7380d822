export {
  type BatchFailure,
  type BatchReport,
  BatchTrace,
  type StoreName,
  type TracedBatch,
} from './batch-trace.js';
export {
  type DatabaseGaugeOptions,
  type DatabaseGauges,
  type GaugeReadings,
  registerDatabaseGauges,
} from './database-gauges.js';
export { type GaugeQueryOptions, readGaugeCounts } from './gauge-queries.js';
export {
  BatchOutcome,
  type InstrumentKind,
  InstrumentName,
  type InstrumentSpec,
  instrumentNames,
  instruments,
  SpanName,
  TELEMETRY_SCOPE,
} from './instruments.js';
export { createPublishTrace, type PublishTrace } from './publish-trace.js';
export { type SourceKind, sourceKind } from './source-kind.js';
