export { ErrorCode, FailureStage } from './error-codes.js';
export { containsPan, maskPans, passesLuhn } from './pan.js';
export {
  MAX_AMOUNT_MINOR,
  MAX_METADATA_KEYS,
  MAX_PROCESSOR_LATENCY_MS,
  cardBrands,
  channels,
  paymentMethods,
  paymentTransactionSchema,
  transactionStatuses,
  validateTransaction,
  type CardBrand,
  type Channel,
  type ContractViolation,
  type PaymentMethod,
  type PaymentTransaction,
  type TransactionStatus,
  type ValidTransaction,
  type ValidationResult,
} from './payment-transaction.js';
export { isoCountryCodes, isoCurrencyCodes } from './reference-data.js';
export { failedItemStatuses, type FailedItemRecord, type FailedItemStatus } from './failed-item.js';
