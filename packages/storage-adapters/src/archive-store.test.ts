import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { testAzuriteConnectionString } from '@paymetrics/testing';
import { describe, expect, it } from 'vitest';
import {
  type ArchiveStoreHarness,
  contractBatch,
  describeArchiveStoreContract,
} from './archive-store.contract.js';
import { archiveBatchName } from './archive-store.js';
import { createBlobArchiveStore } from './blob/blob-archive-store.js';
import { createFileArchiveStore } from './file/file-archive-store.js';

const IMPLEMENTATIONS: Record<string, () => Promise<ArchiveStoreHarness>> = {
  async file() {
    const rootDir = await mkdtemp(join(tmpdir(), 'paymetrics-archive-'));
    return {
      store: createFileArchiveStore({ rootDir }),
      async read(name) {
        return readFile(join(rootDir, ...name.split('/'))).then(
          (bytes) => new Uint8Array(bytes),
          () => undefined,
        );
      },
      async list() {
        const entries = await readdir(rootDir, { recursive: true, withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile())
          .map((entry) => relative(rootDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
          .sort();
      },
      async put(name, bytes) {
        const path = join(rootDir, ...name.split('/'));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, bytes);
      },
      close: () => rm(rootDir, { recursive: true, force: true }),
    };
  },

  async blob() {
    const containerClient = new ContainerClient(
      testAzuriteConnectionString(),
      `archive-${randomBytes(6).toString('hex')}`,
    );
    return {
      store: createBlobArchiveStore({ containerClient }),
      async read(name) {
        return containerClient
          .getBlobClient(name)
          .downloadToBuffer()
          .then(
            (bytes) => new Uint8Array(bytes),
            (error: { statusCode?: number }) => {
              if (error.statusCode === 404) return undefined;
              throw error;
            },
          );
      },
      async list() {
        if (!(await containerClient.exists())) return [];
        const names: string[] = [];
        for await (const blob of containerClient.listBlobsFlat()) names.push(blob.name);
        return names.sort();
      },
      async put(name, bytes) {
        await containerClient.createIfNotExists();
        await containerClient.getBlockBlobClient(name).upload(bytes, bytes.byteLength);
      },
      async close() {
        await containerClient.deleteIfExists();
      },
    };
  },
};

for (const [implementation, createHarness] of Object.entries(IMPLEMENTATIONS)) {
  describeArchiveStoreContract(implementation, createHarness);
}

describe('archive names', () => {
  it('names a batch deterministically by UTC hour, source, partition and zero-padded range', () => {
    expect(archiveBatchName(contractBatch)).toBe(
      'raw/2026/11/27/09/ns.servicebus.windows.net%2Fpayments/7/00000000000000000120-00000000000001234567.ndjson.gz',
    );
    const { enqueuedAt: _, ...withoutTime } = contractBatch;
    expect(archiveBatchName(withoutTime)).toBe(
      'raw/ns.servicebus.windows.net%2Fpayments/7/00000000000000000120-00000000000001234567.ndjson.gz',
    );
    expect(archiveBatchName({ ...contractBatch, source: 'ns_servicebus' })).not.toBe(
      archiveBatchName({ ...contractBatch, source: 'ns/servicebus' }),
    );
    expect(archiveBatchName({ ...contractBatch, source: '..', partitionId: 'ü' })).toContain(
      '/%2E%2E/%C3%BC/',
    );
  });

  it('refuses sequence numbers and sources that cannot name an object', () => {
    expect(() => archiveBatchName({ ...contractBatch, firstSequence: -1 })).toThrow(RangeError);
    expect(() => archiveBatchName({ ...contractBatch, lastSequence: 2 ** 53 })).toThrow(RangeError);
    expect(() => archiveBatchName({ ...contractBatch, source: '' })).toThrow(RangeError);
  });
});
