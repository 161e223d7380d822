import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveBatch, archiveBatchName, parseArchiveBatchText } from '../archive-store.js';
import { createFileArchiveStore } from './file-archive-store.js';

describe('file archive store', () => {
  let rootDir: string;
  beforeEach(async () => {
    rootDir = await mkdtemp(join(tmpdir(), 'paymetrics-archive-'));
  });
  afterEach(async () => {
    await rm(rootDir, { recursive: true, force: true });
  });

  const batch: ArchiveBatch = {
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
    ],
  };

  it('names a batch deterministically by UTC hour, source, partition and zero-padded range', () => {
    expect(archiveBatchName(batch)).toBe(
      'raw/2026/11/27/09/ns.servicebus.windows.net%2Fpayments/7/00000000000000000120-00000000000001234567.ndjson.gz',
    );
    const { enqueuedAt: _, ...withoutTime } = batch;
    expect(archiveBatchName(withoutTime)).toBe(
      'raw/ns.servicebus.windows.net%2Fpayments/7/00000000000000000120-00000000000001234567.ndjson.gz',
    );
    expect(archiveBatchName({ ...batch, source: 'ns_servicebus' })).not.toBe(
      archiveBatchName({ ...batch, source: 'ns/servicebus' }),
    );
    expect(archiveBatchName({ ...batch, source: '..', partitionId: 'ü' })).toContain('/%2E%2E/%C3%BC/');
  });

  it('writes gzip NDJSON that gunzips back to the raw lines, line breaks included', async () => {
    const store = createFileArchiveStore({ rootDir });
    const { name } = await store.writeBatch(batch);
    expect(name).toBe(archiveBatchName(batch));
    const text = gunzipSync(await readFile(join(rootDir, name))).toString('utf8');
    expect(text.split('\n')).toHaveLength(batch.lines.length + 1);
    expect(text.startsWith('{"schemaVersion":1,"eventId":"a"}\nnot json at all\n')).toBe(true);
    expect(parseArchiveBatchText(text)).toEqual(batch.lines);
    await store.close();
  });

  it('overwrites the same object on a retry and leaves no temporary files', async () => {
    const store = createFileArchiveStore({ rootDir });
    await store.writeBatch({ ...batch, lines: ['first attempt'] });
    const { name } = await store.writeBatch(batch);
    const folder = join(rootDir, ...name.split('/').slice(0, -1));
    expect(await readdir(folder)).toEqual([name.split('/').at(-1)]);
    expect(parseArchiveBatchText(gunzipSync(await readFile(join(rootDir, name))).toString('utf8'))).toEqual(
      batch.lines,
    );
  });

  it('stores a large payload under its source position, bytes as given', async () => {
    const store = createFileArchiveStore({ rootDir });
    const bytes = new Uint8Array([0xff, 0x00, 0x7b, 0x0a]);
    const { name } = await store.writeLargePayload(
      { source: 'file:abc', partitionId: '0', sequenceNumber: 42 },
      bytes,
    );
    expect(name).toBe('payloads/file%3Aabc/0/00000000000000000042.gz');
    expect(new Uint8Array(gunzipSync(await readFile(join(rootDir, name))))).toEqual(bytes);
    const text = await store.writeLargePayload(
      { source: 'file:abc', partitionId: '0', sequenceNumber: 43 },
      '{"big":"é"}',
    );
    expect(gunzipSync(await readFile(join(rootDir, text.name))).toString('utf8')).toBe('{"big":"é"}');
  });

  it('refuses sequence numbers that cannot name an object', () => {
    expect(() => archiveBatchName({ ...batch, firstSequence: -1 })).toThrow(RangeError);
    expect(() => archiveBatchName({ ...batch, source: '' })).toThrow(RangeError);
  });
});
