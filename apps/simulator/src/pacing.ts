/** Time as the pacer sees it; tests inject a virtual one. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PaceOptions<T> {
  /** When an item is due, in ms after the start of the run. */
  readonly dueMs: (item: T, index: number) => number;
  readonly clock?: Clock | undefined;
  /** Items are released in ticks of this length (default 20 ms): small enough to look smooth, large enough to batch. */
  readonly tickMs?: number | undefined;
}

/**
 * Releases items when the clock reaches their due time. Due times are offsets from one start
 * instant, so a late wake-up or a slow consumer is caught up on the next tick instead of
 * accumulating as drift: after t seconds the count released is the count due by t.
 */
export async function* pace<T>(
  items: Iterable<T> | AsyncIterable<T>,
  options: PaceOptions<T>,
): AsyncGenerator<T> {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? 20;
  const started = clock.now();
  let index = 0;
  for await (const item of items) {
    const due = options.dueMs(item, index++);
    const wait = due - (clock.now() - started);
    // Sleeping at least a tick groups every item due within it into one burst.
    if (wait > 0) await clock.sleep(Math.max(wait, tickMs));
    yield item;
  }
}

/** Due times of a steady rate: item i at i / rate seconds. */
export const steadyRate =
  (eventsPerSecond: number) =>
  (_item: unknown, index: number): number =>
    (index * 1000) / eventsPerSecond;
