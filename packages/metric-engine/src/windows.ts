/** Length of the tumbling aggregation window: 5 minutes. */
export const WINDOW_MS = 300_000;

/**
 * Start of the 5-minute window holding an instant, on the UTC epoch grid. Flooring (not
 * truncating) keeps instants before 1970 in the right window too; an instant exactly on a
 * boundary starts its own window (10:05:00.000Z belongs to 10:05).
 */
export function windowStartMs(occurredAtMs: number): number {
  return Math.floor(occurredAtMs / WINDOW_MS) * WINDOW_MS;
}
