import { type ErrorCode, ErrorCode as Codes, type PaymentTransaction } from '@paymetrics/schemas';
import {
  cardBrandMix,
  channelMix,
  declineCodeMix,
  type Market,
  markets,
  merchantVerticals,
  paymentMethodMix,
} from './catalog.js';
import { type CumulativeTable, cumulative, Random } from './random.js';

export interface ScenarioOptions {
  readonly seed: number;
  readonly count: number;
  /** Event time of the first event, epoch ms. */
  readonly startMs: number;
  /** Event time covered by the scenario; events are spread evenly over it. */
  readonly spanMs: number;
  readonly merchants?: number | undefined;
  /** Share of events that break the contract in one of several ways (each with a known error code). */
  readonly malformedFraction?: number | undefined;
  /** Share of events that repeat an earlier event verbatim (same eventId). */
  readonly duplicateFraction?: number | undefined;
  /** Share of valid events that arrive 10-90 minutes after their event time. */
  readonly lateFraction?: number | undefined;
}

export type MalformedKind = (typeof malformedKinds)[number]['kind'];

export interface ScenarioEvent {
  readonly line: string;
  readonly kind: 'valid' | 'late' | 'duplicate' | MalformedKind;
  /** The code the pipeline must park a malformed event with. */
  readonly expectedCode?: ErrorCode;
}

interface Merchant {
  readonly id: string;
  readonly market: Market;
  readonly approvalBias: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const malformedKinds = [
  { kind: 'truncated_json', code: Codes.invalidJson },
  { kind: 'json_array', code: Codes.notAnObject },
  { kind: 'float_amount', code: Codes.invalidAmount },
  { kind: 'lowercase_currency', code: Codes.invalidCurrency },
  { kind: 'missing_decline_code', code: Codes.missingDeclineCode },
  { kind: 'brand_on_wallet', code: Codes.unexpectedCardBrand },
  { kind: 'schema_version_2', code: Codes.unsupportedSchemaVersion },
  { kind: 'bad_merchant_id', code: Codes.invalidMerchantId },
  { kind: 'too_late', code: Codes.tooLate },
  { kind: 'future_timestamp', code: Codes.futureTimestamp },
] as const;

/** Merchant volume follows a Zipf law: a few large merchants, a long tail of small ones. */
function createMerchants(random: Random, count: number): { merchants: Merchant[]; table: CumulativeTable<Merchant> } {
  const marketTable = cumulative(markets.map((market) => ({ value: market, weight: market.weight })));
  const merchants: Merchant[] = [];
  for (let rank = 1; rank <= count; rank++) {
    const vertical = random.pick(merchantVerticals);
    merchants.push({
      id: `m_${vertical}_${String(rank).padStart(4, '0')}`,
      market: random.pickWeighted(marketTable),
      approvalBias: random.normal() * 0.02,
    });
  }
  const table = cumulative(merchants.map((value, index) => ({ value, weight: 1 / (index + 1) ** 1.1 })));
  return { merchants, table };
}

/** Formats an instant as RFC 3339 in a local offset, as producers in other time zones send it. */
function formatWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const offsetsByCountry: Readonly<Record<string, number>> = {
  US: -300,
  CA: -300,
  BR: -180,
  GB: 0,
  DE: 60,
  FR: 60,
  NL: 60,
  ES: 60,
  SE: 60,
  IN: 330,
  SG: 480,
  JP: 540,
  AU: 600,
};

/**
 * A deterministic stream of PaymentTransaction v1 lines: realistic mixes, plus configurable
 * shares of malformed, duplicate and late events. The same options give the same lines.
 */
export function* generateScenario(options: ScenarioOptions): Generator<ScenarioEvent> {
  const random = new Random(options.seed);
  const { table: merchantTable } = createMerchants(random, options.merchants ?? 300);
  const methods = cumulative(paymentMethodMix);
  const brands = cumulative(cardBrandMix);
  const channels = cumulative(channelMix);
  const declineCodes = cumulative(declineCodeMix);
  const malformedFraction = options.malformedFraction ?? 0.005;
  const duplicateFraction = options.duplicateFraction ?? 0.002;
  const lateFraction = options.lateFraction ?? 0.01;
  const recent: string[] = [];

  const transaction = (occurredAtMs: number): PaymentTransaction => {
    const merchant = random.pickWeighted(merchantTable);
    const paymentMethod = random.pickWeighted(methods);
    const roll = random.float();
    const approvalRate = 0.915 + merchant.approvalBias;
    const status = roll < approvalRate ? 'approved' : roll < 0.992 ? 'declined' : 'error';
    const offset = random.chance(0.2) ? (offsetsByCountry[merchant.market.country] ?? 0) : 0;
    const riskScore = random.chance(0.85) ? Math.round(Math.min(100, random.logNormal(12, 0.9)) * 10) / 10 : null;
    return {
      schemaVersion: 1,
      eventId: random.uuid(),
      transactionId: random.uuid(),
      occurredAt: formatWithOffset(occurredAtMs, offset),
      merchantId: merchant.id,
      amountMinor: Math.max(1, Math.round(random.logNormal(merchant.market.medianAmountMinor, 1.1))),
      currency: merchant.market.currency,
      paymentMethod,
      cardBrand: paymentMethod === 'card' ? random.pickWeighted(brands) : null,
      channel: random.pickWeighted(channels),
      country: merchant.market.country,
      status,
      declineCode: status === 'declined' ? random.pickWeighted(declineCodes) : null,
      processorLatencyMs: Math.round(Math.min(600_000, random.logNormal(status === 'error' ? 900 : 180, 0.55)) * 10) / 10,
      riskScore,
      ...(random.chance(0.05) ? { metadata: { terminal: `t${random.int(1, 999)}`, sdk: 'paymetrics-sim/1' } } : {}),
    };
  };

  for (let i = 0; i < options.count; i++) {
    const eventTimeMs = options.startMs + Math.floor((i / options.count) * options.spanMs);
    const roll = random.float();
    if (roll < malformedFraction) {
      const bad = random.pick(malformedKinds);
      yield { line: malformedLine(bad.kind, transaction(eventTimeMs), options, random), kind: bad.kind, expectedCode: bad.code };
      continue;
    }
    if (roll < malformedFraction + duplicateFraction && recent.length > 0) {
      yield { line: random.pick(recent), kind: 'duplicate' };
      continue;
    }
    const late = random.chance(lateFraction);
    const occurredAtMs = late ? eventTimeMs - random.int(10, 90) * MINUTE : eventTimeMs;
    const line = JSON.stringify(transaction(occurredAtMs));
    if (recent.length < 1000) recent.push(line);
    else recent[random.int(0, recent.length - 1)] = line;
    yield { line, kind: late ? 'late' : 'valid' };
  }
}

function malformedLine(kind: MalformedKind, event: PaymentTransaction, options: ScenarioOptions, random: Random): string {
  switch (kind) {
    case 'truncated_json': {
      const text = JSON.stringify(event);
      return text.slice(0, random.int(1, text.length - 2));
    }
    case 'json_array':
      return JSON.stringify([event]);
    case 'float_amount':
      return JSON.stringify({ ...event, amountMinor: event.amountMinor + 0.5 });
    case 'lowercase_currency':
      return JSON.stringify({ ...event, currency: event.currency.toLowerCase() });
    case 'missing_decline_code':
      return JSON.stringify({ ...event, status: 'declined', declineCode: null });
    case 'brand_on_wallet':
      return JSON.stringify({ ...event, paymentMethod: 'wallet', cardBrand: 'visa' });
    case 'schema_version_2':
      return JSON.stringify({ ...event, schemaVersion: 2 });
    case 'bad_merchant_id':
      return JSON.stringify({ ...event, merchantId: 'merchant with spaces' });
    case 'too_late':
      return JSON.stringify({ ...event, occurredAt: new Date(options.startMs - 9 * DAY).toISOString() });
    case 'future_timestamp':
      return JSON.stringify({
        ...event,
        occurredAt: new Date(options.startMs + options.spanMs + 3 * 60 * MINUTE).toISOString(),
      });
  }
}
