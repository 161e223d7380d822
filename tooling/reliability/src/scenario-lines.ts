/** A fixed processing time for in-process scenarios, so event-time bounds never drift during a run. */
export const RELIABILITY_NOW = Date.parse('2026-11-27T12:00:00.000Z');

export interface ScenarioLinesOptions {
  readonly seed: number;
  readonly count: number;
  /** Processing time the events are generated around; defaults to RELIABILITY_NOW. */
  readonly nowMs?: number;
  /** Share of lines that break the contract (default 2%). */
  readonly badFraction?: number;
  /** Share of lines that repeat an earlier line verbatim (default 1%). */
  readonly duplicateFraction?: number;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const methods = ['card', 'card', 'card', 'wallet', 'bank_transfer', 'bnpl'] as const;
const brands = ['visa', 'mastercard', 'amex', 'discover'] as const;
const markets = [
  ['US', 'USD'],
  ['DE', 'EUR'],
  ['GB', 'GBP'],
  ['JP', 'JPY'],
] as const;
const channels = ['ecommerce', 'ecommerce', 'pos', 'moto', 'recurring'] as const;

/** Deterministic UUID v4 text from the generator, so a seed names the same events every time. */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function validEvent(random: () => number, nowMs: number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const method = pick(methods);
  const roll = random();
  const status = roll < 0.85 ? 'approved' : roll < 0.97 ? 'declined' : 'error';
  const [country, currency] = pick(markets);
  return {
    schemaVersion: 1,
    eventId: uuid(random),
    transactionId: uuid(random),
    occurredAt: new Date(nowMs - 61 * 60_000 + Math.floor(random() * 60 * 60_000)).toISOString(),
    merchantId: `m_${Math.floor(random() * 40)}`,
    amountMinor: 100 + Math.floor(random() * 500_000),
    currency,
    paymentMethod: method,
    cardBrand: method === 'card' ? pick(brands) : null,
    channel: pick(channels),
    country,
    status,
    declineCode: status === 'declined' ? pick(['05', '51', 'dnh']) : null,
    processorLatencyMs: 20 + Math.floor(random() * 1_500_000) / 1_000,
    riskScore: Math.floor(random() * 100),
  };
}

/** Ways a line breaks the contract; each is parked with a stable code. */
const breakers: readonly ((event: Record<string, unknown>, nowMs: number) => string)[] = [
  (e) => JSON.stringify(e).slice(0, 40), // truncated JSON
  (e) => JSON.stringify([e]), // an array
  (e) => JSON.stringify({ ...e, amountMinor: 10.5 }),
  (e) => JSON.stringify({ ...e, currency: 'usd' }),
  (e) => JSON.stringify({ ...e, merchantId: 'has space' }),
  (e) => JSON.stringify({ ...e, schemaVersion: 2 }),
  (e, nowMs) => JSON.stringify({ ...e, occurredAt: new Date(nowMs - 9 * 86_400_000).toISOString() }),
  (e, nowMs) => JSON.stringify({ ...e, occurredAt: new Date(nowMs + 3_600_000).toISOString() }),
];

/**
 * NDJSON lines around `nowMs`: valid events over the hour before it, with contract-breaking
 * lines and verbatim repeats (same eventId) mixed in, so every scenario exercises counting,
 * parking and duplicate skipping at once. Deterministic per seed.
 */
export function scenarioLines(options: ScenarioLinesOptions): string[] {
  const nowMs = options.nowMs ?? RELIABILITY_NOW;
  const random = seededRandom(options.seed);
  const badFraction = options.badFraction ?? 0.02;
  const duplicateFraction = options.duplicateFraction ?? 0.01;
  const lines: string[] = [];
  while (lines.length < options.count) {
    const roll = random();
    if (roll < duplicateFraction && lines.length > 0) {
      lines.push(lines[Math.floor(random() * lines.length)]!);
    } else if (roll < duplicateFraction + badFraction) {
      const breaker = breakers[Math.floor(random() * breakers.length)]!;
      lines.push(breaker(validEvent(random, nowMs), nowMs));
    } else {
      lines.push(JSON.stringify(validEvent(random, nowMs)));
    }
  }
  return lines;
}
