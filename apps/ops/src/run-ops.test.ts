import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RetryItemResult, reconcile } from '@paymetrics/operations';
import { processBatch } from '@paymetrics/pipeline';
import { createFileArchiveStore, type FailedItem } from '@paymetrics/storage-adapters';
import { FILE_SOURCE, FIXED_NOW as NOW, validEvent } from '@paymetrics/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SeededDatabase, seededDatabase } from '../test/seeded-database.js';
import { runOps } from './run-ops.js';

describe('pnpm dlq on PostgreSQL', () => {
  let seeded: SeededDatabase;
  beforeEach(async () => {
    seeded = await seededDatabase('ops_dlq');
  });
  afterEach(async () => seeded.close());

  async function ops(...argv: string[]) {
    return opsWith({}, ...argv);
  }

  async function opsWith(env: NodeJS.ProcessEnv, ...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runOps(argv, {
      env: { DATABASE_URL: seeded.database.url, ...env },
      cwd: '/',
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, stderr };
  }

  const json = async <T>(...argv: string[]): Promise<T> => {
    const result = await ops(...argv, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  const itemsByCode = async () =>
    Object.fromEntries((await json<FailedItem[]>('dlq', 'list')).map((item) => [item.errorCode, item]));

  const txnTotal = async () =>
    Number(
      (await seeded.query<{ n: string }>('SELECT sum(txn_count)::text AS n FROM payment_metrics_5m'))[0]!.n,
    );

  it('lists with filters: code, status, time and limit', async () => {
    const all = await json<FailedItem[]>('dlq', 'list');
    expect(all.map((item) => item.errorCode).sort()).toEqual([
      'future_timestamp',
      'invalid_amount',
      'invalid_json',
    ]);
    expect(
      (await json<FailedItem[]>('dlq', 'list', '--code', 'invalid_json')).map((i) => i.sequenceNumber),
    ).toEqual([41]);
    expect(
      await json<FailedItem[]>('dlq', 'list', '--code', 'invalid_json,invalid_amount', '--limit', '1'),
    ).toHaveLength(1);
    expect(await json<FailedItem[]>('dlq', 'list', '--status', 'resolved')).toEqual([]);
    expect(await json<FailedItem[]>('dlq', 'list', '--to', '2000-01-01T00:00:00Z')).toEqual([]);
    expect(await json<FailedItem[]>('dlq', 'list', '--from', '2000-01-01T00:00:00Z')).toHaveLength(3);

    const table = await ops('dlq', 'list', '--code', 'invalid_amount');
    expect(table.stdout).toMatch(/^id\s+failed at\s+status/);
    expect(table.stdout).toContain('invalid_amount');
    expect(table.stdout).not.toContain('invalid_json');

    const bad = await ops('dlq', 'list', '--status', 'lost');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows an item as stored, and decodes a base64 payload', async () => {
    const { invalid_json: item } = await itemsByCode();
    const shown = await ops('dlq', 'show', item!.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('error code    invalid_json');
    expect(shown.stdout).toContain('{"schemaVersion":1,');
    expect(shown.stdout).not.toContain('decoded');

    await seeded.query(
      `INSERT INTO failed_items (stage, error_code, error_message, payload, payload_encoding, payload_bytes, source, partition_id, sequence_number)
       VALUES ('decode', 'invalid_utf8', 'not UTF-8', '${Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64')}', 'base64', 5, 'x', '0', 1)`,
    );
    const [binary] = await json<FailedItem[]>('dlq', 'list', '--code', 'invalid_utf8');
    const view = await json<{ decoded: { bytes: number; validUtf8: boolean; hex: string; text: string } }>(
      'dlq',
      'show',
      binary!.id,
    );
    expect(view.decoded).toEqual({ bytes: 5, validUtf8: false, hex: '7b22ff227d', text: '{"\uFFFD"}' });

    const missing = await ops('dlq', 'show', '999999');
    expect(missing).toMatchObject({ code: 1, stderr: 'dlq show: no failed item with id 999999\n' });
  });

  it('retries a future_timestamp item once its time has come: counted once, resolved, reconcile still OK', async () => {
    const { future_timestamp: item } = await itemsByCode();
    const before = await txnTotal();

    // Still in the future at NOW: still failing, and given back as pending with its schedule.
    const early = await json<RetryItemResult[]>(
      'dlq',
      'retry',
      item!.id,
      '--now',
      new Date(NOW).toISOString(),
    );
    expect(early).toEqual([
      { id: item!.id, outcome: 'still_failing', errorCode: 'future_timestamp', reason: expect.any(String) },
    ]);
    const [afterEarly] = await json<FailedItem[]>('dlq', 'list', '--code', 'future_timestamp');
    expect(afterEarly).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: item!.nextAttemptAt });

    const later = new Date(NOW + 2 * 3_600_000).toISOString();
    const dry = await json<RetryItemResult[]>(
      'dlq',
      'retry',
      '--code',
      'future_timestamp',
      '--now',
      later,
      '--dry-run',
    );
    expect(dry).toEqual([{ id: item!.id, outcome: 'would_resolve', errorCode: 'future_timestamp' }]);
    expect(await txnTotal()).toBe(before);

    const done = await json<RetryItemResult[]>('dlq', 'retry', '--code', 'future_timestamp', '--now', later);
    expect(done).toEqual([{ id: item!.id, outcome: 'resolved', errorCode: 'future_timestamp' }]);
    expect(await txnTotal()).toBe(before + 1);
    const [resolved] = await json<FailedItem[]>('dlq', 'list', '--code', 'future_timestamp');
    expect(resolved).toMatchObject({ status: 'resolved', attempts: 2 });

    // A second retry of a resolved item is skipped: nothing is counted twice.
    expect(await json<RetryItemResult[]>('dlq', 'retry', item!.id, '--now', later)).toMatchObject([
      { outcome: 'skipped', reason: 'status is resolved' },
    ]);
    const report = await reconcile(seeded.ops.db, { now: new Date(NOW) });
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ retriedCounted: 1, events: 130 });
    // The retry committed no position of its own.
    expect(report.totals.partitions).toBe(3);
  });

  it('retries an item whose payload is in the archive of PAYMETRICS_DATA_DIR', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'paymetrics-ops-'));
    try {
      const occurredAt = NOW + 3_600_000;
      const body = JSON.stringify(
        validEvent(1, {
          occurredAt: new Date(occurredAt).toISOString(),
          metadata: { pad: 'x'.repeat(70_000) },
        }),
      );
      await processBatch(
        { source: 'file:big', partitionId: '0', events: [{ body, sequenceNumber: 1 }] },
        {
          store: seeded.ops.store,
          engine: seeded.ops.engine,
          archive: createFileArchiveStore({ rootDir: join(dataDir, 'archive') }),
          clock: () => NOW,
        },
      );
      const archived = (await json<FailedItem[]>('dlq', 'list', '--code', 'future_timestamp')).find(
        (found) => found.payloadRef !== null,
      );
      expect(archived).toMatchObject({ payload: null, sequenceNumber: 1 });
      const before = await txnTotal();
      const retry = (env: NodeJS.ProcessEnv) =>
        opsWith(env, 'dlq', 'retry', archived!.id, '--now', new Date(occurredAt).toISOString(), '--json');

      // Another archive (the default data folder) does not hold it: kept, and said so.
      const without = await retry({});
      expect(JSON.parse(without.stdout)).toMatchObject([
        { outcome: 'needs_operator', reason: `payload ${archived!.payloadRef} is missing from the archive` },
      ]);
      const done = await retry({ PAYMETRICS_DATA_DIR: dataDir });
      expect(JSON.parse(done.stdout)).toEqual([
        { id: archived!.id, outcome: 'resolved', errorCode: 'future_timestamp' },
      ]);
      expect(await txnTotal()).toBe(before + 1);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reports a retry of an event whose eventId was counted meanwhile as a duplicate', async () => {
    const [event] = await seeded.query<{ event_id: string }>(
      `SELECT event_id::text FROM processed_events LIMIT 1`,
    );
    const body = JSON.stringify({
      ...JSON.parse((await itemsByCode()).future_timestamp!.payload!),
      eventId: event!.event_id,
    });
    await seeded.query(`UPDATE failed_items SET payload = '${body}' WHERE error_code = 'future_timestamp'`);
    const later = new Date(NOW + 2 * 3_600_000).toISOString();
    const results = await json<RetryItemResult[]>(
      'dlq',
      'retry',
      '--code',
      'future_timestamp',
      '--now',
      later,
    );
    expect(results).toMatchObject([{ outcome: 'duplicate' }]);
    expect((await reconcile(seeded.ops.db, { now: new Date(NOW) })).ok).toBe(true);
  });

  it('retries a still-bad item: still failing with its code, nothing counted, back to pending', async () => {
    const before = await txnTotal();
    const result = await ops(
      'dlq',
      'retry',
      '--code',
      'invalid_amount,invalid_json',
      '--now',
      new Date(NOW).toISOString(),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/still_failing\s+invalid_json/);
    expect(result.stdout).toMatch(/still_failing\s+invalid_amount/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('2 still_failing');
    expect(await txnTotal()).toBe(before);
    const items = await json<FailedItem[]>('dlq', 'list', '--code', 'invalid_amount');
    expect(items).toMatchObject([
      { status: 'pending', attempts: 1, lastError: expect.stringContaining('invalid_amount') },
    ]);
    expect((await reconcile(seeded.ops.db, { now: new Date(NOW) })).ok).toBe(true);
  });

  it('discards: the dry run changes nothing, then discards with the reason', async () => {
    const { invalid_json: item } = await itemsByCode();
    const dump = () => seeded.query('SELECT * FROM failed_items ORDER BY id');
    const before = await dump();
    const dry = await ops('dlq', 'discard', item!.id, '404', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${item!.id}\\s+would_discard`));
    expect(dry.stdout).toMatch(/404\s+not_found/);
    expect(await dump()).toEqual(before);

    const done = await json<{ id: string; outcome: string }[]>(
      'dlq',
      'discard',
      '--code',
      'invalid_json',
      '--reason',
      'garbage from a test producer',
    );
    expect(done).toEqual([{ id: item!.id, outcome: 'discarded' }]);
    expect(await json<FailedItem[]>('dlq', 'list', '--code', 'invalid_json')).toMatchObject([
      { status: 'discarded', lastError: 'garbage from a test producer' },
    ]);
  });

  it('refuses retry or discard without a selection, in one line', async () => {
    for (const command of ['retry', 'discard']) {
      const result = await ops('dlq', command);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `dlq ${command}: ${command} needs ids, --code or --from/--to: it never acts on every item\n`,
      );
    }
  });

  it('prunes eventIds past the retention, with a dry run first; reconcile still holds', async () => {
    const count = async () =>
      Number((await seeded.query<{ n: string }>('SELECT count(*)::text AS n FROM processed_events'))[0]!.n);
    const before = await count();
    expect(before).toBeGreaterThan(0);
    // Nothing is old enough at NOW; eight days later every window of the workload is.
    expect(
      await json<{ deleted: number }>('prune-events', '--now', new Date(NOW).toISOString()),
    ).toMatchObject({
      deleted: 0,
    });
    const later = new Date(NOW + 8 * 24 * 3_600_000).toISOString();
    expect(await json<{ deleted: number }>('prune-events', '--dry-run', '--now', later)).toMatchObject({
      deleted: before,
      dryRun: true,
    });
    expect(await count()).toBe(before);
    const pruned = await ops('prune-events', '--now', later);
    expect(pruned.stdout).toMatch(new RegExp(`^prune-events: deleted ${before} eventIds`));
    expect(await count()).toBe(0);
    const report = await ops('reconcile', '--now', later);
    expect(report.code, report.stdout).toBe(0);
  });

  it('refuses a retention inside the lateness bound, in one line naming the option, and deletes nothing', async () => {
    const count = async () =>
      Number((await seeded.query<{ n: string }>('SELECT count(*)::text AS n FROM processed_events'))[0]!.n);
    const before = await count();
    const later = new Date(NOW + 8 * 24 * 3_600_000).toISOString();
    const result = await ops('prune-events', '--retention-days', '1', '--now', later);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^prune-events: .*--retention-days.*7/);
    expect(await count()).toBe(before);
  });

  it('reconcile exits 2 on a mismatch and prints the verdict last', async () => {
    await seeded.query(
      `UPDATE source_positions SET events_received = events_received + 1, events_duplicate = events_duplicate + 1 WHERE source = '${FILE_SOURCE}'`,
    );
    const result = await ops('reconcile', '--now', new Date(NOW).toISOString());
    expect(result.code).toBe(2);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^reconcile: MISMATCH — 1 problem: ${FILE_SOURCE} partition 0: received 46 but sequences 1..45`,
      ),
    );
  });
});
