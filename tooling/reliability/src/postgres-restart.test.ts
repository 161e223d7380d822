import { type PostgresServer, schemaScripts, startPostgresServer } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshQuery, openPostgresPipeline } from './postgres-pipeline.js';
import { runWithRetries } from './retrying-runner.js';
import { RELIABILITY_NOW, scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';

describe('PostgreSQL is restarted while a load is running', () => {
  // A server of our own, durable as production is (fsync and synchronous_commit on): the shared
  // test server runs without them, and an immediate stop there may lose acknowledged commits.
  let server: PostgresServer;
  let url: string;
  beforeAll(async () => {
    server = await startPostgresServer();
    const query = freshQuery(server.url);
    const settings = await query(
      `select current_setting('fsync') as fsync, current_setting('synchronous_commit') as sync`,
    );
    expect(settings.rows).toEqual([{ fsync: 'on', sync: 'on' }]);
    await query('create database reliability');
    url = server.url.replace(/\/postgres$/, '/reliability');
    for (const script of schemaScripts()) await freshQuery(url)(script);
  });
  afterAll(async () => server?.stop());

  it('an immediate stop and start, three times mid-load, loses and doubles nothing', async () => {
    const lines = scenarioLines({ seed: 707, count: 4_000 });
    const pipeline = openPostgresPipeline(url);
    const restarts: Promise<void>[] = [];
    let run: Awaited<ReturnType<typeof runWithRetries>>;
    try {
      run = await runWithRetries(lines, {
        deps: pipeline.deps,
        source: 'file:reliability-restart',
        batchSize: 100,
        backoffMs: 50,
        maxAttempts: 400,
        beforeBatch(batchIndex, attempt) {
          // Not awaited: the server goes down while this batch is being processed.
          if (attempt === 1 && [8, 18, 28].includes(batchIndex)) restarts.push(server.restart());
        },
      });
      await Promise.all(restarts);
    } finally {
      await pipeline.close();
    }

    const outcome = await checkScenarioOutcome(url, lines, { nowMs: RELIABILITY_NOW });
    recordScenario({
      scenario: 'postgres-restarted',
      ...outcome.figures,
      faultsInjected: restarts.length,
      retries: run.retries,
      detail: { retriesByReason: run.retriesByReason },
    });
    expect(restarts).toHaveLength(3);
    expect(run.retries).toBeGreaterThanOrEqual(3);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
  });
});
