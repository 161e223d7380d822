/**
 * Stable codes for every reason an event is dead-lettered. Dashboards and operators filter
 * `failed_items.error_code` by these strings: never rename one, only add.
 */
export const ErrorCode = {
  // decode stage: the body is not a JSON object
  invalidUtf8: 'invalid_utf8',
  invalidJson: 'invalid_json',
  notAnObject: 'not_an_object',
  payloadTooLarge: 'payload_too_large',
  // validate stage: one code per contract rule
  unsupportedSchemaVersion: 'unsupported_schema_version',
  invalidEventId: 'invalid_event_id',
  invalidTransactionId: 'invalid_transaction_id',
  invalidOccurredAt: 'invalid_occurred_at',
  invalidMerchantId: 'invalid_merchant_id',
  invalidAmount: 'invalid_amount',
  invalidCurrency: 'invalid_currency',
  invalidPaymentMethod: 'invalid_payment_method',
  invalidCardBrand: 'invalid_card_brand',
  missingCardBrand: 'missing_card_brand',
  unexpectedCardBrand: 'unexpected_card_brand',
  invalidChannel: 'invalid_channel',
  invalidCountry: 'invalid_country',
  invalidStatus: 'invalid_status',
  invalidDeclineCode: 'invalid_decline_code',
  missingDeclineCode: 'missing_decline_code',
  unexpectedDeclineCode: 'unexpected_decline_code',
  invalidProcessorLatency: 'invalid_processor_latency',
  invalidRiskScore: 'invalid_risk_score',
  invalidMetadata: 'invalid_metadata',
  // bounds stage: valid, but outside the accepted event-time range
  tooLate: 'too_late',
  futureTimestamp: 'future_timestamp',
  // any stage: handling this one event threw (a runtime limit, a defect); the rest of its batch
  // is unaffected, so one event can never fail, and so stall, its partition
  processingError: 'processing_error',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in the pipeline an event was rejected. */
export const FailureStage = {
  decode: 'decode',
  validate: 'validate',
  bounds: 'bounds',
  derive: 'derive',
} as const;

export type FailureStage = (typeof FailureStage)[keyof typeof FailureStage];
