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
  type CreatedFailedItem,
  type CreateFailedItemInput,
  createFailedItem,
  DEFAULT_FUTURE_TOLERANCE_MS,
  DEFAULT_MAX_INLINE_BYTES,
  MAX_ERROR_MESSAGE_LENGTH,
  sanitizeErrorMessage,
  withPayloadRef,
} from './poison.js';
