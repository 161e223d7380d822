import { describe, expect, it } from 'vitest';
import { WINDOW_MS, windowStartMs } from './windows.js';

const at = (iso: string) => windowStartMs(Date.parse(iso));
const iso = (ms: number) => new Date(ms).toISOString();

describe('windowStartMs', () => {
  it('puts the last millisecond before a boundary in the earlier window', () => {
    expect(iso(at('2026-11-27T10:04:59.999Z'))).toBe('2026-11-27T10:00:00.000Z');
  });

  it('puts an event exactly on a boundary in the window it starts', () => {
    expect(iso(at('2026-11-27T10:05:00.000Z'))).toBe('2026-11-27T10:05:00.000Z');
  });

  it('aligns offsets to the UTC grid', () => {
    // 15:39:59+05:30 is 10:09:59Z; 02:10:00-08:00 is 10:10:00Z.
    expect(iso(at('2026-11-27T15:39:59.500+05:30'))).toBe('2026-11-27T10:05:00.000Z');
    expect(iso(at('2026-11-27T02:10:00-08:00'))).toBe('2026-11-27T10:10:00.000Z');
    expect(iso(at('2026-11-27T02:09:59.999-08:00'))).toBe('2026-11-27T10:05:00.000Z');
  });

  it('floors instants before the epoch too', () => {
    expect(windowStartMs(-1)).toBe(-WINDOW_MS);
    expect(windowStartMs(0)).toBe(0);
  });
});
