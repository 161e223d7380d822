import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawEvent } from '@paymetrics/pipeline';
import { processBatch } from '@paymetrics/pipeline';
import { createFileArchiveStore } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, validBody } from './bad-input-catalog.js';
import { freshQuery, openPostgresPipeline, type PostgresPipeline } from './postgres-pipeline.js';
import { recordScenario } from './scenario-summary.js';

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(typeof probe.constructor).toBe('function');
}

describe('bad-input catalog', () => {
  let database: TestDatabase;
  let pipeline: PostgresPipeline;
  const archiveDir = mkdtempSync(join(tmpdir(), 'paymetrics-reliability-bad-'));
  beforeAll(async () => {
    database = await createSchemaDatabase('rel_bad_input');
    pipeline = openPostgresPipeline(database.url, {
      archive: createFileArchiveStore({ rootDir: archiveDir }),
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await database?.drop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  async function parked(source: string) {
    const { rows } = await freshQuery(database.url)(
      'select sequence_number::int as seq, error_code from failed_items where source = $1 order by 1',
      [source],
    );
    return rows as { seq: number; error_code: string }[];
  }

  for (const badCase of badInputCases) {
    const outcome =
      badCase.code === null ? 'is counted without side effects' : `is parked as ${badCase.code}`;
    it(`${badCase.name} ${outcome}, and the rest of its batch counts`, { timeout: 20_000 }, async () => {
      const source = `file:bad-input:${randomUUID()}`;
      const events: RawEvent[] = [
        { body: JSON.stringify(validBody(randomUUID())), sequenceNumber: 1 },
        { body: badCase.body(randomUUID()), sequenceNumber: 2 },
        { body: JSON.stringify(validBody(randomUUID())), sequenceNumber: 3 },
      ];
      const result = await processBatch({ source, partitionId: '0', events }, pipeline.deps);
      expectNoPollution();
      if (badCase.code === null) {
        expect(result).toMatchObject({ counted: 3, deadLettered: 0 });
        expect(await parked(source)).toEqual([]);
      } else {
        expect(result).toMatchObject({
          counted: 2,
          deadLettered: 1,
          deadLetteredByCode: { [badCase.code]: 1 },
        });
        expect(await parked(source)).toEqual([{ seq: 2, error_code: badCase.code }]);
      }
      // Tables intact: SQL text in a payload is data, never statements.
      const { rows } = await freshQuery(database.url)(
        `select to_regclass('failed_items') is not null as failed, to_regclass('payment_metrics_5m') is not null as metrics`,
      );
      expect(rows).toEqual([{ failed: true, metrics: true }]);
    });
  }

  it('survives the whole catalog in ONE batch in one process, each bad event parked with its code', {
    timeout: 30_000,
  }, async () => {
    const source = `file:bad-input-all:${randomUUID()}`;
    const events: RawEvent[] = [];
    const expected: { seq: number; error_code: string }[] = [];
    let legal = 0;
    for (const badCase of badInputCases) {
      events.push({ body: JSON.stringify(validBody(randomUUID())), sequenceNumber: events.length + 1 });
      events.push({ body: badCase.body(randomUUID()), sequenceNumber: events.length + 1 });
      if (badCase.code === null) legal++;
      else expected.push({ seq: events.length, error_code: badCase.code });
    }
    const result = await processBatch({ source, partitionId: '0', events }, pipeline.deps);
    expectNoPollution();
    expect(result).toMatchObject({
      received: events.length,
      counted: badInputCases.length + legal,
      deadLettered: expected.length,
    });
    expect(await parked(source)).toEqual(expected);
    const { rows } = await freshQuery(database.url)(
      'select events_received::int as received, events_counted::int as counted from source_positions where source = $1',
      [source],
    );
    expect(rows).toEqual([{ received: events.length, counted: badInputCases.length + legal }]);
    recordScenario({
      scenario: 'bad-input-one-batch',
      events: events.length,
      validDistinct: badInputCases.length + legal,
      bad: expected.length,
      duplicates: 0,
      lost: 0,
      doubleCounted: 0,
      parkedMissing: 0,
      parkedExtra: 0,
      faultsInjected: badInputCases.length,
      retries: 0,
      detail: { codes: expected.map((e) => e.error_code) },
    });
  });
});
