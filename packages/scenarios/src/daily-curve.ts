import { hourlyVolume } from './catalog.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Half-hour slots: the finest step at which any market's local hour changes (India is UTC+05:30). */
export const SLOT_MS = 30 * MINUTE;
export const SLOTS_PER_DAY = DAY / SLOT_MS;

/** Index (0-47) of the UTC half-hour of day an instant falls in. */
export function slotOfDay(utcMs: number): number {
  return Math.floor((((utcMs % DAY) + DAY) % DAY) / SLOT_MS);
}

/** Local hour of day (0-23) of an instant in a market with the given UTC offset. */
export function localHour(utcMs: number, offsetMinutes: number): number {
  const local = (((utcMs + offsetMinutes * MINUTE) % DAY) + DAY) % DAY;
  return Math.floor(local / (60 * MINUTE));
}

/** Volume multiplier of the daily curve at an instant, in a market with the given UTC offset. */
export function curveMultiplier(utcMs: number, offsetMinutes: number): number {
  return hourlyVolume[localHour(utcMs, offsetMinutes)]!;
}

/** Maps the i-th of `count` events to its event time. */
export type Timeline = (index: number) => number;

/** Events spread evenly over the span. */
export function uniformTimeline(startMs: number, spanMs: number, count: number): Timeline {
  return (index) => startMs + Math.floor((index / count) * spanMs);
}

/**
 * Events spaced so that their density follows `intensity` (relative volume per UTC half-hour slot
 * of day): the i-th event sits where the cumulative volume reaches i/count of the span's total.
 */
export function curveTimeline(
  startMs: number,
  spanMs: number,
  count: number,
  intensity: (slot: number) => number,
): Timeline {
  const starts: number[] = [];
  const rates: number[] = [];
  const cumulative: number[] = [0];
  const endMs = startMs + spanMs;
  for (let at = startMs; at < endMs; ) {
    const slotEnd = Math.min(endMs, Math.floor(at / SLOT_MS) * SLOT_MS + SLOT_MS);
    const rate = Math.max(intensity(slotOfDay(at)), 1e-9);
    starts.push(at);
    rates.push(rate);
    cumulative.push(cumulative[cumulative.length - 1]! + rate * (slotEnd - at));
    at = slotEnd;
  }
  const total = cumulative[cumulative.length - 1]!;
  let segment = 0;
  return (index) => {
    const target = (index / count) * total;
    // Events come in order, so the segment only moves forward; restart for an earlier index.
    if (target < cumulative[segment]!) segment = 0;
    while (segment < starts.length - 1 && cumulative[segment + 1]! <= target) segment++;
    return Math.floor(starts[segment]! + (target - cumulative[segment]!) / rates[segment]!);
  };
}
