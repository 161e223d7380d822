/** The time ranges the dashboard offers, each with the grain its charts use. */
export const rangeNames = ['1h', '6h', '24h', '7d'] as const;
export type RangeName = (typeof rangeNames)[number];

export type Grain = '5m' | '1h';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const rangeSpecs: Record<RangeName, { readonly durationMs: number; readonly grain: Grain }> = {
  '1h': { durationMs: HOUR, grain: '5m' },
  '6h': { durationMs: 6 * HOUR, grain: '5m' },
  '24h': { durationMs: 24 * HOUR, grain: '1h' },
  '7d': { durationMs: 7 * 24 * HOUR, grain: '1h' },
};

export const grainMs: Record<Grain, number> = { '5m': 5 * MINUTE, '1h': HOUR };

/** A half-open period [from, to) and the equally long one before it, on grain boundaries. */
export interface ReportRange {
  readonly name: RangeName;
  readonly grain: Grain;
  readonly from: Date;
  readonly to: Date;
  readonly previousFrom: Date;
}

export function isRangeName(value: unknown): value is RangeName {
  return typeof value === 'string' && (rangeNames as readonly string[]).includes(value);
}

/**
 * The range of `name` ending at `endMs` rounded up to the grain, so that every bucket is whole
 * and the rollups can answer it.
 */
export function reportRange(name: RangeName, endMs: number): ReportRange {
  const { durationMs, grain } = rangeSpecs[name];
  const step = grainMs[grain];
  const to = Math.ceil(endMs / step) * step;
  return {
    name,
    grain,
    from: new Date(to - durationMs),
    to: new Date(to),
    previousFrom: new Date(to - 2 * durationMs),
  };
}

/** Bucket starts of a range, oldest first. */
export function bucketStarts(range: ReportRange): number[] {
  const step = grainMs[range.grain];
  const starts: number[] = [];
  for (let t = range.from.getTime(); t < range.to.getTime(); t += step) starts.push(t);
  return starts;
}
