export { openReplayInput, type ReplayInput, splitLines } from './input.js';
export { type Clock, type PaceOptions, pace, steadyRate, systemClock } from './pacing.js';
export {
  curveMultiplier,
  curveTimeline,
  localHour,
  type Timeline,
  uniformTimeline,
} from './scenario/daily-curve.js';
export {
  createScenario,
  generateScenario,
  type MalformedKind,
  type Scenario,
  type ScenarioEvent,
  type ScenarioOptions,
} from './scenario/generate.js';
export { type GroundTruth, type GroundTruthIncident, groundTruth } from './scenario/ground-truth.js';
export {
  type IncidentSpec,
  IncidentSyntaxError,
  type MerchantCollapseSpec,
  type OutageSpec,
  parseDuration,
  parseIncident,
} from './scenario/incident-spec.js';
export {
  type Incident,
  type MerchantCollapseIncident,
  type OutageIncident,
  resolveIncidents,
} from './scenario/incidents.js';
export { Random } from './scenario/random.js';
export { createEventHubProducer, producerRetryOptions } from './sinks/eventhubs-producer.js';
export { describeEventHub, type EventHubSettings, readEventHubSettings } from './sinks/eventhubs-settings.js';
export {
  createEventHubsSink,
  type EventBatch,
  EventHubsSendError,
  type EventHubsSink,
  type EventHubsSinkOptions,
  type EventProducer,
  type SendTotals,
} from './sinks/eventhubs-sink.js';
export {
  addBatch,
  emptyTotals,
  type LocalRunOptions,
  type RunTotals,
  runLocalPipeline,
} from './sinks/local-sink.js';
export { merchantPartitionKey } from './sinks/partition-key.js';
