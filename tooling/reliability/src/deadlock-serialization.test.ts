import { createSchemaDatabase, type TestDatabase, testServerUrl } from '@paymetrics/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshQuery, openPostgresPipeline } from './postgres-pipeline.js';
import { runWithRetries } from './retrying-runner.js';
import { RELIABILITY_NOW, scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';

describe('deadlock and serialization failures', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('statements failing with 40001 and 40P01 (test-only triggers) are retried to the reference', async () => {
    database = await createSchemaDatabase('rel_sqlstate');
    // Statement triggers installed only in this database: every 3rd upsert into payment_metrics_5m
    // raises serialization_failure, every 4th into aggregate_histograms deadlock_detected, every
    // 5th failed_items insert serialization_failure. Sequences count across aborted transactions.
    await freshQuery(database.url)(`
      create sequence reliability_metrics_seq;
      create sequence reliability_histograms_seq;
      create sequence reliability_failed_seq;
      create function reliability_fault() returns trigger language plpgsql as $$
      begin
        if nextval(tg_argv[2]) % tg_argv[1]::int = 0 then
          raise exception 'reliability: injected % on %', tg_argv[0], tg_table_name using errcode = tg_argv[0];
        end if;
        return null;
      end $$;
      create trigger reliability_fault before insert on payment_metrics_5m
        for each statement execute function reliability_fault('40001', '3', 'reliability_metrics_seq');
      create trigger reliability_fault before insert on aggregate_histograms
        for each statement execute function reliability_fault('40P01', '4', 'reliability_histograms_seq');
      create trigger reliability_fault before insert on failed_items
        for each statement execute function reliability_fault('40001', '5', 'reliability_failed_seq');`);

    const lines = scenarioLines({ seed: 202, count: 4_000 });
    const pipeline = openPostgresPipeline(database.url);
    let run: Awaited<ReturnType<typeof runWithRetries>>;
    try {
      run = await runWithRetries(lines, {
        deps: pipeline.deps,
        source: 'file:reliability-sqlstate',
        batchSize: 100,
      });
    } finally {
      await pipeline.close();
    }
    const outcome = await checkScenarioOutcome(database.url, lines, { nowMs: RELIABILITY_NOW });
    const injected = (run.retriesByReason.serialization ?? 0) + (run.retriesByReason.deadlock ?? 0);
    recordScenario({
      scenario: 'sqlstate-40001-40P01-injected',
      ...outcome.figures,
      faultsInjected: injected,
      retries: run.retries,
      detail: { retriesByReason: run.retriesByReason },
    });
    expect(run.retriesByReason.serialization).toBeGreaterThan(10);
    expect(run.retriesByReason.deadlock).toBeGreaterThan(5);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
  });

  it('real deadlocks (a second session locking rows in the opposite order) are retried to the reference', async () => {
    const db = await createSchemaDatabase('rel_deadlock');
    database = db;
    // PostgreSQL checks for a deadlock once, deadlock_timeout after a wait begins, and the
    // checking backend is the victim. The batch checks after 200 ms, long after the trap session
    // closed the cycle (it polls every 5 ms); the trap session would check only after 10 s.
    await freshQuery(testServerUrl())(`alter database ${db.name} set deadlock_timeout = '200ms'`);

    const lines = scenarioLines({ seed: 303, count: 3_000 });
    const pipeline = openPostgresPipeline(db.url);
    const backendWaiting = async (client: pg.Client): Promise<boolean> => {
      for (let i = 0; i < 200; i++) {
        const { rows } = await client.query(
          `select 1 from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
          [db.name],
        );
        if (rows.length > 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return false;
    };

    // Before every 4th batch (after the first few filled the tables), a second session takes
    // row locks on every metric row, waits until the batch (which already holds its partition's
    // position row) blocks on one of them, then asks for the position row: a real 40P01.
    let traps = 0;
    let trapVictims = 0;
    let trap: Promise<void> | undefined;
    let run: Awaited<ReturnType<typeof runWithRetries>>;
    try {
      run = await runWithRetries(lines, {
        deps: pipeline.deps,
        source: 'file:reliability-deadlock',
        batchSize: 100,
        async beforeBatch(batchIndex, attempt) {
          await trap;
          trap = undefined;
          if (attempt > 1 || batchIndex < 4 || batchIndex % 4 !== 0) return;
          const holder = new pg.Client({ connectionString: db.url });
          holder.on('error', () => {});
          await holder.connect();
          await holder.query(`begin; set local deadlock_timeout = '10s'`);
          await holder.query(
            `select (select count(*) from (select 1 from aggregate_histograms for update) h),
                    (select count(*) from (select 1 from dynamic_metrics for update) d)`,
          );
          traps++;
          trap = (async () => {
            try {
              if (await backendWaiting(holder))
                await holder.query('select 1 from source_positions for update');
            } catch {
              trapVictims++;
            } finally {
              await holder.query('rollback').catch(() => undefined);
              await holder.end();
            }
          })();
        },
      });
      await trap;
    } finally {
      await pipeline.close();
    }

    const outcome = await checkScenarioOutcome(db.url, lines, { nowMs: RELIABILITY_NOW });
    recordScenario({
      scenario: 'deadlock-40P01-real',
      ...outcome.figures,
      faultsInjected: run.retriesByReason.deadlock ?? 0,
      retries: run.retries,
      detail: { traps, trapVictims, retriesByReason: run.retriesByReason },
    });
    expect(run.retriesByReason.deadlock).toBeGreaterThanOrEqual(3);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
  });
});
