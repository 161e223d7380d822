import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';
import { fastValidTransaction } from './fast-validate.js';
import {
  cardBrands,
  channels,
  MAX_AMOUNT_MINOR,
  MAX_METADATA_KEYS,
  MAX_PROCESSOR_LATENCY_MS,
  paymentMethods,
  transactionStatuses,
  validateTransaction,
  validateTransactionWithZod,
} from './payment-transaction.js';

const valid = {
  schemaVersion: 1,
  eventId: '0b8f8f3e-6a0f-4c1e-9a53-5b3c2e1d7f10',
  transactionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  occurredAt: '2026-03-01T10:05:00Z',
  merchantId: 'merchant_01',
  amountMinor: 1999,
  currency: 'EUR',
  paymentMethod: 'card',
  cardBrand: 'visa',
  channel: 'ecommerce',
  country: 'DE',
  status: 'approved',
  processorLatencyMs: 120,
} as const;

type Overrides = Record<string, unknown>;

/** The valid event with some fields replaced; a field set to `undefined` is removed, not set. */
function event(overrides: Overrides = {}): Record<string, unknown> {
  const result: Record<string, unknown> = { ...valid };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

/**
 * Every case runs through both validators: zod alone (the reference) and the hot-path check,
 * which must accept exactly what zod accepts, with the same output.
 */
function expectValid(body: unknown) {
  const result = validateTransaction(body);
  if (!result.ok) throw new Error(`expected valid, got ${result.code}: ${result.message}`);
  expect(validateTransactionWithZod(body)).toEqual(result);
  const fast = fastValidTransaction(body);
  expect(fast, 'the hot-path check refused a valid event').toBeDefined();
  expect(fast?.transaction).toStrictEqual(result.transaction);
  return result;
}

function expectViolation(body: unknown, code: ErrorCode, field: string | undefined) {
  expect(fastValidTransaction(body), 'the hot-path check accepted an invalid event').toBeUndefined();
  expect(validateTransactionWithZod(body)).toEqual(validateTransaction(body));
  const result = validateTransaction(body);
  if (result.ok) throw new Error(`expected ${code}, but the event was accepted`);
  expect(result.code).toBe(code);
  expect(result.field).toBe(field);
  if (field !== undefined) expect(result.message).toContain(field);
  return result;
}

describe('validateTransaction: a complete valid event', () => {
  it('accepts it and resolves occurredAt to epoch milliseconds', () => {
    const result = expectValid(event());
    expect(result.transaction).toEqual(valid);
    expect(result.occurredAtMs).toBe(Date.UTC(2026, 2, 1, 10, 5, 0));
  });

  it('ignores unknown extra fields and leaves them out of the output', () => {
    const result = expectValid(event({ extra: 'x', nested: { a: 1 }, SchemaVersion: 2 }));
    expect(result.transaction).not.toHaveProperty('extra');
    expect(result.transaction).not.toHaveProperty('nested');
    expect(result.transaction).not.toHaveProperty('SchemaVersion');
    expect(Object.keys(result.transaction).sort()).toEqual(Object.keys(valid).sort());
  });

  it('drops an unknown __proto__ field from JSON without touching any prototype', () => {
    const body = JSON.parse(`{${JSON.stringify(valid).slice(1, -1)},"__proto__":{"polluted":"yes"}}`);
    const result = expectValid(body);
    expect(Object.hasOwn(result.transaction, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(result.transaction)).toBe(Object.prototype);
    expect((result.transaction as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validateTransaction: schemaVersion', () => {
  it.each<[string, unknown]>([
    ['2', 2],
    ['the string "1"', '1'],
    ['0', 0],
    ['1.5', 1.5],
    ['null', null],
    ['missing', undefined],
  ])('rejects %s as unsupported_schema_version', (_name, schemaVersion) => {
    const result = expectViolation(
      event({ schemaVersion }),
      ErrorCode.unsupportedSchemaVersion,
      'schemaVersion',
    );
    expect(result.message).toContain('expected 1');
  });

  it('reports an unsupported version before any other broken rule', () => {
    expectViolation(
      event({ schemaVersion: 2, amountMinor: 'lots', eventId: 'x' }),
      ErrorCode.unsupportedSchemaVersion,
      'schemaVersion',
    );
  });
});

describe('validateTransaction: body that is not an object', () => {
  it.each<[string, unknown]>([
    ['an array', [valid]],
    ['a string', 'event'],
    ['a number', 1],
    ['null', null],
    ['true', true],
  ])('rejects %s as not_an_object', (_name, body) => {
    expectViolation(body, ErrorCode.notAnObject, undefined);
  });
});

describe('validateTransaction: eventId and transactionId', () => {
  const uuids: [string, unknown, boolean][] = [
    ['a random (v4) UUID', '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7c', true],
    ['an upper-case UUID', '3F2C1A7E-9B4D-4E8A-8F1C-2D3E4F5A6B7C', true],
    ['a time-ordered (v7) UUID', '01890a5d-ac96-774b-bcce-b302099a8057', true],
    ['a UUID without dashes', '3f2c1a7e9b4d4e8a8f1c2d3e4f5a6b7c', false],
    ['a UUID in braces', '{3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7c}', false],
    ['a UUID with a bad variant', '3f2c1a7e-9b4d-4e8a-0f1c-2d3e4f5a6b7c', false],
    ['a truncated UUID', '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7', false],
    ['a non-hex character', '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7g', false],
    ['an empty string', '', false],
    ['a number', 42, false],
    ['null', null, false],
    ['missing', undefined, false],
  ];

  it.each(uuids)('eventId: %s (valid: %s)', (_name, eventId, ok) => {
    if (ok) expect(expectValid(event({ eventId })).transaction.eventId).toBe(eventId);
    else expectViolation(event({ eventId }), ErrorCode.invalidEventId, 'eventId');
  });

  it.each(uuids)('transactionId: %s (valid: %s)', (_name, transactionId, ok) => {
    if (ok) expect(expectValid(event({ transactionId })).transaction.transactionId).toBe(transactionId);
    else expectViolation(event({ transactionId }), ErrorCode.invalidTransactionId, 'transactionId');
  });
});

describe('validateTransaction: occurredAt', () => {
  it.each<[string, string, number]>([
    ['Z', '2026-03-01T10:05:00Z', Date.UTC(2026, 2, 1, 10, 5, 0)],
    ['+05:30', '2026-03-01T15:35:00+05:30', Date.UTC(2026, 2, 1, 10, 5, 0)],
    ['-08:00', '2026-03-01T02:05:00-08:00', Date.UTC(2026, 2, 1, 10, 5, 0)],
    ['+00:00', '2026-03-01T10:05:00+00:00', Date.UTC(2026, 2, 1, 10, 5, 0)],
    ['one fraction digit', '2026-03-01T10:05:00.5Z', Date.UTC(2026, 2, 1, 10, 5, 0, 500)],
    ['milliseconds', '2026-03-01T10:05:00.123Z', Date.UTC(2026, 2, 1, 10, 5, 0, 123)],
    [
      'nanoseconds with an offset',
      '2026-03-01T15:35:00.123456789+05:30',
      Date.UTC(2026, 2, 1, 10, 5, 0, 123),
    ],
    [
      'a fraction with a negative offset',
      '2026-03-01T02:05:00.250-08:00',
      Date.UTC(2026, 2, 1, 10, 5, 0, 250),
    ],
    ['a leap day', '2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['an offset crossing midnight', '2026-03-01T00:30:00+05:30', Date.UTC(2026, 1, 28, 19, 0, 0)],
  ])('accepts %s and converts it to UTC', (_name, occurredAt, expectedMs) => {
    const result = expectValid(event({ occurredAt }));
    expect(result.occurredAtMs).toBe(expectedMs);
    expect(result.transaction.occurredAt).toBe(occurredAt);
  });

  it.each<[string, unknown]>([
    ['an impossible date (2026-02-30)', '2026-02-30T10:00:00Z'],
    ['a leap day in a common year', '2026-02-29T10:00:00Z'],
    ['April 31', '2026-04-31T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['a leap second (23:59:60)', '2026-12-31T23:59:60Z'],
    ['hour 24', '2026-03-01T24:00:00Z'],
    ['year 10000', '10000-01-01T00:00:00Z'],
    ['no offset', '2026-03-01T10:05:00'],
    ['no offset with a fraction', '2026-03-01T10:05:00.123'],
    ['an offset without a colon', '2026-03-01T10:05:00+0530'],
    ['an hours-only offset', '2026-03-01T10:05:00+05'],
    ['an offset beyond 23:59', '2026-03-01T10:05:00+24:00'],
    ['no seconds', '2026-03-01T10:05Z'],
    ['a date only', '2026-03-01'],
    ['a space instead of T', '2026-03-01 10:05:00Z'],
    ['a lower-case t and z', '2026-03-01t10:05:00z'],
    ['an empty fraction', '2026-03-01T10:05:00.Z'],
    ['a named zone', '2026-03-01T10:05:00 UTC'],
    ['an RFC 2822 date', 'Sun, 01 Mar 2026 10:05:00 GMT'],
    ['epoch milliseconds', 1772359500000],
    ['an empty string', ''],
    ['null', null],
    ['missing', undefined],
  ])('rejects %s', (_name, occurredAt) => {
    expectViolation(event({ occurredAt }), ErrorCode.invalidOccurredAt, 'occurredAt');
  });
});

describe('validateTransaction: merchantId', () => {
  it.each<[string, string]>([
    ['one character', 'm'],
    ['64 characters', 'm'.repeat(64)],
    ['every allowed character class', 'Az09_.-'],
    ['a long digit run that is no card number', 'm_4111111111111112'],
  ])('accepts %s', (_name, merchantId) => {
    expect(expectValid(event({ merchantId })).transaction.merchantId).toBe(merchantId);
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['65 characters', 'm'.repeat(65)],
    ['a space', 'merchant 1'],
    ['a slash', 'merchant/1'],
    ['a colon', 'merchant:1'],
    ['a non-ASCII letter', 'märchant'],
    ['a trailing newline', 'merchant\n'],
    ['a number', 42],
    ['null', null],
    ['missing', undefined],
    ['a card number', '4111111111111111'],
    ['a card number inside', 'shop-5555-5555-5555-4444'],
  ])('rejects %s', (_name, merchantId) => {
    expectViolation(event({ merchantId }), ErrorCode.invalidMerchantId, 'merchantId');
  });
});

describe('validateTransaction: amountMinor', () => {
  it.each<[string, number]>([
    ['zero', 0],
    ['a typical amount', 1999],
    ['exactly 1e12', MAX_AMOUNT_MINOR],
  ])('accepts %s', (_name, amountMinor) => {
    expect(expectValid(event({ amountMinor })).transaction.amountMinor).toBe(amountMinor);
  });

  it.each<[string, unknown, string]>([
    ['a float amount', 19.99, 'integer'],
    ['a string amount', '1999', 'integer'],
    ['an amount above 1e12', MAX_AMOUNT_MINOR + 1, 'at most'],
    ['an amount far above 1e12', 1e15, 'at most'],
    ['an amount beyond 2^53', 2 ** 53 + 2, 'amountMinor'],
    ['a negative amount', -1, 'negative'],
    ['Infinity', Number.POSITIVE_INFINITY, 'amountMinor'],
    ['NaN', Number.NaN, 'amountMinor'],
    ['null', null, 'amountMinor'],
    ['missing', undefined, 'amountMinor'],
  ])('rejects %s', (_name, amountMinor, wording) => {
    const result = expectViolation(event({ amountMinor }), ErrorCode.invalidAmount, 'amountMinor');
    expect(result.message).toContain(wording);
  });
});

describe('validateTransaction: currency', () => {
  // CLF, CHE, USN: ISO 4217 fund codes that Node's ICU data does not list; XCG: added in 2025.
  it.each(['EUR', 'USD', 'JPY', 'GBP', 'CHF', 'BHD', 'CLF', 'CHE', 'USN', 'XCG'])(
    'accepts %s',
    (currency) => {
      expect(expectValid(event({ currency })).transaction.currency).toBe(currency);
    },
  );

  it.each<[string, unknown]>([
    ['lower case', 'eur'],
    ['mixed case', 'Eur'],
    ['an unknown code (XYZ)', 'XYZ'],
    ['a withdrawn code ICU still lists (HRK, replaced by EUR in 2023)', 'HRK'],
    ['a two-letter code', 'EU'],
    ['a four-letter code', 'EURO'],
    ['a numeric code', '978'],
    ['a symbol', '€'],
    ['padding', ' EUR'],
    ['a number', 978],
    ['null', null],
    ['missing', undefined],
  ])('rejects %s', (_name, currency) => {
    expectViolation(event({ currency }), ErrorCode.invalidCurrency, 'currency');
  });
});

describe('validateTransaction: country', () => {
  it.each(['DE', 'US', 'IN', 'JP', 'BR', 'GB'])('accepts %s', (country) => {
    expect(expectValid(event({ country })).transaction.country).toBe(country);
  });

  it.each<[string, unknown]>([
    ['lower case', 'de'],
    ['mixed case', 'De'],
    ['alpha-3', 'DEU'],
    ['the reserved code EU', 'EU'],
    ['the reserved code UN', 'UN'],
    ['an unassigned code', 'QQ'],
    ['ZZ (unknown region)', 'ZZ'],
    ['the pseudo-region XA that ICU names', 'XA'],
    ['the pseudo-region XB that ICU names', 'XB'],
    ['XK (Kosovo: user-assigned, not in ISO 3166-1)', 'XK'],
    ['a numeric code', '276'],
    ['a number', 276],
    ['null', null],
    ['missing', undefined],
  ])('rejects %s', (_name, country) => {
    expectViolation(event({ country }), ErrorCode.invalidCountry, 'country');
  });
});

describe('validateTransaction: enums', () => {
  it.each(paymentMethods.filter((m) => m !== 'card'))(
    'accepts paymentMethod %s without a card brand',
    (paymentMethod) => {
      expect(expectValid(event({ paymentMethod, cardBrand: undefined })).transaction.paymentMethod).toBe(
        paymentMethod,
      );
    },
  );

  it.each(cardBrands)('accepts cardBrand %s on a card payment', (cardBrand) => {
    expect(expectValid(event({ paymentMethod: 'card', cardBrand })).transaction.cardBrand).toBe(cardBrand);
  });

  it.each(channels)('accepts channel %s', (channel) => {
    expect(expectValid(event({ channel })).transaction.channel).toBe(channel);
  });

  it.each(transactionStatuses)('accepts status %s', (status) => {
    const declineCode = status === 'declined' ? '05' : undefined;
    expect(expectValid(event({ status, declineCode })).transaction.status).toBe(status);
  });

  const invalidEnumValues: [string, unknown][] = [
    ['upper case', 'CARD'],
    ['an unknown value', 'cash'],
    ['an empty string', ''],
    ['a number', 1],
    ['null', null],
    ['missing', undefined],
  ];

  it.each(invalidEnumValues)('rejects paymentMethod: %s', (_name, paymentMethod) => {
    expectViolation(event({ paymentMethod }), ErrorCode.invalidPaymentMethod, 'paymentMethod');
  });

  it.each(invalidEnumValues)('rejects channel: %s', (_name, value) => {
    const channel = value === 'CARD' ? 'POS' : value;
    expectViolation(event({ channel }), ErrorCode.invalidChannel, 'channel');
  });

  it.each(invalidEnumValues)('rejects status: %s', (_name, value) => {
    const status = value === 'CARD' ? 'APPROVED' : value;
    expectViolation(event({ status }), ErrorCode.invalidStatus, 'status');
  });

  it.each<[string, unknown]>([
    ['upper case', 'VISA'],
    ['an unknown brand', 'diners'],
    ['the storage placeholder none', 'none'],
    ['an empty string', ''],
    ['a number', 4],
  ])('rejects cardBrand: %s', (_name, cardBrand) => {
    expectViolation(event({ cardBrand }), ErrorCode.invalidCardBrand, 'cardBrand');
  });
});

describe('validateTransaction: cardBrand depends on paymentMethod', () => {
  it.each<[string, unknown]>([
    ['absent', undefined],
    ['null', null],
  ])('rejects a card payment whose brand is %s', (_name, cardBrand) => {
    const result = expectViolation(event({ cardBrand }), ErrorCode.missingCardBrand, 'cardBrand');
    expect(result.message).toContain('card');
  });

  it.each(paymentMethods.filter((m) => m !== 'card'))('rejects a brand on a %s payment', (paymentMethod) => {
    const result = expectViolation(
      event({ paymentMethod, cardBrand: 'visa' }),
      ErrorCode.unexpectedCardBrand,
      'cardBrand',
    );
    expect(result.message).toContain(paymentMethod);
  });

  it('accepts a null brand on a wallet payment and keeps it null', () => {
    expect(expectValid(event({ paymentMethod: 'wallet', cardBrand: null })).transaction.cardBrand).toBeNull();
  });
});

describe('validateTransaction: declineCode depends on status', () => {
  it.each(['05', 'D', 'do_not_h', 'ABC_1234'])(
    'accepts declineCode %s on a declined payment',
    (declineCode) => {
      expect(expectValid(event({ status: 'declined', declineCode })).transaction.declineCode).toBe(
        declineCode,
      );
    },
  );

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['9 characters', 'ABCDEFGHI'],
    ['a dash', 'do-not'],
    ['a space', 'do not'],
    ['a dot', '05.1'],
    ['a number', 5],
  ])('rejects a declineCode with %s', (_name, declineCode) => {
    expectViolation(event({ status: 'declined', declineCode }), ErrorCode.invalidDeclineCode, 'declineCode');
  });

  it.each<[string, unknown]>([
    ['absent', undefined],
    ['null', null],
  ])('rejects a declined payment whose declineCode is %s', (_name, declineCode) => {
    const result = expectViolation(
      event({ status: 'declined', declineCode }),
      ErrorCode.missingDeclineCode,
      'declineCode',
    );
    expect(result.message).toContain('declined');
  });

  it.each(['approved', 'error'])('rejects a declineCode on an %s payment', (status) => {
    const result = expectViolation(
      event({ status, declineCode: '05' }),
      ErrorCode.unexpectedDeclineCode,
      'declineCode',
    );
    expect(result.message).toContain(status);
  });

  it('accepts a null declineCode on an approved payment', () => {
    expect(expectValid(event({ declineCode: null })).transaction.declineCode).toBeNull();
  });
});

describe('validateTransaction: processorLatencyMs', () => {
  it.each<[string, number]>([
    ['zero', 0],
    ['a fraction', 12.75],
    ['the maximum', MAX_PROCESSOR_LATENCY_MS],
  ])('accepts %s', (_name, processorLatencyMs) => {
    expect(expectValid(event({ processorLatencyMs })).transaction.processorLatencyMs).toBe(
      processorLatencyMs,
    );
  });

  it.each<[string, unknown]>([
    ['a negative value', -1],
    ['a tiny negative value', -0.001],
    ['just above the maximum', MAX_PROCESSOR_LATENCY_MS + 0.5],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '120'],
    ['null', null],
    ['missing', undefined],
  ])('rejects %s', (_name, processorLatencyMs) => {
    expectViolation(event({ processorLatencyMs }), ErrorCode.invalidProcessorLatency, 'processorLatencyMs');
  });
});

describe('validateTransaction: riskScore (optional)', () => {
  it.each<[string, unknown]>([
    ['zero', 0],
    ['a fraction', 42.5],
    ['100', 100],
    ['null', null],
  ])('accepts %s', (_name, riskScore) => {
    expect(expectValid(event({ riskScore })).transaction.riskScore).toBe(riskScore);
  });

  it('accepts an event without a riskScore and adds none', () => {
    expect(expectValid(event()).transaction).not.toHaveProperty('riskScore');
  });

  it.each<[string, unknown]>([
    ['a negative value', -0.1],
    ['above 100', 100.01],
    ['a string', '50'],
    ['a boolean', true],
  ])('rejects %s', (_name, riskScore) => {
    expectViolation(event({ riskScore }), ErrorCode.invalidRiskScore, 'riskScore');
  });
});

describe('validateTransaction: metadata (optional)', () => {
  const keys = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]));

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['16 keys', keys(MAX_METADATA_KEYS)],
    ['empty strings', { a: '' }],
    ['null', null],
  ])('accepts %s', (_name, metadata) => {
    expect(expectValid(event({ metadata })).transaction.metadata).toEqual(metadata);
  });

  it.each<[string, unknown]>([
    ['17 keys', keys(MAX_METADATA_KEYS + 1)],
    ['a number value', { a: 1 }],
    ['a null value', { a: null }],
    ['a nested object value', { a: { b: 'c' } }],
    ['an array', ['a']],
    ['a string', 'a=b'],
  ])('rejects %s', (_name, metadata) => {
    const result = expectViolation(event({ metadata }), ErrorCode.invalidMetadata, 'metadata');
    expect(result.message).toContain(String(MAX_METADATA_KEYS));
  });

  it('accepts __proto__ and constructor as ordinary keys without changing any prototype', () => {
    const prototypeKeys = Reflect.ownKeys(Object.prototype);
    const body = JSON.parse(
      `{${JSON.stringify(valid).slice(1, -1)},"metadata":{"__proto__":"x","constructor":"y","polluted":"z"}}`,
    );
    const result = expectValid(body);
    const metadata = result.transaction.metadata as Record<string, string>;
    expect(Object.keys(metadata)).toEqual(['__proto__', 'constructor', 'polluted']);
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('x');
    expect(Object.getOwnPropertyDescriptor(metadata, 'constructor')?.value).toBe('y');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Reflect.ownKeys(Object.prototype)).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.constructor).toBe(Object);
    expect(JSON.stringify(metadata)).toBe('{"__proto__":"x","constructor":"y","polluted":"z"}');
  });

  it('rejects a __proto__ key with an object value as non-string metadata', () => {
    const body = JSON.parse(
      `{${JSON.stringify(valid).slice(1, -1)},"metadata":{"__proto__":{"polluted":"yes"}}}`,
    );
    expectViolation(body, ErrorCode.invalidMetadata, 'metadata');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validateTransaction: missing fields', () => {
  const required: [string, ErrorCode][] = [
    ['eventId', ErrorCode.invalidEventId],
    ['transactionId', ErrorCode.invalidTransactionId],
    ['occurredAt', ErrorCode.invalidOccurredAt],
    ['merchantId', ErrorCode.invalidMerchantId],
    ['amountMinor', ErrorCode.invalidAmount],
    ['currency', ErrorCode.invalidCurrency],
    ['paymentMethod', ErrorCode.invalidPaymentMethod],
    ['channel', ErrorCode.invalidChannel],
    ['country', ErrorCode.invalidCountry],
    ['status', ErrorCode.invalidStatus],
    ['processorLatencyMs', ErrorCode.invalidProcessorLatency],
  ];

  it.each(required)('rejects an event without %s', (field, code) => {
    expectViolation(event({ [field]: undefined }), code, field);
  });

  it('accepts an event whose optional fields are all null', () => {
    const result = expectValid(
      event({ paymentMethod: 'wallet', cardBrand: null, declineCode: null, riskScore: null, metadata: null }),
    );
    expect(result.transaction).toMatchObject({
      cardBrand: null,
      declineCode: null,
      riskScore: null,
      metadata: null,
    });
  });

  it('rejects an empty object, naming the first field', () => {
    expectViolation({}, ErrorCode.unsupportedSchemaVersion, 'schemaVersion');
    expectViolation({ schemaVersion: 1 }, ErrorCode.invalidEventId, 'eventId');
  });
});
