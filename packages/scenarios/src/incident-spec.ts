import { merchantIdPattern } from '@paymetrics/schemas';
import { type Region, regions } from './catalog.js';

/** When an incident starts: an offset from the scenario's first event time, or an absolute instant. */
export type IncidentStart = { readonly offsetMs: number } | { readonly atMs: number };

/** A processor outage in one region: a share of its transactions decline with `91`, latency rises over the window. */
export interface OutageSpec {
  readonly type: 'outage';
  readonly region: Region;
  readonly start: IncidentStart;
  readonly durationMs: number;
  /** Share of the region's transactions that decline with code 91 during the window. */
  readonly declineShare: number;
  /** Latency multiplier reached at the end of the window; it rises linearly from 1 at the start. */
  readonly latencyFactor: number;
}

/** One merchant whose approval rate collapses for a while. */
export interface MerchantCollapseSpec {
  readonly type: 'merchant-collapse';
  /** A merchant id, or `#N` for the N-th largest merchant of the scenario. */
  readonly merchant: string;
  readonly start: IncidentStart;
  readonly durationMs: number;
  readonly approvalRate: number;
}

export type IncidentSpec = OutageSpec | MerchantCollapseSpec;

/** A malformed `--incident` value; the message is one line saying what to fix. */
export class IncidentSyntaxError extends Error {
  override readonly name = 'IncidentSyntaxError';
}

export const incidentSyntax =
  'outage:region=EU|NA|LATAM|APAC,start=+10m,duration=15m[,declines=0.6][,latency=6] or ' +
  'merchant-collapse:merchant=<id>|#<rank>,start=+10m,duration=15m[,approval=0.2]';

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `15m`, `1h30m`, `250ms`. */
export function parseDuration(text: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text)
    ? [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
    : [];
  if (parts.length === 0)
    throw new IncidentSyntaxError(`"${text}" is not a duration (use e.g. 90s, 15m, 1h30m)`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit!]!, 0);
}

function parseStart(text: string): IncidentStart {
  if (/^\+?(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text))
    return { offsetMs: parseDuration(text.replace(/^\+/, '')) };
  const atMs = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(atMs)) {
    throw new IncidentSyntaxError(`start "${text}" is neither an offset like +10m nor an RFC 3339 date-time`);
  }
  return { atMs };
}

function parseShare(key: string, text: string): number {
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new IncidentSyntaxError(`${key}=${text}: must be between 0 and 1`);
  return n;
}

const allowedKeys: Readonly<Record<IncidentSpec['type'], readonly string[]>> = {
  outage: ['region', 'start', 'duration', 'declines', 'latency'],
  'merchant-collapse': ['merchant', 'start', 'duration', 'approval'],
};

/** Parses one `--incident` value, e.g. `outage:region=EU,start=+10m,duration=15m`. */
export function parseIncident(text: string): IncidentSpec {
  const colon = text.indexOf(':');
  const type = colon === -1 ? text : text.slice(0, colon);
  if (type !== 'outage' && type !== 'merchant-collapse') {
    throw new IncidentSyntaxError(`unknown incident type "${type}" (expected ${incidentSyntax})`);
  }
  const fields = new Map<string, string>();
  for (const pair of colon === -1 ? [] : text.slice(colon + 1).split(',')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !allowedKeys[type].includes(key)) {
      throw new IncidentSyntaxError(
        `${type}: unexpected "${pair}" (allowed: ${allowedKeys[type].join(', ')})`,
      );
    }
    if (fields.has(key)) throw new IncidentSyntaxError(`${type}: ${key} given twice`);
    fields.set(key, pair.slice(eq + 1));
  }
  const required = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined || value === '')
      throw new IncidentSyntaxError(`${type}: ${key}= is required (${incidentSyntax})`);
    return value;
  };
  const start = parseStart(required('start'));
  const durationMs = parseDuration(required('duration'));
  if (durationMs <= 0) throw new IncidentSyntaxError(`${type}: duration must be positive`);

  if (type === 'outage') {
    const region = required('region').toUpperCase();
    if (!(region in regions)) {
      throw new IncidentSyntaxError(
        `outage: unknown region "${region}" (one of ${Object.keys(regions).join(', ')})`,
      );
    }
    const latency = fields.get('latency') ?? '6';
    const latencyFactor = Number(latency.replace(/^x/, ''));
    if (!Number.isFinite(latencyFactor) || latencyFactor < 1 || latencyFactor > 100) {
      throw new IncidentSyntaxError(`outage: latency=${latency}: must be a factor between 1 and 100`);
    }
    return {
      type,
      region: region as Region,
      start,
      durationMs,
      declineShare: parseShare('declines', fields.get('declines') ?? '0.6'),
      latencyFactor,
    };
  }
  const merchant = required('merchant');
  if (!/^#[1-9]\d*$/.test(merchant) && !merchantIdPattern.test(merchant)) {
    throw new IncidentSyntaxError(
      `merchant-collapse: merchant "${merchant}" is neither a merchant id nor #<rank>`,
    );
  }
  return {
    type,
    merchant,
    start,
    durationMs,
    approvalRate: parseShare('approval', fields.get('approval') ?? '0.2'),
  };
}
