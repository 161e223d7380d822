import { defaultEventTimeBounds } from '@paymetrics/metric-engine';
import { ErrorCode, type FailedItemRecord, type FailureStage, isUuid, maskPans } from '@paymetrics/schemas';

/** Payloads above this many bytes go to the archive, not into the row (contract: 64 KB). */
export const DEFAULT_MAX_INLINE_BYTES = 65_536;
/** Long enough for any validation or parser message; a stack trace or a dumped body is cut. */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;
/** How far in the future an event may lie before it is parked (contract default: 5 minutes). */
export const DEFAULT_FUTURE_TOLERANCE_MS = defaultEventTimeBounds.maxFutureMs;

export interface CreateFailedItemInput {
  readonly stage: FailureStage;
  readonly errorCode: ErrorCode;
  readonly errorMessage: string;
  /** The event body exactly as received. */
  readonly body: string | Uint8Array;
  readonly source: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  /** The event's `eventId` if the body had one; kept only when it is a UUID string. */
  readonly eventId?: unknown;
  /** Event time of a `future_timestamp` item, so its next attempt is when it becomes acceptable. */
  readonly occurredAtMs?: number;
  readonly futureToleranceMs?: number;
  readonly now?: Date;
  readonly maxInlineBytes?: number;
}

export interface CreatedFailedItem {
  readonly record: FailedItemRecord;
  /**
   * Set when the payload is larger than `maxInlineBytes`: the caller stores these bytes (PAN
   * runs already masked) in the archive and records where with `withPayloadRef` before
   * inserting. The table refuses a row with neither payload nor payloadRef.
   */
  readonly overflow: Uint8Array | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Builds the `failed_items` record for an event that can never be counted as it is.
 *
 * The payload is the body as text with PAN runs masked when it is valid UTF-8 without U+0000
 * (PostgreSQL text cannot hold NUL). Otherwise it is base64 of the raw bytes; the bytes are
 * masked first, reading them one byte per character: digits, spaces and dashes are ASCII and
 * so are the same bytes in every ASCII-compatible encoding, and a masked digit becomes `*`
 * in place, so no other byte moves or changes.
 */
export function createFailedItem(input: CreateFailedItemInput): CreatedFailedItem {
  const now = input.now ?? new Date();
  const bytes = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : input.body;
  const text = decodeStorableText(bytes);
  const maskedBytes = text === undefined ? maskPanBytes(bytes) : undefined;
  const maxInlineBytes = input.maxInlineBytes ?? DEFAULT_MAX_INLINE_BYTES;
  const overflows = bytes.byteLength > maxInlineBytes;

  let payload: string | null = null;
  let overflow: Uint8Array | null = null;
  if (text !== undefined) {
    const masked = maskPans(text);
    if (overflows) overflow = new TextEncoder().encode(masked);
    else payload = masked;
  } else if (maskedBytes) {
    if (overflows) overflow = maskedBytes;
    else payload = toBase64(maskedBytes);
  }

  const record: FailedItemRecord = {
    stage: input.stage,
    errorCode: input.errorCode,
    errorMessage: sanitizeErrorMessage(input.errorMessage),
    payload,
    payloadEncoding: text === undefined ? 'base64' : 'utf8',
    payloadBytes: bytes.byteLength,
    payloadRef: null,
    source: input.source,
    partitionId: input.partitionId,
    sequenceNumber: input.sequenceNumber,
    eventId: isUuid(input.eventId) ? input.eventId : null,
    nextAttemptAt: nextAttemptAt(input, now),
  };
  return { record, overflow };
}

/** The record with the archive location of its overflowing payload. */
export function withPayloadRef(record: FailedItemRecord, payloadRef: string): FailedItemRecord {
  return { ...record, payload: null, payloadRef };
}

/**
 * Only a future event can become acceptable by waiting; every other rule fails the same way
 * on every attempt, so those items wait for a person (null).
 */
function nextAttemptAt(input: CreateFailedItemInput, now: Date): Date | null {
  if (input.errorCode !== ErrorCode.futureTimestamp) return null;
  const tolerance = input.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  if (input.occurredAtMs === undefined || !Number.isFinite(input.occurredAtMs)) {
    return new Date(now.getTime() + tolerance);
  }
  return new Date(Math.max(now.getTime(), input.occurredAtMs - tolerance));
}

function decodeStorableText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function maskPanBytes(bytes: Uint8Array): Uint8Array {
  const asLatin1 = latin1.decode(bytes);
  const masked = maskPans(asLatin1);
  if (masked === asLatin1) return bytes;
  const result = new Uint8Array(bytes);
  for (let i = 0; i < masked.length; i++) {
    if (masked.charCodeAt(i) !== asLatin1.charCodeAt(i)) result[i] = 0x2a; // '*'
  }
  return result;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** PAN-masked, free of NUL and lone surrogates (not storable as text), and cut to a sane length. */
export function sanitizeErrorMessage(message: string): string {
  let clean = maskPans(message).replaceAll('\u0000', '\uFFFD').replace(loneSurrogate, '\uFFFD');
  if (clean.length > MAX_ERROR_MESSAGE_LENGTH) {
    let cut = MAX_ERROR_MESSAGE_LENGTH - 1;
    const last = clean.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    clean = `${clean.slice(0, cut)}…`;
  }
  return clean;
}
