import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBatch } from '../archive-store.contract.js';
import { archiveBatchName, largePayloadName } from '../archive-store.js';
import { ArchiveStoreError, ArchiveStoreErrorCode } from '../archive-store-error.js';
import { createFileArchiveStore } from './file-archive-store.js';

// The behaviour shared with the blob archive is in archive-store.contract.ts.
describe('file archive store', () => {
  let rootDir: string;
  beforeEach(async () => {
    rootDir = await mkdtemp(join(tmpdir(), 'paymetrics-archive-'));
  });
  afterEach(async () => {
    await rm(rootDir, { recursive: true, force: true });
  });

  it('maps each name segment to a folder under the root, creating the root when missing', async () => {
    const store = createFileArchiveStore({ rootDir: join(rootDir, 'not', 'yet') });
    const { name } = await store.writeBatch(contractBatch);
    const path = join(rootDir, 'not', 'yet', ...name.split('/'));
    expect((await stat(path)).isFile()).toBe(true);
    expect(await readdir(join(rootDir, 'not', 'yet', 'raw', '2026', '11', '27', '09'))).toEqual([
      'ns.servicebus.windows.net%2Fpayments',
    ]);
  });

  it('removes its temporary file when the rename over the final name fails', async () => {
    const store = createFileArchiveStore({ rootDir });
    const path = join(rootDir, ...archiveBatchName(contractBatch).split('/'));
    // A non-empty folder at the final name: the temporary file is written, the rename fails.
    await mkdir(join(path, 'blocker'), { recursive: true });
    await expect(store.writeBatch(contractBatch)).rejects.toThrow();
    expect(await readdir(dirname(path))).toEqual([basename(path)]);
  });

  it('reports a payload it cannot read as a failed read, naming it', async () => {
    const store = createFileArchiveStore({ rootDir });
    const name = largePayloadName({ source: 's', partitionId: '0', sequenceNumber: 1 });
    // A folder where the file should be: reading it fails with EISDIR, not "missing".
    await mkdir(join(rootDir, ...name.split('/')), { recursive: true });
    const error = await store.readLargePayload(name).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArchiveStoreError);
    expect(error).toMatchObject({ code: ArchiveStoreErrorCode.readFailed });
    expect((error as Error).message).toContain(name);
  });
});
