/**
 * Throughput of derive() with the default rules: `npx tsx src/bench.ts [events]`.
 * Prints a table for people and a JSON line for scripts. Not a test: numbers vary by machine.
 */
import { syntheticTransactions } from '../test/transaction-fixture.js';
import { compileRuleSet } from './compile-rule-set.js';
import { defaultRuleSet } from './default-rules.js';
import { createMetricEngine } from './metric-engine.js';

const eventCount = Number(process.argv[2] ?? 100_000);
const events = syntheticTransactions(eventCount);
const scenarios = [
  { name: 'no rules', rules: compileRuleSet({ rules: [] }) },
  { name: 'default rules', rules: compileRuleSet(defaultRuleSet) },
];

const results = scenarios.map(({ name, rules }) => {
  const engine = createMetricEngine({ rules });
  for (let i = 0; i < 3; i++) engine.derive(events); // warm up the JIT
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    engine.derive(events);
    const used = process.cpuUsage(started);
    runs.push((used.user + used.system) / 1000);
  }
  const bestMs = Math.min(...runs);
  return {
    scenario: name,
    events: eventCount,
    bestCpuMs: Number(bestMs.toFixed(1)),
    eventsPerSecond: Math.round(eventCount / (bestMs / 1000)),
    cpuMicrosPerEvent: Number(((bestMs * 1000) / eventCount).toFixed(3)),
    ruleErrors: engine.ruleErrors,
  };
});

console.table(results);
console.log(JSON.stringify({ bench: 'metric-engine.derive', results }));
