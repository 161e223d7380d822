export {
  classifyFailure,
  DeadLetterErrorCode,
  type FailureClassification,
  type FailureKind,
  FailureReason,
  isRetryable,
  RetryableBatchError,
} from './classify.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  type DecodeErrorCode,
  type DecodeOptions,
  type DecodeResult,
  decodeEventBody,
} from './decode.js';
export {
  claimDueFailedItems,
  DEFAULT_CLAIM_LEASE_MS,
  DEFAULT_LIST_LIMIT,
  discardFailedItems,
  type FailedItem,
  type FailedItemFilter,
  type FailedItemOutcome,
  type FailedItemOutcomeKind,
  type FailedItemsDatabase,
  type FailedItemsTable,
  insertFailedItems,
  listFailedItems,
  MAX_LIST_LIMIT,
  releaseFailedItems,
  resolveFailedItems,
} from './failed-items.js';
export {
  type CreatedFailedItem,
  type CreateFailedItemInput,
  createFailedItem,
  DEFAULT_FUTURE_TOLERANCE_MS,
  DEFAULT_MAX_INLINE_BYTES,
  MAX_ERROR_MESSAGE_LENGTH,
  overflowBlobName,
  sanitizeErrorMessage,
  withPayloadRef,
} from './poison.js';
