export {
  type DecodedPayload,
  type FailedItemView,
  formatFailedItemList,
  formatFailedItemView,
  formatOutcomes,
  viewFailedItem,
} from './failed-item-view.js';
export { formatReconciliation } from './format-report.js';
export {
  type OpsDatabase,
  OpsSettingError,
  type OpsSettings,
  openOpsDatabase,
  readOpsSettings,
} from './ops-database.js';
export { type PruneOptions, type PruneReport, pruneProcessedEvents } from './prune-processed-events.js';
export {
  type CheckResult,
  type CheckStatus,
  formatCount,
  type PartitionReport,
  type ReconcileOptions,
  type ReconciliationReport,
  reconcile,
} from './reconcile.js';
export {
  type RetryFailedItemsDeps,
  type RetryFailedItemsOptions,
  type RetryItemOutcomeKind,
  type RetryItemResult,
  retryFailedItems,
} from './retry-failed-items.js';
export { ExitCode, type OpsIo, runOps } from './run-ops.js';
export { defaultSequencePolicy, type SequencePolicy, type SequencePolicyOf } from './sequence-policy.js';
