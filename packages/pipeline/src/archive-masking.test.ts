import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createFileArchiveStore } from '@paymetrics/storage-adapters';
import { afterEach, describe, expect, it } from 'vitest';
import { line, NOW, validEvent } from '../test/fixtures.js';
import { dialects, type StoreUnderTest } from '../test/harness.js';
import { processBatch } from './process-batch.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('raw archive', () => {
  let sut: StoreUnderTest;
  let root: string;
  afterEach(async () => {
    await sut.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('holds every line received, card numbers masked, once after a replay', async () => {
    sut = await dialects[0]!.open();
    root = mkdtempSync(join(tmpdir(), 'paymetrics-archive-'));
    const archive = createFileArchiveStore({ rootDir: root });
    const bodies = [
      line(validEvent(1, { metadata: { note: 'card 4111 1111 1111 1111 on file' } })),
      '{"pan":"5555555555554444", truncated',
      new Uint8Array([0x7b, 0xff, 0x7d]),
      line(validEvent(2)),
    ];
    const batch = {
      source: 'file:pan',
      partitionId: '0',
      events: bodies.map((body, i) => ({ body, sequenceNumber: i + 1 })),
    };
    for (let delivery = 0; delivery < 2; delivery++) {
      await processBatch(batch, { store: sut.store, engine: sut.engine, archive, clock: () => NOW });
    }
    const files = filesUnder(root);
    expect(files).toHaveLength(1);
    const archived = gunzipSync(readFileSync(files[0]!)).toString('utf8');
    expect(archived.trimEnd().split('\n')).toHaveLength(bodies.length);
    expect(archived).not.toContain('4111 1111 1111 1111');
    expect(archived).not.toContain('5555555555554444');
    expect(archived).toContain('**** **** **** 1111');
    expect(archived).toContain('************4444');
    const failed = await sut.query("select payload from failed_items where payload like '%4444%'");
    expect(failed.rows).toEqual([{ payload: '{"pan":"************4444", truncated' }]);
  });
});
