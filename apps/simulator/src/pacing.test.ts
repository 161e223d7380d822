import { describe, expect, it } from 'vitest';
import { type Clock, pace, steadyRate } from './pacing.js';

/** Virtual time: sleeps always overshoot (as timers do) and the consumer spends time per item. */
function virtualClock(overshootMs: number): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    async sleep(ms) {
      now += ms + overshootMs;
    },
    advance(ms) {
      now += ms;
    },
  };
}

async function releaseTimes(
  rate: number,
  seconds: number,
  clock: ReturnType<typeof virtualClock>,
  workMs: number,
) {
  const times: number[] = [];
  const items = Array.from({ length: rate * seconds }, (_, i) => i);
  for await (const _ of pace(items, { dueMs: steadyRate(rate), clock, tickMs: 20 })) {
    times.push(clock.now());
    clock.advance(workMs);
  }
  return times;
}

describe('pace', () => {
  it('keeps 2,000 events/s within 1% over 30 s although every sleep overshoots and each event costs time', async () => {
    const clock = virtualClock(7);
    const times = await releaseTimes(2_000, 30, clock, 0.05);
    const elapsed = times[times.length - 1]! / 1000;
    expect(Math.abs(times.length / elapsed / 2_000 - 1)).toBeLessThan(0.01);
    // Every second the released count is the count due, within one tick and one overshoot of events.
    for (let second = 1; second <= 30; second++) {
      const released = times.filter((t) => t < second * 1000).length;
      expect(Math.abs(released - second * 2_000)).toBeLessThanOrEqual(2_000 * 0.03);
    }
  });

  it('releases in ticks, not one sleep per event', async () => {
    const clock = virtualClock(1);
    const times = await releaseTimes(5_000, 2, clock, 0);
    expect(new Set(times).size).toBeLessThan(times.length / 50);
  });

  it('catches up after a stall instead of drifting', async () => {
    const clock = virtualClock(0);
    const times: number[] = [];
    const items = Array.from({ length: 3_000 }, (_, i) => i);
    for await (const i of pace(items, { dueMs: steadyRate(1_000), clock })) {
      times.push(clock.now());
      if (i === 500) clock.advance(1_000); // the consumer stalls for a second
    }
    expect(times.filter((t) => t < 2_000).length).toBeGreaterThanOrEqual(2_000 - 20 - 1); // at most one 20 ms tick behind
    // Without catching up the stall would push the end to 4 s.
    expect(times[times.length - 1]!).toBeLessThanOrEqual(3_000 + 20);
  });

  it('follows due times of any shape', async () => {
    const clock = virtualClock(0);
    const due = [0, 0, 500, 500, 2_000];
    const times: number[] = [];
    for await (const _ of pace(due, { dueMs: (d) => d, clock, tickMs: 10 })) times.push(clock.now());
    expect(times).toEqual([0, 0, 500, 500, 2_000]);
  });
});
