import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { maskPans } from '@paymetrics/schemas';
import type { ArchiveStore, MetricsStore } from '@paymetrics/storage-adapters';
import {
  createBlobArchiveStore,
  createBlobContainerClient,
  parseArchiveBatchText,
} from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase, testAzuriteConnectionString } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresPipeline } from './postgres-pipeline.js';
import { runWithRetries } from './retrying-runner.js';
import { RELIABILITY_NOW, scenarioLines } from './scenario-lines.js';
import { checkScenarioOutcome } from './scenario-outcome.js';
import { recordScenario } from './scenario-summary.js';

/** The storage service refusing a write, as a throttled or unavailable account does. */
class InjectedArchiveError extends Error {
  override readonly name = 'InjectedArchiveError';
  readonly statusCode = 503;
}

/** Every archived line, in name order, read back from the container. */
async function archivedLines(container: ContainerClient): Promise<string[]> {
  const lines: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: 'raw/' })) {
    const body = await container.getBlobClient(blob.name).downloadToBuffer();
    lines.push(...parseArchiveBatchText(gunzipSync(body).toString('utf8')));
  }
  return lines;
}

describe('the archive write fails, before and after the database commit', () => {
  let database: TestDatabase;
  let container: ContainerClient;
  beforeAll(async () => {
    database = await createSchemaDatabase('rel_archive');
    container = createBlobContainerClient({
      connectionString: testAzuriteConnectionString(),
      containerName: `reliability-${randomBytes(4).toString('hex')}`,
    });
  });
  afterAll(async () => {
    await container?.deleteIfExists();
    await database?.drop();
  });

  it('commits nothing when the archive throws, changes nothing on redelivery after a commit, archives each line once', async () => {
    const lines = scenarioLines({ seed: 404, count: 3_000 });
    const realArchive = createBlobArchiveStore({ containerClient: container });

    // Before the commit: every 4th archive write throws. processBatch archives, then commits, so
    // the batch must leave nothing behind and the host's retry must count it once.
    let archiveCalls = 0;
    let archiveFailures = 0;
    let unarchivedSequence: number | undefined;
    const archive: ArchiveStore = {
      ...realArchive,
      async writeBatch(batch) {
        if (++archiveCalls % 4 === 0) {
          archiveFailures++;
          unarchivedSequence = batch.firstSequence;
          throw new InjectedArchiveError(`injected: archive write ${archiveCalls} refused`);
        }
        return realArchive.writeBatch(batch);
      },
    };

    // After the commit: every 5th transaction commits and then the process "fails" before the
    // host acknowledges, so the same batch is delivered again.
    let commits = 0;
    let failuresAfterCommit = 0;
    const failAfterCommit = (store: MetricsStore): MetricsStore => ({
      ...store,
      async transaction(work) {
        const result = await store.transaction(work);
        if (++commits % 5 === 0) {
          failuresAfterCommit++;
          throw new Error(`injected: process failed after commit ${commits}, before acknowledging`);
        }
        return result;
      },
    });

    const pipeline = openPostgresPipeline(database.url, { archive, wrapStore: failAfterCommit });
    const committedAfterArchiveFailure: number[] = [];
    let run: Awaited<ReturnType<typeof runWithRetries>>;
    try {
      run = await runWithRetries(lines, {
        deps: pipeline.deps,
        source: 'file:reliability-archive',
        batchSize: 100,
        async beforeBatch() {
          if (unarchivedSequence === undefined) return;
          const position = await pipeline.store.readPosition({
            source: 'file:reliability-archive',
            partitionId: '0',
          });
          if ((position ?? 0) >= unarchivedSequence) committedAfterArchiveFailure.push(unarchivedSequence);
          unarchivedSequence = undefined;
        },
      });
    } finally {
      await pipeline.close();
    }

    const redeliveries = run.results.filter((r) => r.replaySkipped > 0);
    const outcome = await checkScenarioOutcome(database.url, lines, { nowMs: RELIABILITY_NOW });
    const archived = await archivedLines(container);
    recordScenario({
      scenario: 'archive-write-fails',
      ...outcome.figures,
      faultsInjected: archiveFailures + failuresAfterCommit,
      retries: run.retries,
      detail: {
        archiveFailures,
        failuresAfterCommit,
        archivedLines: archived.length,
        validLinesAlteredByPanMasking: lines.filter((l) => maskPans(l) !== l).length,
      },
    });

    expect(archiveFailures).toBeGreaterThan(5);
    expect(committedAfterArchiveFailure).toEqual([]);
    expect(failuresAfterCommit).toBeGreaterThan(5);
    // Each redelivery after a commit was recognised as already processed and changed nothing.
    expect(redeliveries).toHaveLength(failuresAfterCommit);
    expect(redeliveries.every((r) => r.replaySkipped === r.received && r.counted === 0)).toBe(true);
    expect(outcome.problems).toEqual([]);
    expect(outcome.reconcileVerdict).toMatch(/^reconcile: OK/);
    expect(outcome.figures).toMatchObject({ lost: 0, doubleCounted: 0, parkedMissing: 0, parkedExtra: 0 });
    // Each line once, as the pipeline archives it: PAN-like digit runs masked.
    expect(archived).toEqual(lines.map(maskPans));
  });
});
