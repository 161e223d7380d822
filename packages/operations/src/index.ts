export {
  type DecodedPayload,
  type FailedItemView,
  formatFailedItemList,
  formatFailedItemView,
  formatOutcomes,
  summarizeOutcomes,
  viewFailedItem,
} from './failed-item-view.js';
export { coverage, formatReconciliation } from './format-reconciliation.js';
export { type PruneOptions, type PruneReport, pruneProcessedEvents } from './prune-processed-events.js';
export {
  defaultReconcileRange,
  type ReconcileOptions,
  type ReconciliationReport,
  reconcile,
} from './reconcile.js';
export type { CheckResult, CheckStatus, PartitionReport } from './reconcile-checks.js';
export { formatCount } from './reconcile-sentences.js';
export {
  type FailedItemRetryDeps,
  type RetryItemOutcomeKind,
  type RetryItemResult,
  type RetryPolicy,
  type RetryRunSummary,
  retryDelayMs,
  retryDueFailedItems,
  retryFailedItems,
} from './retry-failed-items.js';
export { defaultSequencePolicy, type SequencePolicy, type SequencePolicyOf } from './sequence-policy.js';
