import type { Incident, MerchantRef } from './incidents.js';

/** What a detector should find: every injected incident with its scope, window and expected effect. */
export interface GroundTruth {
  readonly format: 'paymetrics-simulator-ground-truth/1';
  readonly seed: number;
  readonly scenario: {
    readonly start: string;
    readonly end: string;
    readonly events: number;
    readonly dailyCurve: boolean;
  };
  readonly incidents: readonly GroundTruthIncident[];
  /** Every merchant with its archetype, largest first. */
  readonly merchants: readonly { readonly merchantId: string; readonly archetype: string }[];
}

export interface GroundTruthIncident {
  readonly id: string;
  readonly type: Incident['type'];
  readonly scope: Readonly<Record<string, unknown>>;
  /** Event time window: start inclusive, end exclusive (RFC 3339, UTC). */
  readonly start: string;
  readonly end: string;
  readonly expectedEffect: Readonly<Record<string, unknown>>;
  readonly affectedEvents: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function groundTruth(
  seed: number,
  scenario: {
    readonly startMs: number;
    readonly spanMs: number;
    readonly count: number;
    readonly dailyCurve: boolean;
  },
  incidents: readonly Incident[],
  merchants: readonly MerchantRef[] = [],
): GroundTruth {
  return {
    format: 'paymetrics-simulator-ground-truth/1',
    seed,
    scenario: {
      start: iso(scenario.startMs),
      end: iso(scenario.startMs + scenario.spanMs),
      events: scenario.count,
      dailyCurve: scenario.dailyCurve,
    },
    incidents: incidents.map((incident) => ({
      id: incident.id,
      type: incident.type,
      scope:
        incident.type === 'outage'
          ? { region: incident.region, countries: incident.countries }
          : { merchantId: incident.merchantId, merchantRank: incident.merchantRank },
      start: iso(incident.startMs),
      end: iso(incident.endMs),
      expectedEffect:
        incident.type === 'outage'
          ? {
              declineCode: '91',
              declineShare: incident.declineShare,
              approvalRate: `about ${round((1 - incident.declineShare) * 0.915)} (normally about 0.915)`,
              latencyFactor: {
                atStart: 1,
                atEnd: incident.latencyFactor,
                shape: 'linear rise over the window',
              },
            }
          : {
              approvalRate: incident.approvalRate,
              baselineApprovalRate: round(incident.baselineApprovalRate),
              declineCodes: 'the usual mix',
            },
      affectedEvents: incident.affectedEvents,
    })),
    merchants: merchants.map((merchant) => ({ merchantId: merchant.id, archetype: merchant.archetype })),
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
