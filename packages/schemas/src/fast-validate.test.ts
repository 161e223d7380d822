import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastValidTransaction } from './fast-validate.js';
import { validateTransactionWithZod } from './payment-transaction.js';

const base: Record<string, unknown> = {
  schemaVersion: 1,
  eventId: '0b8f8f3e-6a0f-4c1e-9a53-5b3c2e1d7f10',
  transactionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  occurredAt: '2026-03-01T10:05:00.250+01:00',
  merchantId: 'merchant_01',
  amountMinor: 1999,
  currency: 'EUR',
  paymentMethod: 'card',
  cardBrand: 'visa',
  channel: 'ecommerce',
  country: 'DE',
  status: 'declined',
  declineCode: '05',
  processorLatencyMs: 120.5,
  riskScore: 12,
  metadata: { a: 'b' },
};

/** Values near each field's rules: valid ones, boundary ones and wrong types. */
const candidate = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    0,
    -0,
    -1,
    1,
    1.5,
    100,
    100.5,
    600_000,
    600_001,
    1e12,
    1e12 + 1,
    '',
    'card',
    'wallet',
    'bnpl',
    'visa',
    'pos',
    'approved',
    'declined',
    'error',
    'EUR',
    'eur',
    'XXX',
    'DE',
    'EU',
    '05',
    'TOOLONGCODE',
    '4111111111111111',
    'm-4111111111111111',
    '2026-02-29T10:00:00Z',
    '2028-02-29T10:00:00Z',
    '2026-03-01T10:05:00',
    '2026-03-01 10:05:00Z',
    '2026-03-01T24:00:00Z',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '00000000-0000-0000-0000-000000000000',
    '3f2c1a7e-9b4d-4e8a-0f1c-2d3e4f5a6b7c',
    {},
    { a: 1 },
    [],
  ),
  fc.string({ maxLength: 70 }),
  fc.double(),
  fc.integer(),
);

const fields = Object.keys(base);

describe('fastValidTransaction', () => {
  it('accepts exactly what the zod schema accepts, with the same output', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), candidate, { maxKeys: 4 }), (changes) => {
        const body: Record<string, unknown> = { ...base };
        for (const [key, value] of Object.entries(changes)) {
          if (value === undefined) delete body[key];
          else body[key] = value;
        }
        const zod = validateTransactionWithZod(body);
        const fast = fastValidTransaction(body);
        expect(fast !== undefined).toBe(zod.ok);
        if (zod.ok) {
          expect(fast?.transaction).toStrictEqual(zod.transaction);
          expect(fast?.occurredAtMs).toBe(zod.occurredAtMs);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
