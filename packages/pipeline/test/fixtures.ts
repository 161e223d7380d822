import { FIXED_NOW, line, validEvent } from '@paymetrics/testing';

export { line, validEvent };

/** The processing time the pipeline tests inject. */
export const NOW = FIXED_NOW;

/** One bad line per dead-letter code the pipeline can produce from a body. */
export function badLines(): Array<{ readonly code: string; readonly body: string | Uint8Array }> {
  return [
    { code: 'invalid_utf8', body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    { code: 'invalid_json', body: '{"schemaVersion":1,' },
    { code: 'not_an_object', body: '[1,2,3]' },
    { code: 'payload_too_large', body: `{"pad":"${'x'.repeat(1024 * 1024 + 10)}"}` },
    { code: 'unsupported_schema_version', body: line(validEvent(1, { schemaVersion: 2 })) },
    { code: 'invalid_event_id', body: line(validEvent(2, { eventId: 'not-a-uuid' })) },
    { code: 'invalid_transaction_id', body: line(validEvent(3, { transactionId: 42 })) },
    { code: 'invalid_occurred_at', body: line(validEvent(4, { occurredAt: '2026-11-27T11:00:00' })) },
    { code: 'invalid_merchant_id', body: line(validEvent(5, { merchantId: 'has space' })) },
    { code: 'invalid_amount', body: line(validEvent(6, { amountMinor: 10.5 })) },
    { code: 'invalid_currency', body: line(validEvent(7, { currency: 'usd' })) },
    { code: 'invalid_payment_method', body: line(validEvent(8, { paymentMethod: 'cash' })) },
    { code: 'invalid_card_brand', body: line(validEvent(0, { cardBrand: 'diners' })) },
    { code: 'missing_card_brand', body: line(validEvent(4, { cardBrand: null })) },
    { code: 'unexpected_card_brand', body: line(validEvent(1, { cardBrand: 'visa' })) },
    { code: 'invalid_channel', body: line(validEvent(9, { channel: 'atm' })) },
    { code: 'invalid_country', body: line(validEvent(10, { country: 'us' })) },
    { code: 'invalid_status', body: line(validEvent(11, { status: 'pending' })) },
    { code: 'invalid_decline_code', body: line(validEvent(14, { declineCode: 'way-too-long-code' })) },
    { code: 'missing_decline_code', body: line(validEvent(14, { declineCode: null })) },
    { code: 'unexpected_decline_code', body: line(validEvent(1, { declineCode: '05' })) },
    { code: 'invalid_processor_latency', body: line(validEvent(12, { processorLatencyMs: -1 })) },
    { code: 'invalid_risk_score', body: line(validEvent(13, { riskScore: 101 })) },
    { code: 'invalid_metadata', body: line(validEvent(15, { metadata: { a: 1 } })) },
    {
      code: 'too_late',
      body: line(validEvent(16, { occurredAt: new Date(NOW - 8 * 24 * 3_600_000).toISOString() })),
    },
    {
      code: 'future_timestamp',
      body: line(validEvent(17, { occurredAt: new Date(NOW + 3_600_000).toISOString() })),
    },
  ];
}
