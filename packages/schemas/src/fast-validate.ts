import { regexes } from 'zod/v4/core';
import { containsPan } from './pan.js';
import type { PaymentTransaction, ValidTransaction } from './payment-transaction.js';
import { isoCountryCodes, isoCurrencyCodes } from './reference-data.js';
import {
  cardBrands,
  channels,
  declineCodePattern,
  MAX_AMOUNT_MINOR,
  MAX_METADATA_KEYS,
  MAX_PROCESSOR_LATENCY_MS,
  MAX_RISK_SCORE,
  MIN_PAN_LENGTH,
  merchantIdPattern,
  paymentMethods,
  transactionStatuses,
} from './transaction-fields.js';

/*
 * The hot path's validator: the same rules as paymentTransactionSchema, checked field by field
 * without zod's per-event allocations (issues, contexts, a copied output per check). It only
 * says "valid" or "not valid": for a rejected event validateTransaction asks zod, which gives
 * the error code and message. So it must never accept what zod refuses; the schema tests and a
 * property test hold it to that. The patterns are zod's own, so both accept exactly the same text.
 */
const uuidPattern = regexes.uuid();
const dateTimePattern = regexes.datetime({ offset: true, local: false, precision: null });
const paymentMethodSet: ReadonlySet<unknown> = new Set(paymentMethods);
const cardBrandSet: ReadonlySet<unknown> = new Set(cardBrands);
const channelSet: ReadonlySet<unknown> = new Set(channels);
const statusSet: ReadonlySet<unknown> = new Set(transactionStatuses);

const isNumberIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && value >= min && value <= max; // NaN fails both comparisons

/** Whether a value is a UUID string as the contract accepts one (zod's pattern: RFC 9562 versions and variant). */
export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && uuidPattern.test(value);

function isStringRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length > MAX_METADATA_KEYS) return false;
  for (const key of keys) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/**
 * The transaction with unknown fields left out (as zod's output), or undefined when any rule
 * is broken. `metadata` is passed through untouched, as zod does.
 */
export function fastValidTransaction(body: unknown): ValidTransaction | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const e = body as Record<string, unknown>;
  if (e.schemaVersion !== 1) return undefined;
  const { eventId, transactionId, occurredAt, merchantId, amountMinor, currency, paymentMethod } = e;
  const { cardBrand, channel, country, status, declineCode, processorLatencyMs, riskScore, metadata } = e;
  if (!isUuid(eventId) || !isUuid(transactionId)) return undefined;
  if (typeof occurredAt !== 'string' || !dateTimePattern.test(occurredAt)) return undefined;
  const occurredAtMs = Date.parse(occurredAt);
  if (!Number.isFinite(occurredAtMs)) return undefined;
  if (typeof merchantId !== 'string' || !merchantIdPattern.test(merchantId)) return undefined;
  if (merchantId.length >= MIN_PAN_LENGTH && containsPan(merchantId)) return undefined;
  if (!isNumberIn(amountMinor, 0, MAX_AMOUNT_MINOR) || !Number.isInteger(amountMinor)) return undefined;
  if (typeof currency !== 'string' || !isoCurrencyCodes.has(currency)) return undefined;
  if (!paymentMethodSet.has(paymentMethod) || !channelSet.has(channel) || !statusSet.has(status)) {
    return undefined;
  }
  if (typeof country !== 'string' || !isoCountryCodes.has(country)) return undefined;
  if (!isNumberIn(processorLatencyMs, 0, MAX_PROCESSOR_LATENCY_MS)) return undefined;
  const hasBrand = cardBrand !== undefined && cardBrand !== null;
  if (hasBrand ? paymentMethod !== 'card' || !cardBrandSet.has(cardBrand) : paymentMethod === 'card') {
    return undefined;
  }
  const hasDeclineCode = declineCode !== undefined && declineCode !== null;
  if (
    hasDeclineCode
      ? status !== 'declined' || typeof declineCode !== 'string' || !declineCodePattern.test(declineCode)
      : status === 'declined'
  ) {
    return undefined;
  }
  if (riskScore !== undefined && riskScore !== null && !isNumberIn(riskScore, 0, MAX_RISK_SCORE))
    return undefined;
  if (metadata !== undefined && metadata !== null && !isStringRecord(metadata)) return undefined;

  const transaction: Record<string, unknown> = {
    schemaVersion: 1,
    eventId,
    transactionId,
    occurredAt,
    merchantId,
    amountMinor,
    currency,
    paymentMethod,
  };
  // Optional fields appear in the output only when the input has them, as in zod's output.
  if (cardBrand !== undefined) transaction.cardBrand = cardBrand;
  transaction.channel = channel;
  transaction.country = country;
  transaction.status = status;
  if (declineCode !== undefined) transaction.declineCode = declineCode;
  transaction.processorLatencyMs = processorLatencyMs;
  if (riskScore !== undefined) transaction.riskScore = riskScore;
  if (metadata !== undefined) transaction.metadata = metadata;
  return { transaction: transaction as PaymentTransaction, occurredAtMs };
}
