import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractBatch } from '../archive-store.contract.js';
import { archiveBatchName } from '../archive-store.js';
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
});
