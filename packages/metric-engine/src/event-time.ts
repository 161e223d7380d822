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
      message: `occurredAt ${new Date(occurredAtMs).toISOString()} is more than ${formatDuration(bounds.maxLatenessMs)} before processing time ${new Date(nowMs).toISOString()}`,
    };
  }
  if (occurredAtMs > nowMs + bounds.maxFutureMs) {
    return {
      code: 'future_timestamp',
      message: `occurredAt ${new Date(occurredAtMs).toISOString()} is more than ${formatDuration(bounds.maxFutureMs)} after processing time ${new Date(nowMs).toISOString()}`,
    };
  }
  return undefined;
}

/** `7 days`, `5 minutes`, `90 s`: bounds as an operator reads them in failed_items. */
function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${ms} ms`;
}
