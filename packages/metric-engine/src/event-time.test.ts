import { describe, expect, it } from 'vitest';
import { checkEventTime, defaultEventTimeBounds } from './event-time.js';

const now = Date.parse('2026-11-27T12:00:00.000Z');
const day = 24 * 60 * 60 * 1000;

describe('checkEventTime', () => {
  it('has the contract defaults: 7 days late, 5 minutes ahead', () => {
    expect(defaultEventTimeBounds).toEqual({ maxLatenessMs: 7 * day, maxFutureMs: 5 * 60_000 });
  });

  it('accepts events exactly on either bound', () => {
    expect(checkEventTime(now - 7 * day, now)).toBeUndefined();
    expect(checkEventTime(now + 5 * 60_000, now)).toBeUndefined();
    expect(checkEventTime(now, now)).toBeUndefined();
  });

  it('rejects one millisecond beyond the lateness bound as too_late', () => {
    const result = checkEventTime(now - 7 * day - 1, now);
    expect(result?.code).toBe('too_late');
    expect(result?.message).toContain('2026-11-20T11:59:59.999Z');
    expect(result?.message).toContain('more than 7 days before processing time');
  });

  it('rejects one millisecond beyond the future bound as future_timestamp', () => {
    const result = checkEventTime(now + 5 * 60_000 + 1, now);
    expect(result?.code).toBe('future_timestamp');
    expect(result?.message).toContain('more than 5 minutes after processing time');
  });

  it('applies custom bounds', () => {
    const bounds = { maxLatenessMs: 60_000, maxFutureMs: 0 };
    expect(checkEventTime(now - 60_000, now, bounds)).toBeUndefined();
    expect(checkEventTime(now - 60_001, now, bounds)).toMatchObject({
      code: 'too_late',
      message: expect.stringContaining('more than 1 minute before'),
    });
    expect(checkEventTime(now + 1, now, bounds)?.code).toBe('future_timestamp');
    expect(checkEventTime(now - 2 * day, now)).toBeUndefined();
    expect(checkEventTime(now - 2 * day, now, bounds)?.code).toBe('too_late');
  });
});
