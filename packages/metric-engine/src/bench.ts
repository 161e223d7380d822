/**
 * Throughput of derive() with the default rules: `npx tsx src/bench.ts [events]`.
 * Prints a table for people and a JSON line for scripts. Not a test: numbers vary by machine.
 */
import { syntheticTransactions } from '../test/transaction-fixture.js';
import { compileRuleSet } from './compile-rule-set.js';
import { defaultRuleSet } from './default-rules.js';
import { createMetricEngine } from './metric-engine.js';

const eventCount = Number(process.argv[2] ?? 100_000);
const datasets = [
  { data: 'mostly domestic merchants', events: syntheticTransactions(eventCount, 1, 0.9) },
  { data: 'uniform (worst-case rows)', events: syntheticTransactions(eventCount, 1, 0) },
];
const ruleSets = [
  { rules: 'none', compiled: compileRuleSet({ rules: [] }) },
  { rules: 'default', compiled: compileRuleSet(defaultRuleSet) },
];

const results = datasets.flatMap(({ data, events }) =>
  ruleSets.map(({ rules, compiled }) => {
    const engine = createMetricEngine({ rules: compiled });
    for (let i = 0; i < 3; i++) engine.derive(events); // warm up the JIT
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = process.cpuUsage();
      engine.derive(events);
      const used = process.cpuUsage(started);
      runs.push((used.user + used.system) / 1000);
    }
    const bestMs = Math.min(...runs);
    const output = engine.derive(events);
    return {
      data,
      rules,
      events: eventCount,
      paymentRows: output.paymentMetrics.length,
      bestCpuMs: Number(bestMs.toFixed(1)),
      eventsPerSecond: Math.round(eventCount / (bestMs / 1000)),
      cpuMicrosPerEvent: Number(((bestMs * 1000) / eventCount).toFixed(3)),
      ruleErrors: engine.ruleErrors,
    };
  }),
);

console.table(results);
console.log(JSON.stringify({ bench: 'metric-engine.derive', results }));
