import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresPipeline } from './postgres-pipeline.js';
import { runWithRetries } from './retrying-runner.js';
import { RELIABILITY_NOW, scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';

describe('two consumers process the same partition during an ownership change', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createSchemaDatabase('rel_owners');
  });
  afterAll(async () => database?.drop());

  it('overlapping position ranges on separate pools count every event once', async () => {
    const lines = scenarioLines({ seed: 505, count: 4_000 });
    const source = 'eventhub:reliability/owners';
    // Two hosts that both believe they own partition 3: the old owner resumes from line 1,
    // the new one from an older checkpoint (line 1 too) but with other batch boundaries, so
    // their batches overlap partially all the way through.
    const a = openPostgresPipeline(database.url);
    const b = openPostgresPipeline(database.url);
    let runs: Awaited<ReturnType<typeof runWithRetries>>[];
    try {
      runs = await Promise.all([
        runWithRetries(lines, { deps: a.deps, source, partitionId: '3', batchSize: 70 }),
        runWithRetries(lines, { deps: b.deps, source, partitionId: '3', batchSize: 110 }),
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }

    const results = runs.flatMap((r) => r.results);
    const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + pick(r), 0);
    const outcome = await checkScenarioOutcome(database.url, lines, { nowMs: RELIABILITY_NOW });
    const overlapped = results.filter((r) => r.replaySkipped > 0 && r.replaySkipped < r.received).length;
    recordScenario({
      scenario: 'two-consumers-overlap',
      ...outcome.figures,
      faultsInjected: overlapped,
      retries: runs[0]!.retries + runs[1]!.retries,
      detail: {
        batches: results.length,
        partiallyOverlappingBatches: overlapped,
        replaySkipped: sum((r) => r.replaySkipped),
      },
    });

    // Together the two consumers saw every line twice; each was processed by exactly one.
    expect(sum((r) => r.received)).toBe(2 * lines.length);
    expect(sum((r) => r.counted + r.deadLettered + r.duplicates)).toBe(lines.length);
    expect(sum((r) => r.counted)).toBe(outcome.figures.validDistinct);
    // Every position was skipped by the consumer that came second to it. Which consumer wins
    // each position is up to scheduling; that one of them does, exactly once, is not.
    expect(sum((r) => r.replaySkipped)).toBe(lines.length);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
  });
});
