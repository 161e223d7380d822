import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ArchiveBatch,
  type ArchiveStore,
  archiveBatchName,
  largePayloadName,
  parseArchiveBatchText,
} from './archive-store.js';
import { ArchiveStoreError, ArchiveStoreErrorCode } from './archive-store-error.js';

export interface ArchiveStoreHarness {
  readonly store: ArchiveStore;
  /** The stored bytes of one object (still gzip), or undefined when there is none of that name. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** Every object name in the store, temporary ones included, sorted. */
  list(): Promise<string[]>;
  /** Stores these bytes under the name as they are (no gzip), past the store. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export const contractBatch: ArchiveBatch = {
  source: 'ns.servicebus.windows.net/payments',
  partitionId: '7',
  firstSequence: 120,
  lastSequence: 1_234_567,
  enqueuedAt: new Date('2026-11-27T09:59:59.999Z'),
  lines: [
    '{"schemaVersion":1,"eventId":"a"}',
    'not json at all',
    'a body\nwith a line break\r\n',
    '"a json string body"',
    '',
    '{"merchant":"Café ☕ 🍕"}',
  ],
};

/** One behaviour suite for every ArchiveStore, so the file and blob archives cannot drift apart. */
export function describeArchiveStoreContract(
  implementation: string,
  createHarness: () => Promise<ArchiveStoreHarness>,
): void {
  describe(`ArchiveStore contract: ${implementation}`, () => {
    let harness: ArchiveStoreHarness;
    beforeEach(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      await harness.store.close();
      await harness.close();
    });

    const readText = async (name: string): Promise<string> => {
      const bytes = await harness.read(name);
      if (!bytes) throw new Error(`no object named ${name}`);
      return gunzipSync(bytes).toString('utf8');
    };

    it('writes a batch as gzip NDJSON under its deterministic name', async () => {
      const { name } = await harness.store.writeBatch(contractBatch);
      expect(name).toBe(archiveBatchName(contractBatch));
      expect(await harness.list()).toEqual([name]);
      const text = await readText(name);
      expect(text.split('\n')).toHaveLength(contractBatch.lines.length + 1);
      expect(text.startsWith('{"schemaVersion":1,"eventId":"a"}\nnot json at all\n')).toBe(true);
      expect(parseArchiveBatchText(text)).toEqual(contractBatch.lines);
    });

    it('overwrites the object on a retry: one object, holding the last write', async () => {
      await harness.store.writeBatch({ ...contractBatch, lines: ['first attempt', 'with another line'] });
      const { name } = await harness.store.writeBatch(contractBatch);
      const firstBytes = await harness.read(name);
      await harness.store.writeBatch(contractBatch);
      expect(await harness.list()).toEqual([name]);
      expect(parseArchiveBatchText(await readText(name))).toEqual(contractBatch.lines);
      expect(await harness.read(name)).toEqual(firstBytes);
    });

    it('leaves one whole object when the same batch is written concurrently', async () => {
      const writes = await Promise.all(
        Array.from({ length: 5 }, () => harness.store.writeBatch(contractBatch)),
      );
      expect(new Set(writes.map((write) => write.name)).size).toBe(1);
      expect(await harness.list()).toEqual([archiveBatchName(contractBatch)]);
      expect(parseArchiveBatchText(await readText(archiveBatchName(contractBatch)))).toEqual(
        contractBatch.lines,
      );
    });

    it('keeps batches of other partitions and ranges apart', async () => {
      const other = { ...contractBatch, partitionId: '8' };
      const later = { ...contractBatch, firstSequence: 1_234_568, lastSequence: 1_234_999 };
      await Promise.all([other, later, contractBatch].map((batch) => harness.store.writeBatch(batch)));
      expect(await harness.list()).toEqual(
        [archiveBatchName(contractBatch), archiveBatchName(other), archiveBatchName(later)].sort(),
      );
    });

    it('writes text as UTF-8: a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD', async () => {
      const batch = { ...contractBatch, lines: ['{"name":"broken \uD800 half"}', 'é'] };
      const { name } = await harness.store.writeBatch(batch);
      expect(parseArchiveBatchText(await readText(name))).toEqual(['{"name":"broken \uFFFD half"}', 'é']);
    });

    it('writes an empty batch as an empty object', async () => {
      const { name } = await harness.store.writeBatch({ ...contractBatch, lines: [] });
      expect(await readText(name)).toBe('');
      expect(parseArchiveBatchText(await readText(name))).toEqual([]);
    });

    it('stores a large payload under its source position: bytes as given, strings as UTF-8', async () => {
      const bytes = new Uint8Array(randomBytes(100 * 1024));
      bytes.set([0xff, 0x00, 0x7b, 0x0a]);
      const key = { source: 'file:abc', partitionId: '0', sequenceNumber: 42 };
      const written = await harness.store.writeLargePayload(key, bytes);
      expect(written.name).toBe('payloads/file%3Aabc/0/00000000000000000042.gz');
      expect(written.name).toBe(largePayloadName(key));
      const stored = await harness.read(written.name);
      expect(stored && new Uint8Array(gunzipSync(stored))).toEqual(bytes);

      const text = `{"big":"${'é'.repeat(70 * 1024)}"}`;
      const second = await harness.store.writeLargePayload({ ...key, sequenceNumber: 43 }, text);
      expect(await readText(second.name)).toBe(text);

      await harness.store.writeLargePayload(key, 'replaced');
      expect(await readText(written.name)).toBe('replaced');
      expect(await harness.list()).toEqual([written.name, second.name]);
    });

    it('reads a large payload back as written: bytes as given, strings as UTF-8', async () => {
      const bytes = new Uint8Array(randomBytes(100 * 1024));
      bytes.set([0xff, 0x00, 0x7b, 0x0a]);
      const key = { source: 'eventhub:ns/hub', partitionId: '0', sequenceNumber: 42 };
      const { name } = await harness.store.writeLargePayload(key, bytes);
      expect(await harness.store.readLargePayload(name)).toEqual(bytes);

      const text = `{"big":"${'é'.repeat(70 * 1024)}","pizza":"🍕"}`;
      const second = await harness.store.writeLargePayload({ ...key, sequenceNumber: 43 }, text);
      const read = await harness.store.readLargePayload(second.name);
      expect(read && new TextDecoder().decode(read)).toBe(text);
    });

    it('reads undefined for a payload that is not there, before and after the first write', async () => {
      const missing = largePayloadName({ source: 's', partitionId: '0', sequenceNumber: 7 });
      expect(await harness.store.readLargePayload(missing)).toBeUndefined();
      await harness.store.writeLargePayload({ source: 's', partitionId: '0', sequenceNumber: 8 }, 'x');
      expect(await harness.store.readLargePayload(missing)).toBeUndefined();
    });

    it('refuses to read a name that is not a large payload name', async () => {
      await harness.store.writeBatch(contractBatch);
      for (const name of [
        archiveBatchName(contractBatch),
        'payloads/../../etc/00000000000000000001.gz',
        'payloads/s/../00000000000000000001.gz',
        'payloads/s/0/1.gz',
        '/payloads/s/0/00000000000000000001.gz',
        '',
      ]) {
        await expect(harness.store.readLargePayload(name)).rejects.toThrow(RangeError);
      }
    });

    it('reports an object that is not gzip as corrupt', async () => {
      const name = largePayloadName({ source: 's', partitionId: '0', sequenceNumber: 9 });
      await harness.put(name, new TextEncoder().encode('{"not":"gzip"}'));
      const error = await harness.store.readLargePayload(name).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ArchiveStoreError);
      expect(error).toMatchObject({ code: ArchiveStoreErrorCode.corruptObject });
      expect((error as Error).message).toContain(name);
    });

    it('rejects a batch or payload whose name cannot be built, and writes nothing', async () => {
      await expect(harness.store.writeBatch({ ...contractBatch, firstSequence: -1 })).rejects.toThrow(
        RangeError,
      );
      await expect(harness.store.writeBatch({ ...contractBatch, source: '' })).rejects.toThrow(RangeError);
      await expect(
        harness.store.writeLargePayload({ source: 's', partitionId: '0', sequenceNumber: 1.5 }, 'x'),
      ).rejects.toThrow(RangeError);
      expect(await harness.list()).toEqual([]);
    });
  });
}
