import { createSchemaDatabase, type TestDatabase, testServerUrl } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshQuery, openPostgresPipeline } from './postgres-pipeline.js';
import { runWithRetries } from './retrying-runner.js';
import { RELIABILITY_NOW, scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';

describe('the database connection is killed mid-batch, repeatedly', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createSchemaDatabase('rel_kill');
  });
  afterAll(async () => database?.drop());

  it('retried batches leave the tables equal to the reference', async () => {
    const lines = scenarioLines({ seed: 101, count: 3_000 });
    const pipeline = openPostgresPipeline(database.url);
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();

    // A deferred trigger installed only in this test database makes COMMIT take a few
    // milliseconds, so the killer can catch backends while their COMMIT is in flight.
    await freshQuery(database.url)(`
      create function reliability_slow_commit() returns trigger language plpgsql as
        $$ begin perform pg_sleep(0.02); return null; end $$;
      create constraint trigger reliability_slow_commit after insert or update on source_positions
        deferrable initially deferred for each row execute function reliability_slow_commit();`);

    // pg_terminate_backend from a second connection: every fourth COMMIT the killer sees is
    // killed in flight, and every tenth tick kills whatever is active (reading the position,
    // upserting). Killing every commit would starve the run; a host's faults are not that dense.
    let running = true;
    let terminated = 0;
    let terminatedInCommit = 0;
    let commitsSeen = 0;
    let tick = 0;
    const killer = (async () => {
      while (running) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const { rows } = await admin.query<{ pid: number; query: string }>(
          `select pid, query from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and state = 'active'`,
          [database.name],
        );
        const anyActive = ++tick % 10 === 0;
        for (const row of rows) {
          const inCommit = /^\s*commit/i.test(row.query);
          if (!(anyActive || (inCommit && commitsSeen++ % 4 === 0))) continue;
          const killed = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [
            row.pid,
          ]);
          if (!killed.rows[0]?.ok) continue;
          terminated++;
          if (inCommit) terminatedInCommit++;
        }
      }
    })();

    let run: Awaited<ReturnType<typeof runWithRetries>>;
    try {
      run = await runWithRetries(lines, {
        deps: pipeline.deps,
        source: 'file:reliability-kill',
        batchSize: 100,
        backoffMs: 2,
        maxAttempts: 500,
      });
    } finally {
      running = false;
      await killer;
      await admin.end();
      await pipeline.close();
    }

    const outcome = await checkScenarioOutcome(database.url, lines, { nowMs: RELIABILITY_NOW });
    recordScenario({
      scenario: 'connection-killed',
      ...outcome.figures,
      faultsInjected: terminated,
      retries: run.retries,
      detail: { terminatedInCommit, retriesByReason: run.retriesByReason },
    });
    expect(terminated).toBeGreaterThan(10);
    expect(run.retries).toBeGreaterThan(10);
    expect(terminatedInCommit).toBeGreaterThan(0);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
    // A fault scenario, not a timed test: its length follows the kills and retries it draws
    // (about 30-90 s on two cores), so it gets room beyond the suite's 60 s default.
  }, 240_000);
});
