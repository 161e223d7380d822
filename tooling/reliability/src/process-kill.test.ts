import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { migrateToLatest } from '@paymetrics/migrations';
import { openDatabase } from '@paymetrics/runtime';
import { maskPans } from '@paymetrics/schemas';
import { parseArchiveBatchText } from '@paymetrics/storage-adapters';
import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshQuery } from './postgres-pipeline.js';
import { scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';
import { startSimulator } from './simulator-process.js';

function archivedLines(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ndjson.gz'))
    .sort();
  return files.flatMap((name) =>
    parseArchiveBatchText(gunzipSync(readFileSync(join(dir, name))).toString('utf8')),
  );
}

describe('the process is killed (SIGKILL) in the middle of a long replay', () => {
  let database: TestDatabase;
  const workDir = mkdtempSync(join(tmpdir(), 'paymetrics-reliability-kill-'));
  beforeAll(async () => {
    database = await createTestDatabase('rel_sigkill');
    const target = await openDatabase({ databaseUrl: database.url });
    try {
      await migrateToLatest(target.db);
    } finally {
      await target.close();
    }
  });
  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('running the replay again leaves the tables equal to the reference and archives each line once', async () => {
    // The CLI uses the real clock, so the events are generated around it.
    const nowMs = Date.now();
    const lines = scenarioLines({ seed: 606, count: 20_000, nowMs });
    const input = join(workDir, 'events.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const args = ['--input', input, '--sink', 'local', '--batch-size', '50', '--no-progress'];
    const env = { DATABASE_URL: database.url, PAYMETRICS_DATA_DIR: workDir };
    const query = freshQuery(database.url);
    const position = async () => {
      const { rows } = await query(
        'select last_sequence::int as last, batches_committed::int as batches from source_positions',
      );
      return rows[0] as { last: number; batches: number } | undefined;
    };

    const first = startSimulator(args, env);
    for (let polls = 0; polls < 3_000 && first.child.exitCode === null; polls++) {
      const now = await position();
      if (now && now.batches >= 20) {
        first.child.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ended = await first.exited;
    const killedAt = await position();
    expect(ended.signal, ended.stderr).toBe('SIGKILL');
    expect(killedAt?.last).toBeLessThan(lines.length);

    const second = await startSimulator(args, env).exited;
    expect(second.code, second.stderr).toBe(0);

    const outcome = await checkScenarioOutcome(database.url, lines, { nowMs: Date.now() });
    const archived = archivedLines(join(workDir, 'archive'));
    recordScenario({
      scenario: 'sigkill-mid-replay',
      ...outcome.figures,
      faultsInjected: 1,
      retries: 1,
      detail: { committedAtKill: killedAt?.last ?? 0, archivedLines: archived.length },
    });
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
    expect(archived).toEqual(lines.map(maskPans));
  });
});
