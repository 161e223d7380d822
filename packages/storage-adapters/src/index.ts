export {
  type ArchiveBatch,
  type ArchiveStore,
  archiveBatchName,
  archiveBatchText,
  archivePathSegment,
  decodeArchiveLine,
  encodeArchiveLine,
  type LargePayloadKey,
  largePayloadName,
  paddedSequence,
  parseArchiveBatchText,
} from './archive-store.js';
export {
  ArchiveStoreError,
  ArchiveStoreErrorCode,
  redactSecrets,
} from './archive-store-error.js';
export {
  type BlobArchiveStoreOptions,
  blobMetadataValue,
  createBlobArchiveStore,
} from './blob/blob-archive-store.js';
export {
  type BlobAccountUrlOptions,
  type BlobConnectionStringOptions,
  type BlobContainerClientOptions,
  createBlobContainerClient,
  DEFAULT_ARCHIVE_CONTAINER_NAME,
} from './blob/blob-container-client.js';
export type {
  AggregateHistogram,
  AggregateHistogramsTable,
  Database,
  DefaultedInt8,
  DimensionsJson,
  DynamicMetric,
  DynamicMetricsTable,
  FailedItemResolution,
  FailedItemRow,
  FailedItemsTable,
  FailedItemUpdate,
  GeneratedTimestamptz,
  Int8,
  NewFailedItem,
  Numeric,
  PaymentMetrics5m,
  PaymentMetrics5mTable,
  ProcessedEvent,
  ProcessedEventsTable,
  SketchJson,
  SourcePosition,
  SourcePositionsTable,
  Timestamptz,
} from './database.js';
export {
  claimDueFailedItems,
  claimFailedItems,
  DEFAULT_CLAIM_LEASE_MS,
  DEFAULT_LIST_LIMIT,
  discardFailedItems,
  type FailedItem,
  type FailedItemFilter,
  type FailedItemOutcome,
  type FailedItemOutcomeKind,
  insertFailedItems,
  listFailedItems,
  MAX_LIST_LIMIT,
  releaseFailedItems,
  resolveFailedItems,
} from './failed-items.js';
export { createFileArchiveStore, type FileArchiveStoreOptions } from './file/file-archive-store.js';
export type {
  BatchCounters,
  BatchWriter,
  EventIdClaim,
  MetricsStore,
  PartitionRef,
} from './metrics-store.js';
export { createPgliteMetricsStore, type PgliteMetricsStoreOptions } from './pglite/pglite-metrics-store.js';
export { type PoolEvents, tolerateConnectionLoss } from './postgres/connection-loss.js';
export {
  createPostgresMetricsStore,
  type PostgresMetricsStoreOptions,
} from './postgres/postgres-metrics-store.js';
export { refreshRollups } from './rollups.js';
export { canonicalDimensionsJson, type EncodedMetricRows, encodeMetricRows } from './sql/batch-rows.js';
export { createKyselyMetricsStore } from './sql/kysely-metrics-store.js';
