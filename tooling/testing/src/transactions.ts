import { randomUUID } from 'node:crypto';

/** A fixed processing time for tests that inject a clock, so event-time bounds are deterministic. */
export const FIXED_NOW = Date.parse('2026-11-27T12:00:00.000Z');

const merchants = ['m_alpha', 'm_beta', 'm_gamma'];
const methods = ['card', 'wallet', 'bank_transfer', 'bnpl'] as const;
const brands = ['visa', 'mastercard', 'amex'] as const;
const markets = [
  ['US', 'USD'],
  ['DE', 'EUR'],
  ['JP', 'JPY'],
] as const;

/**
 * A valid PaymentTransaction v1 object; `i` varies every field deterministically (only the ids
 * are random). Event times spread over the ~40 minutes before `nowMs`, so several windows.
 */
export function validEvent(
  i: number,
  overrides: Record<string, unknown> = {},
  nowMs: number = FIXED_NOW,
): Record<string, unknown> {
  const method = methods[i % methods.length]!;
  const status = i % 7 === 0 ? 'declined' : i % 23 === 0 ? 'error' : 'approved';
  const [country, currency] = markets[i % markets.length]!;
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    transactionId: randomUUID(),
    occurredAt: new Date(nowMs - 40 * 60_000 + i * 7_919).toISOString(),
    merchantId: merchants[i % merchants.length],
    amountMinor: 100 + ((i * 7_877) % 250_000),
    currency,
    paymentMethod: method,
    cardBrand: method === 'card' ? brands[i % brands.length] : null,
    channel: i % 5 === 0 ? 'pos' : 'ecommerce',
    country,
    status,
    declineCode: status === 'declined' ? (i % 2 === 0 ? '05' : '51') : null,
    processorLatencyMs: 50 + ((i * 37) % 900) + 0.25,
    riskScore: i % 3 === 0 ? null : (i * 13) % 100,
    ...overrides,
  };
}

/** One NDJSON line. */
export const line = (event: unknown): string => JSON.stringify(event);
