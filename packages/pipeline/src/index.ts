export type { BatchResult, BatchTimings, EventBatch, RawEvent } from './batch.js';
export {
  assertConservation,
  commitBatch,
  type PipelineDeps,
  type PreparedBatch,
  prepareBatch,
  processBatch,
  processBatchStream,
} from './process-batch.js';
export {
  type RerunnableItem,
  type RerunOptions,
  type RerunOutcome,
  rerunFailedItem,
  retryPartition,
} from './rerun-failed-item.js';
