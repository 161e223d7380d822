export { type Archetype, merchantArchetypes, type Region, regions } from './catalog.js';
export {
  curveMultiplier,
  curveTimeline,
  localHour,
  type Timeline,
  uniformTimeline,
} from './daily-curve.js';
export {
  createScenario,
  generateScenario,
  type MalformedKind,
  type Scenario,
  type ScenarioEvent,
  type ScenarioOptions,
} from './generate.js';
export { type GroundTruth, type GroundTruthIncident, groundTruth } from './ground-truth.js';
export {
  type IncidentSpec,
  IncidentSyntaxError,
  incidentSyntax,
  type MerchantCollapseSpec,
  type OutageSpec,
  parseDuration,
  parseIncident,
} from './incident-spec.js';
export {
  type Incident,
  type MerchantCollapseIncident,
  type MerchantRef,
  type OutageIncident,
  resolveIncidents,
} from './incidents.js';
export { merchantPartitionKey } from './partition-key.js';
export { Random } from './random.js';
