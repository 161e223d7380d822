export { ErrorCode, FailureStage } from './error-codes.js';
export { type FailedItemRecord, type FailedItemStatus, failedItemStatuses } from './failed-item.js';
export { isUuid } from './fast-validate.js';
export { containsPan, maskPans, passesLuhn } from './pan.js';
export {
  type CardBrand,
  type Channel,
  type ContractViolation,
  cardBrands,
  channels,
  MAX_AMOUNT_MINOR,
  MAX_METADATA_KEYS,
  MAX_PROCESSOR_LATENCY_MS,
  type PaymentMethod,
  type PaymentTransaction,
  paymentMethods,
  paymentTransactionSchema,
  type TransactionStatus,
  transactionStatuses,
  type ValidationResult,
  type ValidTransaction,
  validateTransaction,
  validateTransactionWithZod,
} from './payment-transaction.js';
export { isoCountryCodes, isoCurrencyCodes } from './reference-data.js';
export { declineCodePattern, merchantIdPattern } from './transaction-fields.js';
