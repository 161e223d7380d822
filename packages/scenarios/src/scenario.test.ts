import { describe, expect, it } from 'vitest';
import { hourlyVolume, merchantArchetypes, offsetsByCountry } from './catalog.js';
import { localHour } from './daily-curve.js';
import { createScenario, type Scenario, type ScenarioOptions } from './generate.js';
import { groundTruth } from './ground-truth.js';
import { parseIncident } from './incident-spec.js';

const MINUTE = 60_000;
const startMs = Date.parse('2026-11-02T00:00:00Z');

interface Txn {
  merchantId: string;
  country: string;
  occurredAt: string;
  status: string;
  declineCode: string | null;
  processorLatencyMs: number;
}

function transactions(from: ScenarioOptions | Scenario): Txn[] {
  const out: Txn[] = [];
  for (const event of ('events' in from ? from : createScenario(from)).events()) {
    if (event.kind === 'valid' || event.kind === 'late') out.push(JSON.parse(event.line) as Txn);
  }
  return out;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const share = (txns: Txn[], test: (t: Txn) => boolean) => txns.filter(test).length / Math.max(txns.length, 1);

const base: ScenarioOptions = { seed: 11, count: 60_000, startMs, spanMs: 120 * MINUTE, merchants: 200 };

describe('incidents', () => {
  const options: ScenarioOptions = {
    ...base,
    incidents: [
      parseIncident('outage:region=EU,start=+30m,duration=20m,declines=0.7,latency=5'),
      parseIncident('merchant-collapse:merchant=#3,start=+70m,duration=30m,approval=0.2'),
    ],
  };
  const scenario = createScenario(options);
  const txns = transactions(scenario);
  const [outage, collapse] = scenario.incidents;
  const at = (t: Txn) => Date.parse(t.occurredAt);
  const inside = (t: Txn, i: { startMs: number; endMs: number }) => at(t) >= i.startMs && at(t) < i.endMs;

  it('a regional outage declines with 91 and raises latency inside its window only', () => {
    if (outage?.type !== 'outage') throw new Error('expected an outage');
    // The outage hits the region's merchants (their cards may come from anywhere).
    const market = new Map(scenario.merchants.map((m) => [m.id, m.country]));
    const inRegion = (t: Txn) => outage.countries.includes(market.get(t.merchantId)!);
    const eu = txns.filter(inRegion);
    const during = eu.filter((t) => inside(t, outage));
    const outside = eu.filter((t) => !inside(t, outage));
    const others = txns.filter((t) => !inRegion(t) && inside(t, outage));
    expect(during.length).toBeGreaterThan(1_000);
    expect(share(during, (t) => t.declineCode === '91')).toBeGreaterThan(0.65);
    expect(share(outside, (t) => t.declineCode === '91')).toBeLessThan(0.01);
    expect(share(others, (t) => t.declineCode === '91')).toBeLessThan(0.01);
    // Latency rises over the window: the last quarter is far slower than before the outage.
    const lastQuarter = during
      .filter((t) => at(t) >= outage.endMs - 5 * MINUTE)
      .map((t) => t.processorLatencyMs);
    const before = outside.map((t) => t.processorLatencyMs);
    expect(median(lastQuarter)).toBeGreaterThan(3.5 * median(before));
    expect(median(others.map((t) => t.processorLatencyMs))).toBeLessThan(1.3 * median(before));
    expect(outage.affectedEvents).toBe(during.length);
  });

  it('a merchant collapse drops that merchant approval rate in its window only', () => {
    if (collapse?.type !== 'merchant-collapse') throw new Error('expected a collapse');
    expect(collapse.merchantId).toBe(scenario.merchants[2]!.id);
    const mine = txns.filter((t) => t.merchantId === collapse.merchantId);
    const during = mine.filter((t) => inside(t, collapse));
    const outside = mine.filter((t) => !inside(t, collapse));
    expect(during.length).toBeGreaterThan(300);
    expect(share(during, (t) => t.status === 'approved')).toBeGreaterThan(0.14);
    expect(share(during, (t) => t.status === 'approved')).toBeLessThan(0.26);
    expect(share(outside, (t) => t.status === 'approved')).toBeGreaterThan(0.85);
    const othersDuring = txns.filter((t) => t.merchantId !== collapse.merchantId && inside(t, collapse));
    expect(share(othersDuring, (t) => t.status === 'approved')).toBeGreaterThan(0.85);
  });

  it('writes a ground truth naming each incident, its scope, window and expected effect', () => {
    const truth = groundTruth(
      11,
      { startMs, spanMs: base.spanMs, count: base.count, dailyCurve: false },
      scenario.incidents,
    );
    expect(truth.incidents).toHaveLength(2);
    expect(truth.incidents[0]).toMatchObject({
      id: 'outage-1',
      type: 'outage',
      scope: { region: 'EU' },
      start: '2026-11-02T00:30:00.000Z',
      end: '2026-11-02T00:50:00.000Z',
      expectedEffect: { declineCode: '91', declineShare: 0.7 },
    });
    expect(truth.incidents[1]).toMatchObject({
      type: 'merchant-collapse',
      scope: {
        merchantId: collapse?.type === 'merchant-collapse' ? collapse.merchantId : '',
        merchantRank: 3,
      },
      start: '2026-11-02T01:10:00.000Z',
      expectedEffect: { approvalRate: 0.2 },
    });
    expect(truth.incidents[1]!.affectedEvents).toBeGreaterThan(300);
  });

  it('an unknown merchant is an error naming it', () => {
    expect(() =>
      createScenario({
        ...base,
        incidents: [parseIncident('merchant-collapse:merchant=m_nobody,start=+1m,duration=1m')],
      }),
    ).toThrow(/m_nobody is not in this scenario/);
  });
});

describe('determinism', () => {
  it('the same seed and options give the same lines; another seed does not', () => {
    const options: ScenarioOptions = {
      ...base,
      count: 5_000,
      dailyCurve: true,
      incidents: [parseIncident('outage:region=NA,start=+10m,duration=30m')],
    };
    const lines = (o: ScenarioOptions) => [...createScenario(o).events()].map((e) => e.line);
    const first = lines(options);
    expect(lines(options)).toEqual(first);
    const scenario = createScenario(options);
    expect([...scenario.events()].map((e) => e.line)).toEqual([...scenario.events()].map((e) => e.line));
    expect(lines({ ...options, seed: 12 })).not.toEqual(first);
  });
});

describe('daily curve', () => {
  const options: ScenarioOptions = {
    ...base,
    count: 120_000,
    spanMs: 3 * 24 * 60 * MINUTE,
    dailyCurve: true,
    lateFraction: 0,
  };
  const txns = transactions(options);
  // Merchants of the archetypes whose curve is not shifted, by their home market.
  const unshifted = new Set(merchantArchetypes.filter((a) => a.curveShiftHours === 0).map((a) => a.name));
  const merchants = createScenario(options).merchants;
  const market = new Map(merchants.filter((m) => unshifted.has(m.archetype)).map((m) => [m.id, m.country]));

  const byLocalHour = (country: string) => {
    const counts = new Array<number>(24).fill(0);
    for (const t of txns) {
      if (market.get(t.merchantId) === country) {
        counts[localHour(Date.parse(t.occurredAt), offsetsByCountry[country]!)]!++;
      }
    }
    return counts;
  };
  const correlation = (a: number[], b: readonly number[]) => {
    const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const [ma, mb] = [mean(a), mean(b)];
    let [num, da, db] = [0, 0, 0];
    a.forEach((x, i) => {
      num += (x - ma) * (b[i]! - mb);
      da += (x - ma) ** 2;
      db += (b[i]! - mb) ** 2;
    });
    return num / Math.sqrt(da * db);
  };

  it('each market follows the curve in its own local time', () => {
    for (const country of ['US', 'DE', 'GB']) {
      const counts = byLocalHour(country);
      expect(correlation(counts, hourlyVolume), country).toBeGreaterThan(0.95);
      expect(counts[19]!, country).toBeGreaterThan(5 * counts[4]!);
    }
  });

  it('so markets peak at different UTC hours', () => {
    const peakUtcHour = (country: string) => {
      const counts = new Array<number>(24).fill(0);
      for (const t of txns) {
        if (market.get(t.merchantId) === country) counts[new Date(t.occurredAt).getUTCHours()]!++;
      }
      return counts.indexOf(Math.max(...counts));
    };
    expect(peakUtcHour('JP')).not.toBe(peakUtcHour('US'));
    expect((peakUtcHour('US') - peakUtcHour('JP') + 24) % 24).toBeGreaterThanOrEqual(12);
  });

  it('without the curve, event times are spread evenly', () => {
    const flat = createScenario({ ...base, count: 24_000, spanMs: 24 * 60 * MINUTE });
    const perHour = new Array<number>(24).fill(0);
    for (const event of flat.events()) perHour[new Date(event.atMs).getUTCHours()]!++;
    expect(Math.max(...perHour) - Math.min(...perHour)).toBeLessThanOrEqual(1);
  });
});
