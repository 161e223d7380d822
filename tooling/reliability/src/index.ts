export {
  freshQuery,
  openPostgresPipeline,
  type PostgresPipeline,
  type PostgresPipelineOptions,
  type Query,
} from './postgres-pipeline.js';
export { type RetryingRunOptions, type RetryingRunResult, runWithRetries } from './retrying-runner.js';
export { RELIABILITY_NOW, type ScenarioLinesOptions, scenarioLines } from './scenario-lines.js';
export {
  checkScenarioOutcome,
  type OutcomeFigures,
  type OutcomeOptions,
  type ScenarioOutcome,
} from './scenario-outcome.js';
export { readScenarioRecords, recordScenario, type ScenarioRecord, SUMMARY_DIR } from './scenario-summary.js';
