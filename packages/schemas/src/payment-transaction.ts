import { z } from 'zod';
import { ErrorCode } from './error-codes.js';
import { fastValidTransaction } from './fast-validate.js';
import { containsPan } from './pan.js';
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

export {
  cardBrands,
  channels,
  MAX_AMOUNT_MINOR,
  MAX_METADATA_KEYS,
  MAX_PROCESSOR_LATENCY_MS,
  paymentMethods,
  transactionStatuses,
} from './transaction-fields.js';

/** The error code each field reports when its own rule fails. */
const fieldErrorCodes = {
  schemaVersion: ErrorCode.unsupportedSchemaVersion,
  eventId: ErrorCode.invalidEventId,
  transactionId: ErrorCode.invalidTransactionId,
  occurredAt: ErrorCode.invalidOccurredAt,
  merchantId: ErrorCode.invalidMerchantId,
  amountMinor: ErrorCode.invalidAmount,
  currency: ErrorCode.invalidCurrency,
  paymentMethod: ErrorCode.invalidPaymentMethod,
  cardBrand: ErrorCode.invalidCardBrand,
  channel: ErrorCode.invalidChannel,
  country: ErrorCode.invalidCountry,
  status: ErrorCode.invalidStatus,
  declineCode: ErrorCode.invalidDeclineCode,
  processorLatencyMs: ErrorCode.invalidProcessorLatency,
  riskScore: ErrorCode.invalidRiskScore,
  metadata: ErrorCode.invalidMetadata,
} as const satisfies Record<string, ErrorCode>;

type ContractField = keyof typeof fieldErrorCodes;

const uuid = (field: string) => z.uuid({ error: `${field} must be a UUID string` });

/**
 * `metadata` is checked without rebuilding the object: a rebuilt object would turn a
 * `__proto__` key from JSON.parse into a prototype assignment. The parsed object (plain data
 * properties only) is passed through untouched.
 */
const metadataSchema = z.custom<Readonly<Record<string, string>>>(
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    if (keys.length > MAX_METADATA_KEYS) return false;
    return keys.every((key) => typeof (value as Record<string, unknown>)[key] === 'string');
  },
  { error: `metadata must be an object of string values with at most ${MAX_METADATA_KEYS} keys` },
);

export const paymentTransactionSchema = z
  .object({
    schemaVersion: z.literal(1, { error: 'schemaVersion must be the number 1' }),
    eventId: uuid('eventId'),
    transactionId: uuid('transactionId'),
    occurredAt: z.iso
      .datetime({ offset: true, error: 'occurredAt must be an RFC 3339 date-time with Z or a ±hh:mm offset' })
      .refine((value) => Number.isFinite(Date.parse(value)), {
        error: 'occurredAt is not a real date-time',
      }),
    merchantId: z
      .string({ error: 'merchantId must be a string' })
      .regex(merchantIdPattern, { error: 'merchantId must be 1-64 characters of [A-Za-z0-9_.-]' })
      // merchant_id is a metric dimension, stored in clear: a card number must never become one.
      .refine((value) => value.length < MIN_PAN_LENGTH || !containsPan(value), {
        error: 'merchantId must not contain a card number',
      }),
    amountMinor: z
      .number({ error: 'amountMinor must be an integer number of minor units' })
      .int({ error: 'amountMinor must be an integer number of minor units' })
      .min(0, { error: 'amountMinor must not be negative' })
      .max(MAX_AMOUNT_MINOR, { error: `amountMinor must be at most ${MAX_AMOUNT_MINOR}` }),
    currency: z
      .string({ error: 'currency must be a string' })
      .refine((value) => isoCurrencyCodes.has(value), {
        error: 'currency must be an upper-case ISO 4217 alpha-3 code',
      }),
    paymentMethod: z.enum(paymentMethods, {
      error: `paymentMethod must be one of ${paymentMethods.join(', ')}`,
    }),
    cardBrand: z.enum(cardBrands, { error: `cardBrand must be one of ${cardBrands.join(', ')}` }).nullish(),
    channel: z.enum(channels, { error: `channel must be one of ${channels.join(', ')}` }),
    country: z.string({ error: 'country must be a string' }).refine((value) => isoCountryCodes.has(value), {
      error: 'country must be an upper-case ISO 3166-1 alpha-2 code',
    }),
    status: z.enum(transactionStatuses, { error: `status must be one of ${transactionStatuses.join(', ')}` }),
    declineCode: z
      .string({ error: 'declineCode must be a string' })
      .regex(declineCodePattern, { error: 'declineCode must be 1-8 characters of [A-Za-z0-9_]' })
      .nullish(),
    processorLatencyMs: z
      .number({ error: 'processorLatencyMs must be a number' })
      .min(0, { error: 'processorLatencyMs must not be negative' })
      .max(MAX_PROCESSOR_LATENCY_MS, {
        error: `processorLatencyMs must be at most ${MAX_PROCESSOR_LATENCY_MS}`,
      }),
    riskScore: z
      .number({ error: 'riskScore must be a number' })
      .min(0, { error: `riskScore must be between 0 and ${MAX_RISK_SCORE}` })
      .max(MAX_RISK_SCORE, { error: `riskScore must be between 0 and ${MAX_RISK_SCORE}` })
      .nullish(),
    metadata: metadataSchema.nullish(),
  })
  .superRefine((event, ctx) => {
    if (event.paymentMethod === 'card' && event.cardBrand == null) {
      ctx.addIssue({
        code: 'custom',
        path: ['cardBrand'],
        message: 'cardBrand is required when paymentMethod is card',
        params: { errorCode: ErrorCode.missingCardBrand },
      });
    } else if (event.paymentMethod !== 'card' && event.cardBrand != null) {
      ctx.addIssue({
        code: 'custom',
        path: ['cardBrand'],
        message: `cardBrand must be absent when paymentMethod is ${event.paymentMethod}`,
        params: { errorCode: ErrorCode.unexpectedCardBrand },
      });
    }
    if (event.status === 'declined' && event.declineCode == null) {
      ctx.addIssue({
        code: 'custom',
        path: ['declineCode'],
        message: 'declineCode is required when status is declined',
        params: { errorCode: ErrorCode.missingDeclineCode },
      });
    } else if (event.status !== 'declined' && event.declineCode != null) {
      ctx.addIssue({
        code: 'custom',
        path: ['declineCode'],
        message: `declineCode must be absent when status is ${event.status}`,
        params: { errorCode: ErrorCode.unexpectedDeclineCode },
      });
    }
  });

export type PaymentTransaction = z.output<typeof paymentTransactionSchema>;
export type PaymentMethod = (typeof paymentMethods)[number];
export type CardBrand = (typeof cardBrands)[number];
export type Channel = (typeof channels)[number];
export type TransactionStatus = (typeof transactionStatuses)[number];

/** A transaction that passed every contract rule, with its event time resolved to epoch ms. */
export interface ValidTransaction {
  readonly transaction: PaymentTransaction;
  readonly occurredAtMs: number;
}

export interface ContractViolation {
  readonly code: ErrorCode;
  /** The field the first broken rule is about, when there is one. */
  readonly field: string | undefined;
  readonly message: string;
}

export type ValidationResult =
  | ({ readonly ok: true } & ValidTransaction)
  | ({ readonly ok: false } & ContractViolation);

/**
 * Checks a decoded event body against PaymentTransaction v1. An event with another
 * `schemaVersion` is reported as unsupported before any other rule, because its other
 * fields follow a contract this version does not know.
 */
export function validateTransaction(body: unknown): ValidationResult {
  // Almost every event is valid: the allocation-free check accepts it; zod explains the rest.
  const fast = fastValidTransaction(body);
  if (fast) return { ok: true, transaction: fast.transaction, occurredAtMs: fast.occurredAtMs };
  return validateTransactionWithZod(body);
}

/**
 * validateTransaction by the zod schema alone: the reference the hot-path check is tested
 * against, and the source of every error code and message.
 */
export function validateTransactionWithZod(body: unknown): ValidationResult {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const version = (body as { schemaVersion?: unknown }).schemaVersion;
    if (version !== 1) {
      return {
        ok: false,
        code: ErrorCode.unsupportedSchemaVersion,
        field: 'schemaVersion',
        message: `schemaVersion ${JSON.stringify(version) ?? 'undefined'} is not supported; expected 1`,
      };
    }
  }
  const parsed = paymentTransactionSchema.safeParse(body);
  if (parsed.success) {
    return { ok: true, transaction: parsed.data, occurredAtMs: Date.parse(parsed.data.occurredAt) };
  }
  const issue = parsed.error.issues[0]!;
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const custom =
    issue.code === 'custom' ? (issue.params as { errorCode?: ErrorCode } | undefined) : undefined;
  const code =
    custom?.errorCode ??
    (field && field in fieldErrorCodes ? fieldErrorCodes[field as ContractField] : ErrorCode.notAnObject);
  const message = field
    ? issue.message.startsWith(field)
      ? issue.message
      : `${field}: ${issue.message}`
    : issue.message;
  return { ok: false, code, field, message };
}
