export { openReplayInput, type ReplayInput, splitLines } from './input.js';
export {
  generateScenario,
  type MalformedKind,
  type ScenarioEvent,
  type ScenarioOptions,
} from './scenario/generate.js';
export { Random } from './scenario/random.js';
export {
  addBatch,
  emptyTotals,
  type LocalRunOptions,
  type RunTotals,
  runLocalPipeline,
} from './sinks/local-sink.js';
