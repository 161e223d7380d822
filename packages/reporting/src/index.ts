export { type Anomaly, type AnomalyReport, readAnomalies } from './anomalies.js';
export {
  type BreakdownDimension,
  type BreakdownRow,
  type Breakdowns,
  breakdownDimensions,
  readBreakdowns,
} from './breakdowns.js';
export {
  type DeadLetterCode,
  type DeadLetterReport,
  readDeadLetter,
} from './dead-letter.js';
export { type DeclineCodeTotals, type DeclineReport, readDeclines } from './declines.js';
export { type MerchantRow, readMerchants } from './merchants.js';
export { type DataStatus, readDataStatus, resolveRange } from './meta.js';
export {
  bucketStarts,
  type Grain,
  grainMs,
  isRangeName,
  type RangeName,
  type ReportRange,
  rangeNames,
  reportRange,
} from './range.js';
export type { ReportFilter, ReportingDatabase } from './reporting-database.js';
export { readSegments, type SegmentReport } from './segments.js';
export { type LatencyQuantiles, latencyQuantiles, mergedLatencySketches } from './sketches.js';
export { type CurrencyVolume, type PeriodTotals, readSummary, type Summary } from './summary.js';
export { readTimeSeries, type TimeSeries } from './time-series.js';
