import { ErrorCode as Codes, type ErrorCode, type PaymentTransaction } from '@paymetrics/schemas';
import {
  type Archetype,
  declineCodeMix,
  type Market,
  markets,
  merchantArchetypes,
  offsetsByCountry,
} from './catalog.js';
import {
  curveMultiplier,
  curveTimeline,
  SLOT_MS,
  SLOTS_PER_DAY,
  slotOfDay,
  uniformTimeline,
} from './daily-curve.js';
import type { IncidentSpec } from './incident-spec.js';
import { type Incident, type MerchantRef, resolveIncidents } from './incidents.js';
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
  /** Event times and merchants follow the daily volume curve in each merchant market's local time. */
  readonly dailyCurve?: boolean | undefined;
  readonly incidents?: readonly IncidentSpec[] | undefined;
}

export type MalformedKind = (typeof malformedKinds)[number]['kind'];

export interface ScenarioEvent {
  readonly line: string;
  readonly kind: 'valid' | 'late' | 'duplicate' | MalformedKind;
  /** The code the pipeline must park a malformed event with. */
  readonly expectedCode?: ErrorCode;
  /**
   * Where the event sits on the scenario's timeline (epoch ms): its event time, except for late
   * events, which occurred earlier. A live run sends each event when the wall clock reaches it.
   */
  readonly atMs: number;
  /** Ids of the incidents that changed this event. */
  readonly incidentIds?: readonly string[];
}

/** A scenario before generation: its merchants (largest first) and its incidents on absolute windows. */
export interface Scenario {
  readonly merchants: readonly MerchantRef[];
  readonly incidents: readonly Incident[];
  /** Generates the events; each call starts over and gives the same events. */
  events(): Generator<ScenarioEvent>;
}

interface Merchant {
  readonly id: string;
  readonly market: Market;
  readonly archetype: Archetype;
  readonly approvalBias: number;
  readonly weight: number;
}

/** An archetype's mixes as cumulative tables, built once per scenario. */
interface ArchetypeTables {
  readonly channels: CumulativeTable<Archetype['channels'][number]['value']>;
  readonly methods: CumulativeTable<Archetype['methods'][number]['value']>;
  readonly brands: CumulativeTable<Archetype['brands'][number]['value']>;
}

const HOUR = 60 * 60_000;

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
function createMerchants(
  random: Random,
  count: number,
): { merchants: Merchant[]; table: CumulativeTable<Merchant> } {
  const marketTable = cumulative(markets.map((market) => ({ value: market, weight: market.weight })));
  const archetypeTable = cumulative(merchantArchetypes.map((value) => ({ value, weight: value.weight })));
  const merchants: Merchant[] = [];
  for (let rank = 1; rank <= count; rank++) {
    const archetype = random.pickWeighted(archetypeTable);
    merchants.push({
      id: `m_${String(rank).padStart(4, '0')}`,
      market: random.pickWeighted(marketTable),
      archetype,
      approvalBias: random.normal() * 0.02,
      weight: 1 / rank ** 1.1,
    });
  }
  const table = cumulative(merchants.map((value) => ({ value, weight: value.weight })));
  return { merchants, table };
}

/** Per UTC half-hour of day, merchants weighted by volume times the curve at their local hour. */
function curveTables(merchants: readonly Merchant[]): CumulativeTable<Merchant>[] {
  return Array.from({ length: SLOTS_PER_DAY }, (_, slot) =>
    cumulative(
      merchants.map((value) => ({
        value,
        weight:
          value.weight *
          curveMultiplier(
            slot * SLOT_MS - value.archetype.curveShiftHours * HOUR,
            offsetsByCountry[value.market.country] ?? 0,
          ),
      })),
    ),
  );
}

/** Formats an instant as RFC 3339 in a local offset, as producers in other time zones send it. */
function formatWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * A deterministic scenario of PaymentTransaction v1 lines: realistic mixes, plus configurable
 * shares of malformed, duplicate and late events, an optional daily curve and injected incidents.
 * The same options give the same lines.
 */
export function createScenario(options: ScenarioOptions): Scenario {
  const { merchants } = createMerchants(new Random(options.seed), options.merchants ?? 300);
  const refs = merchants.map((m) => ({
    id: m.id,
    country: m.market.country,
    archetype: m.archetype.name,
    approvalRate: m.archetype.approvalRate + m.approvalBias,
  }));
  const incidents = resolveIncidents(options.incidents ?? [], options.startMs, refs);
  return { merchants: refs, incidents, events: () => generate(options, incidents) };
}

/** The events of `createScenario(options)`. */
export function* generateScenario(options: ScenarioOptions): Generator<ScenarioEvent> {
  yield* createScenario(options).events();
}

function* generate(options: ScenarioOptions, incidents: readonly Incident[]): Generator<ScenarioEvent> {
  // One generator for merchants and events, drawn in the same order every time.
  const random = new Random(options.seed);
  const { merchants, table: merchantTable } = createMerchants(random, options.merchants ?? 300);
  const byCurve = options.dailyCurve ? curveTables(merchants) : undefined;
  const timeline = byCurve
    ? curveTimeline(options.startMs, options.spanMs, options.count, (slot) => byCurve[slot]!.total)
    : uniformTimeline(options.startMs, options.spanMs, options.count);
  const tables = new Map<Archetype, ArchetypeTables>(
    merchantArchetypes.map((archetype) => [
      archetype,
      {
        channels: cumulative(archetype.channels),
        methods: cumulative(archetype.methods),
        brands: cumulative(archetype.brands),
      },
    ]),
  );
  const foreignMarkets = cumulative(markets.map((market) => ({ value: market, weight: market.weight })));
  const declineCodes = cumulative(declineCodeMix);
  const malformedFraction = options.malformedFraction ?? 0.005;
  const duplicateFraction = options.duplicateFraction ?? 0.002;
  const lateFraction = options.lateFraction ?? 0.01;
  const recent: string[] = [];
  for (const incident of incidents) incident.affectedEvents = 0;
  let touched: Incident[] = [];

  const transaction = (occurredAtMs: number): PaymentTransaction => {
    const merchant = random.pickWeighted(byCurve ? byCurve[slotOfDay(occurredAtMs)]! : merchantTable);
    const { archetype } = merchant;
    const mixes = tables.get(archetype)!;
    const paymentMethod = random.pickWeighted(mixes.methods);
    const roll = random.float();
    touched = incidents.filter(
      (incident) =>
        occurredAtMs >= incident.startMs &&
        occurredAtMs < incident.endMs &&
        (incident.type === 'outage'
          ? incident.countries.includes(merchant.market.country)
          : incident.merchantId === merchant.id),
    );
    let approvalRate = archetype.approvalRate + merchant.approvalBias;
    let latencyFactor = 1;
    let processorDown = false;
    for (const incident of touched) {
      if (incident.type === 'merchant-collapse') {
        approvalRate = Math.min(approvalRate, incident.approvalRate);
      } else {
        const progress = (occurredAtMs - incident.startMs) / (incident.endMs - incident.startMs);
        latencyFactor = Math.max(latencyFactor, 1 + (incident.latencyFactor - 1) * progress);
        processorDown ||= random.chance(incident.declineShare);
      }
    }
    const status = processorDown
      ? 'declined'
      : roll < approvalRate
        ? 'approved'
        : roll < 0.992
          ? 'declined'
          : 'error';
    const offset = random.chance(0.2) ? (offsetsByCountry[merchant.market.country] ?? 0) : 0;
    const riskScore = random.chance(0.85)
      ? Math.round(Math.min(100, random.logNormal(12, 0.9)) * 10) / 10
      : null;
    const latency =
      random.logNormal(status === 'error' ? 900 : 180, 0.55) * latencyFactor * archetype.latencyFactor;
    // A cross-border card: the event's country is the card's, another market than the merchant's.
    const cardMarket = random.chance(archetype.crossBorderShare)
      ? random.pickWeighted(foreignMarkets)
      : merchant.market;
    return {
      schemaVersion: 1,
      eventId: random.uuid(),
      transactionId: random.uuid(),
      occurredAt: formatWithOffset(occurredAtMs, offset),
      merchantId: merchant.id,
      amountMinor: Math.max(
        1,
        Math.round(random.logNormal(merchant.market.medianAmountMinor * archetype.amountFactor, 1.1)),
      ),
      currency: merchant.market.currency,
      paymentMethod,
      cardBrand: paymentMethod === 'card' ? random.pickWeighted(mixes.brands) : null,
      channel: random.pickWeighted(mixes.channels),
      country: cardMarket.country,
      status,
      declineCode: status === 'declined' ? (processorDown ? '91' : random.pickWeighted(declineCodes)) : null,
      processorLatencyMs: Math.round(Math.min(600_000, latency) * 10) / 10,
      riskScore,
      ...(random.chance(0.05)
        ? { metadata: { terminal: `t${random.int(1, 999)}`, sdk: 'paymetrics-sim/1' } }
        : {}),
    };
  };

  for (let i = 0; i < options.count; i++) {
    const atMs = timeline(i);
    const roll = random.float();
    if (roll < malformedFraction) {
      const bad = random.pick(malformedKinds);
      const line = malformedLine(bad.kind, transaction(atMs), options, random);
      yield { line, kind: bad.kind, expectedCode: bad.code, atMs };
      continue;
    }
    if (roll < malformedFraction + duplicateFraction && recent.length > 0) {
      yield { line: random.pick(recent), kind: 'duplicate', atMs };
      continue;
    }
    const late = random.chance(lateFraction);
    const occurredAtMs = late ? atMs - random.int(10, 90) * MINUTE : atMs;
    const line = JSON.stringify(transaction(occurredAtMs));
    if (recent.length < 1000) recent.push(line);
    else recent[random.int(0, recent.length - 1)] = line;
    for (const incident of touched) incident.affectedEvents++;
    yield {
      line,
      kind: late ? 'late' : 'valid',
      atMs,
      ...(touched.length > 0 ? { incidentIds: touched.map((incident) => incident.id) } : {}),
    };
  }
}

function malformedLine(
  kind: MalformedKind,
  event: PaymentTransaction,
  options: ScenarioOptions,
  random: Random,
): string {
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
