import { describe, expect, it } from 'vitest';
import { parseDuration, parseIncident } from './incident-spec.js';

describe('parseIncident', () => {
  it('reads an outage with defaults and a merchant collapse with every field', () => {
    expect(parseIncident('outage:region=eu,start=+10m,duration=15m')).toEqual({
      type: 'outage',
      region: 'EU',
      start: { offsetMs: 600_000 },
      durationMs: 900_000,
      declineShare: 0.6,
      latencyFactor: 6,
    });
    expect(
      parseIncident(
        'merchant-collapse:merchant=m_shop_0007,start=2026-11-02T10:00:00Z,duration=1h30m,approval=0.1',
      ),
    ).toEqual({
      type: 'merchant-collapse',
      merchant: 'm_shop_0007',
      start: { atMs: Date.parse('2026-11-02T10:00:00Z') },
      durationMs: 5_400_000,
      approvalRate: 0.1,
    });
    expect(parseIncident('outage:region=APAC,start=0s,duration=90s,declines=1,latency=x3')).toMatchObject({
      start: { offsetMs: 0 },
      declineShare: 1,
      latencyFactor: 3,
    });
  });

  it.each([
    ['brownout:region=EU,start=+1m,duration=1m', /unknown incident type "brownout"/],
    ['outage:region=MARS,start=+1m,duration=1m', /unknown region "MARS"/],
    ['outage:region=EU,duration=1m', /start= is required/],
    ['outage:region=EU,start=+1m', /duration= is required/],
    ['outage:region=EU,start=soon,duration=1m', /start "soon"/],
    ['outage:region=EU,start=+1m,duration=15', /"15" is not a duration/],
    ['outage:region=EU,start=+1m,duration=0m', /duration must be positive/],
    ['outage:region=EU,start=+1m,duration=1m,declines=1.5', /declines=1.5: must be between 0 and 1/],
    ['outage:region=EU,start=+1m,duration=1m,latency=0.5', /latency=0.5/],
    ['outage:region=EU,start=+1m,duration=1m,merchant=x', /unexpected "merchant=x"/],
    ['outage:region=EU,region=NA,start=+1m,duration=1m', /region given twice/],
    ['merchant-collapse:merchant=has space,start=+1m,duration=1m', /neither a merchant id nor #<rank>/],
    ['merchant-collapse:merchant=#0,start=+1m,duration=1m', /neither a merchant id nor #<rank>/],
  ])('rejects %s', (text, message) => {
    expect(() => parseIncident(text)).toThrow(message);
  });

  it('parses compound durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('1x')).toThrow(/not a duration/);
  });
});
