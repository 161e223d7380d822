/** A valid event body to mutate; only `eventId` changes per use, so each counts once. */
export function validBody(eventId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    eventId,
    transactionId: '0b40df7b-0f28-425c-8764-37b956ecd059',
    occurredAt: '2026-11-27T11:31:00.000Z',
    merchantId: 'm_hostile',
    amountMinor: 1_250,
    currency: 'EUR',
    paymentMethod: 'card',
    cardBrand: 'visa',
    channel: 'ecommerce',
    country: 'DE',
    status: 'approved',
    processorLatencyMs: 120,
    ...overrides,
  };
}

/** The raw JSON of a valid event with `extra` spliced in verbatim (for keys JSON.stringify cannot write). */
function withRawField(eventId: string, extra: string): string {
  return `${JSON.stringify(validBody(eventId)).slice(0, -1)},${extra}}`;
}

export interface BadInputCase {
  readonly name: string;
  readonly body: (eventId: string) => string | Uint8Array;
  /** The stable failed_items code; null for legal input that must simply be counted. */
  readonly code: string | null;
}

const depth = 100_000;

/** The bad-input catalog: hostile or broken bodies and the code each must be parked with. */
export const badInputCases: readonly BadInputCase[] = [
  {
    name: 'invalid UTF-8',
    code: 'invalid_utf8',
    body: () => new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0x28, 0x7d]),
  },
  { name: 'truncated JSON', code: 'invalid_json', body: (id) => JSON.stringify(validBody(id)).slice(0, 57) },
  {
    name: 'a 10 MB body',
    code: 'payload_too_large',
    body: (id) => withRawField(id, `"pad":"${'x'.repeat(10 * 1024 * 1024)}"`),
  },
  {
    name: 'arrays nested 100,000 levels deep',
    code: 'not_an_object',
    body: () => `${'['.repeat(depth)}${']'.repeat(depth)}`,
  },
  {
    name: 'metadata nested 100,000 levels deep',
    code: 'invalid_metadata',
    body: (id) => withRawField(id, `"metadata":{"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
  },
  {
    name: 'an amount beyond 2^53',
    code: 'invalid_amount',
    body: (id) => withRawField(id, '"amountMinor":9007199254740993'),
  },
  { name: 'NaN as a number', code: 'invalid_json', body: (id) => withRawField(id, '"riskScore":NaN') },
  {
    name: 'Infinity as a number',
    code: 'invalid_json',
    body: (id) => withRawField(id, '"processorLatencyMs":Infinity'),
  },
  {
    name: 'a zero-width space in merchantId',
    code: 'invalid_merchant_id',
    body: (id) => JSON.stringify(validBody(id, { merchantId: 'm_1\u200b' })),
  },
  {
    name: 'a right-to-left override in merchantId',
    code: 'invalid_merchant_id',
    body: (id) => JSON.stringify(validBody(id, { merchantId: '\u202em_1' })),
  },
  {
    name: 'a zero-width joiner in currency',
    code: 'invalid_currency',
    body: (id) => JSON.stringify(validBody(id, { currency: 'EU\u200dR' })),
  },
  {
    name: 'the date 2026-02-30',
    code: 'invalid_occurred_at',
    body: (id) => JSON.stringify(validBody(id, { occurredAt: '2026-02-30T10:00:00Z' })),
  },
  {
    name: 'the time 23:59:60',
    code: 'invalid_occurred_at',
    body: (id) => JSON.stringify(validBody(id, { occurredAt: '2026-11-26T23:59:60Z' })),
  },
  {
    name: 'the year 10000',
    code: 'invalid_occurred_at',
    body: (id) => JSON.stringify(validBody(id, { occurredAt: '10000-01-01T00:00:00Z' })),
  },
  { name: 'an empty body', code: 'invalid_json', body: () => '' },
  { name: 'a JSON array as the body', code: 'not_an_object', body: (id) => JSON.stringify([validBody(id)]) },
  {
    name: '__proto__ with an object value in metadata',
    code: 'invalid_metadata',
    body: (id) => withRawField(id, '"metadata":{"__proto__":{"polluted":"yes"}}'),
  },
  {
    name: '__proto__ and constructor as metadata keys',
    code: null,
    body: (id) => withRawField(id, '"metadata":{"__proto__":"x","constructor":"y","toString":"z"}'),
  },
  {
    name: '__proto__ as a top-level field',
    code: null,
    body: (id) =>
      withRawField(id, '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}'),
  },
  {
    name: 'SQL text in metadata',
    code: null,
    body: (id) =>
      JSON.stringify(
        validBody(id, { metadata: { note: "'); DROP TABLE failed_items; --", q: "1' OR '1'='1" } }),
      ),
  },
];
