import { decodeEventBody } from '@paymetrics/dead-letter';
import { checkEventTime, type EventTimeBounds } from '@paymetrics/metric-engine';
import {
  type ErrorCode,
  FailureStage,
  maskPans,
  type ValidTransaction,
  validateTransaction,
} from '@paymetrics/schemas';
import type { RawEvent } from './batch.js';

export interface CountableEvent {
  readonly valid: ValidTransaction;
  readonly sequenceNumber: number;
}

export interface ParkedEvent {
  readonly event: RawEvent;
  readonly stage: FailureStage;
  readonly code: ErrorCode;
  readonly message: string;
  readonly eventId: string | null;
  /** Event time of an event parked for its time bounds: a future one comes due from it. */
  readonly occurredAtMs?: number;
}

export interface ClassifiedEvents {
  /** Valid events with distinct eventIds, in sequence order. */
  readonly countable: CountableEvent[];
  readonly parked: ParkedEvent[];
  /** Repeats of an eventId seen earlier in the same batch. */
  readonly duplicates: number;
  /** The text of every event as received, card numbers masked, for the archive. */
  readonly lines: string[];
}

export interface ClassifyOptions {
  readonly nowMs: number;
  readonly bounds: EventTimeBounds;
  readonly maxEventBytes: number;
}

const lossyUtf8 = new TextDecoder('utf-8');

/** The body as text for the archive when decoding gave none (invalid UTF-8, too large). */
function rawText(body: RawEvent['body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return lossyUtf8.decode(body);
  return JSON.stringify(body) ?? '';
}

function readableEventId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { eventId?: unknown }).eventId;
  return typeof id === 'string' && id.length <= 64 ? id : null;
}

/** Decode, validate and bound-check each event; keep the first of repeated eventIds. */
export function classifyEvents(events: readonly RawEvent[], options: ClassifyOptions): ClassifiedEvents {
  const countable: CountableEvent[] = [];
  const parked: ParkedEvent[] = [];
  const lines: string[] = [];
  const seenIds = new Set<string>();
  let duplicates = 0;

  for (const event of events) {
    const decoded = decodeEventBody(event.body, { maxBytes: options.maxEventBytes });
    lines.push(maskPans(decoded.text ?? rawText(event.body)));
    if (!decoded.ok) {
      parked.push({
        event,
        stage: FailureStage.decode,
        code: decoded.code,
        message: decoded.message,
        eventId: null,
      });
      continue;
    }
    const validated = validateTransaction(decoded.value);
    if (!validated.ok) {
      parked.push({
        event,
        stage: FailureStage.validate,
        code: validated.code,
        message: validated.message,
        eventId: readableEventId(decoded.value),
      });
      continue;
    }
    const outOfBounds = checkEventTime(validated.occurredAtMs, options.nowMs, options.bounds);
    if (outOfBounds) {
      parked.push({
        event,
        stage: FailureStage.bounds,
        code: outOfBounds.code,
        message: outOfBounds.message,
        eventId: validated.transaction.eventId,
        occurredAtMs: validated.occurredAtMs,
      });
      continue;
    }
    const eventId = validated.transaction.eventId;
    if (seenIds.has(eventId)) {
      duplicates++;
      continue;
    }
    seenIds.add(eventId);
    countable.push({ valid: validated, sequenceNumber: event.sequenceNumber });
  }
  return { countable, parked, duplicates, lines };
}
