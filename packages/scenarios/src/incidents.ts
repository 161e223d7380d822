import { regions } from './catalog.js';
import { type IncidentSpec, IncidentSyntaxError } from './incident-spec.js';

interface IncidentBase {
  /** `outage-1`, `merchant-collapse-2`: stable names for scoring, in the order given. */
  readonly id: string;
  /** Event time window, epoch ms, start inclusive, end exclusive. */
  readonly startMs: number;
  readonly endMs: number;
  /** Transactions the incident changed, counted while the scenario is generated. */
  affectedEvents: number;
}

export interface OutageIncident extends IncidentBase {
  readonly type: 'outage';
  readonly region: string;
  readonly countries: readonly string[];
  readonly declineShare: number;
  readonly latencyFactor: number;
}

export interface MerchantCollapseIncident extends IncidentBase {
  readonly type: 'merchant-collapse';
  readonly merchantId: string;
  readonly merchantRank: number;
  readonly approvalRate: number;
  readonly baselineApprovalRate: number;
}

export type Incident = OutageIncident | MerchantCollapseIncident;

export interface MerchantRef {
  readonly id: string;
  readonly country: string;
  /** The merchant's archetype (grocery, travel, ...): what segmentation should recover. */
  readonly archetype: string;
  readonly approvalRate: number;
}

/** Turns specs into absolute windows on the scenario's merchants; an unknown merchant is an error naming it. */
export function resolveIncidents(
  specs: readonly IncidentSpec[],
  scenarioStartMs: number,
  merchants: readonly MerchantRef[],
): Incident[] {
  return specs.map((spec, index) => {
    const startMs = 'offsetMs' in spec.start ? scenarioStartMs + spec.start.offsetMs : spec.start.atMs;
    const base = {
      id: `${spec.type}-${index + 1}`,
      startMs,
      endMs: startMs + spec.durationMs,
      affectedEvents: 0,
    };
    if (spec.type === 'outage') {
      return {
        ...base,
        type: 'outage',
        region: spec.region,
        countries: regions[spec.region],
        declineShare: spec.declineShare,
        latencyFactor: spec.latencyFactor,
      };
    }
    const rank = spec.merchant.startsWith('#')
      ? Number(spec.merchant.slice(1))
      : merchants.findIndex((m) => m.id === spec.merchant) + 1;
    const merchant = merchants[rank - 1];
    if (merchant === undefined) {
      throw new IncidentSyntaxError(
        `merchant-collapse: merchant ${spec.merchant} is not in this scenario (${merchants.length} merchants, ids like ${merchants[0]?.id ?? '-'}; #1 is the largest)`,
      );
    }
    return {
      ...base,
      type: 'merchant-collapse',
      merchantId: merchant.id,
      merchantRank: rank,
      approvalRate: spec.approvalRate,
      baselineApprovalRate: merchant.approvalRate,
    };
  });
}
