export type { BatchResult, BatchTimings, EventBatch, RawEvent } from './batch.js';
export {
  assertConservation,
  commitBatch,
  commitRetry,
  type PipelineDeps,
  type PreparedBatch,
  prepareBatch,
  processBatch,
  processBatchStream,
  type RetryCommit,
} from './process-batch.js';
export { type EventIdLookup, RecentEventIds } from './recent-event-ids.js';
export {
  type RerunnableItem,
  type RerunOptions,
  type RerunOutcome,
  rerunFailedItem,
} from './rerun-failed-item.js';
