export { celVariables } from './cel-bindings.js';
export { compareStrings } from './compare-strings.js';
export { type CompiledRule, type CompiledRuleSet, compileRuleSet } from './compile-rule-set.js';
export { defaultRuleSet } from './default-rules.js';
export {
  checkEventTime,
  defaultEventTimeBounds,
  type EventTimeBounds,
  type EventTimeViolation,
} from './event-time.js';
export { mergeDynamicMetricRows, mergeHistogramRows, mergePaymentMetricsRows } from './merge-rows.js';
export {
  createMetricEngine,
  type MetricBatch,
  type MetricEngine,
  type MetricEngineOptions,
} from './metric-engine.js';
export * from './rows.js';
export { type MetricRule, metricRuleSchema, parseRuleSet, type RuleSet, ruleSetSchema } from './rule-set.js';
export { RuleSetError } from './rule-set-error.js';
export { type SketchMapping, sketchMapping } from './sketch-mapping.js';
export {
  DEFAULT_RELATIVE_ACCURACY,
  mergeStoredSketches,
  SketchAccumulator,
  storedSketchCount,
  storedSketchQuantile,
} from './stored-sketch.js';
export { WINDOW_MS, windowStartMs } from './windows.js';
