export type { BatchResult, BatchTimings, EventBatch, RawEvent } from './batch.js';
export { assertConservation, type PipelineDeps, processBatch } from './process-batch.js';
