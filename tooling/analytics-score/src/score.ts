import type { Incident, MerchantRef } from '@paymetrics/scenarios';

export const WINDOW_MS = 5 * 60_000;
/** An anomaly that runs on a little after its incident ended is still that incident (recovery takes a window). */
const AFTERGLOW_MS = 2 * WINDOW_MS;

export interface ReportedAnomaly {
  readonly metric: string;
  readonly scope: Readonly<Record<string, string>>;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

export interface DetectionScore {
  readonly reported: number;
  readonly real: number;
  readonly incidents: number;
  /** Incidents with a related anomaly starting within two windows of the incident's start window. */
  readonly foundInTime: number;
  readonly found: number;
  /** Per found incident: windows from the incident's start window to its first related anomaly. */
  readonly delays: readonly number[];
}

/**
 * Whether an anomaly is about an incident: it overlaps the incident's time, and its scope is
 * one the incident moved (the whole traffic, a card brand or method, the region, a country or a
 * merchant of the region; for a merchant collapse, that merchant or an aggregate containing it).
 */
export function relatedTo(
  anomaly: ReportedAnomaly,
  incident: Incident,
  merchantCountry: ReadonlyMap<string, string>,
  regionOf: ReadonlyMap<string, string>,
): boolean {
  if (anomaly.windowEndMs <= incident.startMs || anomaly.windowStartMs >= incident.endMs + AFTERGLOW_MS)
    return false;
  const [kind, value] = Object.entries(anomaly.scope)[0] ?? ['overall', ''];
  if (kind === 'overall' || kind === 'card_brand' || kind === 'payment_method') return true;
  const countries =
    incident.type === 'outage' ? incident.countries : [merchantCountry.get(incident.merchantId) ?? ''];
  switch (kind) {
    case 'region':
      return countries.some((country) => regionOf.get(country) === value);
    case 'country':
      return countries.includes(value);
    case 'merchant_id':
      return incident.type === 'outage'
        ? countries.includes(merchantCountry.get(value) ?? '')
        : incident.merchantId === value;
    default:
      return false;
  }
}

export function scoreDetection(
  anomalies: readonly ReportedAnomaly[],
  incidents: readonly Incident[],
  merchants: readonly MerchantRef[],
  regionOf: ReadonlyMap<string, string>,
): DetectionScore {
  const merchantCountry = new Map(merchants.map((m) => [m.id, m.country]));
  const real = anomalies.filter((a) =>
    incidents.some((i) => relatedTo(a, i, merchantCountry, regionOf)),
  ).length;
  const delays: number[] = [];
  let foundInTime = 0;
  for (const incident of incidents) {
    const related = anomalies.filter((a) => relatedTo(a, incident, merchantCountry, regionOf));
    if (related.length === 0) continue;
    const startWindow = Math.floor(incident.startMs / WINDOW_MS) * WINDOW_MS;
    const first = Math.min(...related.map((a) => a.windowStartMs));
    const delay = Math.max(0, Math.round((first - startWindow) / WINDOW_MS));
    delays.push(delay);
    if (delay <= 2) foundInTime++;
  }
  return {
    reported: anomalies.length,
    real,
    incidents: incidents.length,
    found: delays.length,
    foundInTime,
    delays,
  };
}

/** Adjusted Rand index of two labelings of the same items (Hubert and Arabie). */
export function adjustedRandIndex(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new RangeError('labelings must have the same length');
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<string, number>();
  const columns = new Map<string, number>();
  a.forEach((x, i) => {
    const y = b[i]!;
    table.set(`${x}\u0000${y}`, (table.get(`${x}\u0000${y}`) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    columns.set(y, (columns.get(y) ?? 0) + 1);
  });
  let index = 0;
  for (const n of table.values()) index += pairs(n);
  let rowSum = 0;
  for (const n of rows.values()) rowSum += pairs(n);
  let columnSum = 0;
  for (const n of columns.values()) columnSum += pairs(n);
  const expected = (rowSum * columnSum) / pairs(a.length);
  const max = (rowSum + columnSum) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
