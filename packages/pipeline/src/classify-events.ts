import { decodeEventBody } from '@paymetrics/dead-letter';
import { checkEventTime, type EventTimeBounds } from '@paymetrics/metric-engine';
import {
  ErrorCode,
  FailureStage,
  maskPans,
  type ValidTransaction,
  validateTransaction,
} from '@paymetrics/schemas';
import type { RawEvent } from './batch.js';
import type { EventIdLookup } from './recent-event-ids.js';

export interface CountableEvent {
  readonly valid: ValidTransaction;
  readonly sequenceNumber: number;
  /** The body as received, should deriving its metrics fail and the event be parked. */
  readonly payload: string | Uint8Array;
}

export interface ParkedEvent {
  readonly event: RawEvent;
  readonly stage: FailureStage;
  readonly code: ErrorCode;
  readonly message: string;
  readonly eventId: string | null;
  /** Event time of an event parked for its time bounds: a future one comes due from it. */
  readonly occurredAtMs?: number;
  /** What to park: the body as received, or the text of a value the host parsed. */
  readonly payload: string | Uint8Array;
}

export interface ClassifiedEvents {
  /** Valid events with distinct eventIds, in sequence order; their metrics are derived. */
  readonly countable: CountableEvent[];
  /**
   * Valid events whose eventId a batch committing before this one counts
   * (`ClassifyOptions.expectedRepeats`): claimed with the rest, but their metrics are not
   * derived. The claim confirms them; should it not, the commit derives again.
   */
  readonly expectedRepeats: CountableEvent[];
  /** The eventIds of `countable` and `expectedRepeats`. */
  readonly eventIds: ReadonlySet<string>;
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
  /** EventIds expected to be counted already, by the batches committing before this one. */
  readonly expectedRepeats?: EventIdLookup | undefined;
}

const lossyUtf8 = new TextDecoder('utf-8');

/**
 * The body as received, for parking. A value the host parsed has no text of its own: decoding
 * gives one (cut when the value cannot be serialized whole), never JSON.stringify again here.
 */
function receivedPayload(body: RawEvent['body'], decodedText: string | undefined): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return decodedText ?? '';
}

/** The text of an event for the archive: one line per event, card numbers masked. */
function archiveLine(payload: string | Uint8Array): string {
  return maskPans(typeof payload === 'string' ? payload : lossyUtf8.decode(payload));
}

function readableEventId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { eventId?: unknown }).eventId;
  return typeof id === 'string' && id.length <= 64 ? id : null;
}

/**
 * Decodes, validates and bound-checks events one at a time, keeping the first of repeated
 * eventIds; a batch can be fed in slices (so the caller can yield between them). Never throws
 * for an event: whatever goes wrong with one (a runtime limit, a defect) parks that event as
 * `processing_error` at the stage it reached, so one event cannot fail its whole batch.
 */
export class EventClassifier {
  readonly #options: ClassifyOptions;
  readonly #countable: CountableEvent[] = [];
  readonly #expectedRepeats: CountableEvent[] = [];
  readonly #parked: ParkedEvent[] = [];
  readonly #lines: string[] = [];
  readonly #seenIds = new Set<string>();
  #duplicates = 0;

  constructor(options: ClassifyOptions) {
    this.#options = options;
  }

  add(event: RawEvent): void {
    const options = this.#options;
    const parked = this.#parked;
    let stage: FailureStage = FailureStage.decode;
    let payload: string | Uint8Array | undefined;
    let eventId: string | null = null;
    let archived = false;
    try {
      const decoded = decodeEventBody(event.body, { maxBytes: options.maxEventBytes });
      payload = receivedPayload(event.body, decoded.text);
      this.#lines.push(archiveLine(decoded.text ?? payload));
      archived = true;
      if (!decoded.ok) {
        parked.push({ event, stage, code: decoded.code, message: decoded.message, eventId, payload });
        return;
      }
      stage = FailureStage.validate;
      eventId = readableEventId(decoded.value);
      const validated = validateTransaction(decoded.value);
      if (!validated.ok) {
        parked.push({ event, stage, code: validated.code, message: validated.message, eventId, payload });
        return;
      }
      stage = FailureStage.bounds;
      eventId = validated.transaction.eventId;
      const outOfBounds = checkEventTime(validated.occurredAtMs, options.nowMs, options.bounds);
      if (outOfBounds) {
        parked.push({
          event,
          stage,
          code: outOfBounds.code,
          message: outOfBounds.message,
          eventId,
          payload,
          occurredAtMs: validated.occurredAtMs,
        });
        return;
      }
      if (this.#seenIds.has(eventId)) {
        this.#duplicates++;
        return;
      }
      this.#seenIds.add(eventId);
      const countable = { valid: validated, sequenceNumber: event.sequenceNumber, payload };
      if (options.expectedRepeats?.has(eventId)) this.#expectedRepeats.push(countable);
      else this.#countable.push(countable);
    } catch (error) {
      payload ??= receivedPayload(event.body, undefined);
      if (!archived) this.#lines.push(archiveLine(payload));
      parked.push(processingError(event, stage, error, eventId, payload));
    }
  }

  result(): ClassifiedEvents {
    return {
      countable: this.#countable,
      expectedRepeats: this.#expectedRepeats,
      eventIds: this.#seenIds,
      parked: this.#parked,
      duplicates: this.#duplicates,
      lines: this.#lines,
    };
  }
}

export function processingError(
  event: RawEvent,
  stage: FailureStage,
  error: unknown,
  eventId: string | null,
  payload: string | Uint8Array,
): ParkedEvent {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    event,
    stage,
    code: ErrorCode.processingError,
    message: `processing the event failed at the ${stage} stage: ${reason}`,
    eventId,
    payload,
  };
}
