import { Random } from '@paymetrics/scenarios';
import type { PaymentTransaction, ValidTransaction } from '@paymetrics/schemas';

const base: PaymentTransaction = {
  schemaVersion: 1,
  eventId: '00000000-0000-4000-8000-000000000000',
  transactionId: '00000000-0000-4000-8000-000000000001',
  occurredAt: '2026-11-27T10:00:00.000Z',
  merchantId: 'm_1',
  amountMinor: 1000,
  currency: 'EUR',
  paymentMethod: 'card',
  cardBrand: 'visa',
  channel: 'ecommerce',
  country: 'DE',
  status: 'approved',
  processorLatencyMs: 100,
};

/** A valid transaction with `overrides`; occurredAtMs is derived from occurredAt like validateTransaction does. */
export function validTransaction(overrides: Partial<PaymentTransaction> = {}): ValidTransaction {
  const transaction = { ...base, ...overrides } as PaymentTransaction;
  return { transaction, occurredAtMs: Date.parse(transaction.occurredAt) };
}

const methods = ['card', 'card', 'card', 'wallet', 'bank_transfer', 'bnpl'] as const;
const brands = ['visa', 'mastercard', 'amex'] as const;
const currencies = ['EUR', 'USD', 'GBP'] as const;
const countries = ['DE', 'US', 'GB', 'FR'] as const;
const channels = ['ecommerce', 'pos'] as const;
const declineCodes = ['05', '51', 'fraud'] as const;

/**
 * A synthetic stream: 50 merchants, mostly approved, log-normal amounts and latencies, over 30
 * minutes. `homeShare` is the share of a merchant's events in its own currency, country and
 * channel (real merchants are mostly domestic); 0 spreads every merchant uniformly over all
 * currencies, countries and channels, the worst case for row cardinality.
 */
export function syntheticTransactions(count: number, seed = 1, homeShare = 0): ValidTransaction[] {
  const random = new Random(seed);
  const start = Date.parse('2026-11-27T10:00:00.000Z');
  const events: ValidTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const occurredAtMs = start + random.int(0, 30 * 60_000 - 1);
    const merchant = random.int(0, 49);
    const home = random.chance(homeShare);
    const paymentMethod = random.pick(methods);
    const roll = random.float();
    const status = roll < 0.9 ? 'approved' : roll < 0.98 ? 'declined' : 'error';
    const transaction: PaymentTransaction = {
      schemaVersion: 1,
      eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      transactionId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      occurredAt: new Date(occurredAtMs).toISOString(),
      merchantId: `m_${merchant}`,
      amountMinor: Math.min(1e12, Math.round(random.logNormal(Math.exp(8), 1.5))),
      currency: home ? currencies[merchant % currencies.length]! : random.pick(currencies),
      paymentMethod,
      ...(paymentMethod === 'card' ? { cardBrand: random.pick(brands) } : {}),
      channel: home ? channels[merchant % channels.length]! : random.pick(channels),
      country: home ? countries[merchant % countries.length]! : random.pick(countries),
      status,
      ...(status === 'declined' ? { declineCode: random.pick(declineCodes) } : {}),
      processorLatencyMs: Math.min(600_000, random.logNormal(Math.exp(5), 0.6)),
      ...(random.chance(0.7) ? { riskScore: random.int(0, 1000) / 10 } : {}),
    };
    events.push({ transaction, occurredAtMs });
  }
  return events;
}
