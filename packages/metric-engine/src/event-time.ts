/** How far from processing time an event's own time may be before it is dead-lettered. */
export interface EventTimeBounds {
  readonly maxLatenessMs: number;
  readonly maxFutureMs: number;
}

export const defaultEventTimeBounds: EventTimeBounds = {
  maxLatenessMs: 7 * 24 * 60 * 60 * 1000,
  maxFutureMs: 5 * 60 * 1000,
};

export interface EventTimeViolation {
  readonly code: 'too_late' | 'future_timestamp';
  readonly message: string;
}

/**
 * Whether an event time is within bounds of processing time `nowMs`. Both bounds are inclusive:
 * an event exactly `maxLatenessMs` old (or exactly `maxFutureMs` ahead) is still accepted.
 */
export function checkEventTime(
  occurredAtMs: number,
  nowMs: number,
  bounds: EventTimeBounds = defaultEventTimeBounds,
): EventTimeViolation | undefined {
  if (occurredAtMs < nowMs - bounds.maxLatenessMs) {
    return {
      code: 'too_late',
      message: `occurredAt ${new Date(occurredAtMs).toISOString()} is more than ${bounds.maxLatenessMs} ms before processing time ${new Date(nowMs).toISOString()}`,
    };
  }
  if (occurredAtMs > nowMs + bounds.maxFutureMs) {
    return {
      code: 'future_timestamp',
      message: `occurredAt ${new Date(occurredAtMs).toISOString()} is more than ${bounds.maxFutureMs} ms after processing time ${new Date(nowMs).toISOString()}`,
    };
  }
  return undefined;
}
