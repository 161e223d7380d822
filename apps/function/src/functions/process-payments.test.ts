import { randomBytes } from 'node:crypto';
import { RetryableBatchError } from '@paymetrics/dead-letter';
import { createBlobContainerClient } from '@paymetrics/storage-adapters';
import {
  type PostgresServer,
  schemaScripts,
  startPostgresServer,
  testAzuriteConnectionString,
} from '@paymetrics/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  controlServer,
  eventHubInvocation,
  query,
  snapshot,
  useFunctionDatabase,
  validEvent,
} from '../../test/fixtures.js';
import { closeRuntime } from '../runtime.js';
import { processPayments } from './process-payments.js';

const SOURCE = 'eventhub:paymetrics-test.servicebus.windows.net/payments/paymetrics-function';

/** Bodies as the host may deliver them: text, bytes, and values the library already parsed. */
function bodies(count: number, from = 0): unknown[] {
  return Array.from({ length: count }, (_, k) => {
    const event = validEvent(from + k);
    const kind = (from + k) % 3;
    if (kind === 0) return JSON.stringify(event);
    if (kind === 1) return Buffer.from(JSON.stringify(event), 'utf8');
    return event;
  });
}

async function txnCount(url: string): Promise<number> {
  const [row] = await query<{ n: string | null }>(
    url,
    'select sum(txn_count)::text as n from payment_metrics_5m',
  );
  return Number(row?.n ?? 0);
}

async function position(url: string): Promise<Record<string, string> | undefined> {
  const rows = await query<Record<string, string>>(
    url,
    `select source, partition_id, last_sequence::text, events_received::text, events_counted::text,
            events_dead_lettered::text, events_duplicate::text from source_positions where source = '${SOURCE}'`,
  );
  return rows[0];
}

describe('processPayments against PostgreSQL', () => {
  const database = useFunctionDatabase('function');

  it('counts string, Buffer and parsed-object bodies into every metric table and logs one line', async () => {
    const { context, logs } = eventHubInvocation(100, 30);
    await processPayments(bodies(30), context);

    expect(await txnCount(database().url)).toBe(30);
    expect(await position(database().url)).toEqual({
      source: SOURCE,
      partition_id: '0',
      last_sequence: '129',
      events_received: '30',
      events_counted: '30',
      events_dead_lettered: '0',
      events_duplicate: '0',
    });
    const [dynamic] = await query<{ n: string }>(
      database().url,
      `select sum(value_count)::text as n from dynamic_metrics where metric_name = 'decline_count'`,
    );
    expect(Number(dynamic?.n)).toBe(6); // every fifth event is declined
    const [histograms] = await query<{ n: string }>(
      database().url,
      'select count(*)::text as n from aggregate_histograms',
    );
    expect(Number(histograms?.n)).toBeGreaterThan(0);
    const batchLines = logs.filter((line) => line.includes('batch source='));
    expect(batchLines).toHaveLength(1);
    expect(batchLines[0]).toContain(`source=${SOURCE} partition=0 received=30 counted=30 deadLettered=0`);
  });

  it('changes nothing when the same batch is delivered again', async () => {
    const batch = bodies(25);
    await processPayments(batch, eventHubInvocation(1, 25).context);
    const before = await snapshot(database().url);

    const again = eventHubInvocation(1, 25);
    await processPayments(batch, again.context);

    expect(await snapshot(database().url)).toEqual(before);
    expect(again.logs.join('\n')).toContain(
      'received=25 counted=0 deadLettered=0 duplicates=0 replaySkipped=25',
    );
  });

  it('counts only the new positions of a batch that overlaps an earlier one', async () => {
    const all = bodies(30);
    await processPayments(all.slice(0, 20), eventHubInvocation(1, 20).context);
    const overlap = eventHubInvocation(11, 20);
    await processPayments(all.slice(10, 30), overlap.context);

    expect(await txnCount(database().url)).toBe(30);
    expect((await position(database().url))?.last_sequence).toBe('30');
    expect(overlap.logs.join('\n')).toContain(
      'received=20 counted=10 deadLettered=0 duplicates=0 replaySkipped=10',
    );
  });

  it('parks malformed bodies while the rest of the batch counts, and the invocation succeeds', async () => {
    const batch = bodies(10);
    batch.splice(2, 0, Buffer.from('not json at all {', 'utf8'));
    batch.splice(5, 0, '{"schemaVersion":1,');
    batch.splice(7, 0, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    batch.splice(9, 0, JSON.stringify(validEvent(99, { currency: 'euro' })));
    const { context, logs } = eventHubInvocation(1, batch.length);

    await expect(processPayments(batch, context)).resolves.toBeUndefined();

    expect(await txnCount(database().url)).toBe(10);
    const failed = await query<{ seq: string; error_code: string; status: string; payload_encoding: string }>(
      database().url,
      'select sequence_number::text as seq, error_code, status, payload_encoding from failed_items order by sequence_number',
    );
    expect(failed).toEqual([
      { seq: '3', error_code: 'invalid_json', status: 'pending', payload_encoding: 'utf8' },
      { seq: '6', error_code: 'invalid_json', status: 'pending', payload_encoding: 'utf8' },
      { seq: '8', error_code: 'invalid_utf8', status: 'pending', payload_encoding: 'base64' },
      { seq: '10', error_code: 'invalid_currency', status: 'pending', payload_encoding: 'utf8' },
    ]);
    expect(logs.join('\n')).toContain('received=14 counted=10 deadLettered=4');
  });

  it('parks a parsed body nested 5,000 levels deep and succeeds instead of stalling the partition', async () => {
    let deep: object = {};
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    const batch = bodies(4);
    batch.splice(1, 0, deep, { ...validEvent(50), metadata: deep });
    const { context, logs } = eventHubInvocation(1, batch.length);

    await expect(processPayments(batch, context)).resolves.toBeUndefined();

    expect(await txnCount(database().url)).toBe(4);
    const failed = await query<{ seq: string; error_code: string }>(
      database().url,
      'select sequence_number::text as seq, error_code from failed_items order by sequence_number',
    );
    expect(failed).toEqual([
      { seq: '2', error_code: 'invalid_json' },
      { seq: '3', error_code: 'invalid_json' },
    ]);
    expect(logs.join('\n')).toContain('received=6 counted=4 deadLettered=2');
  });

  it('archives the raw batch to Blob Storage (Azurite) under one deterministic name', async () => {
    const containerName = `function-${randomBytes(4).toString('hex')}`;
    process.env.AZURE_STORAGE_CONNECTION_STRING = testAzuriteConnectionString();
    process.env.PAYMETRICS_ARCHIVE_CONTAINER = containerName;
    try {
      await closeRuntime();
      const batch = bodies(5);
      await processPayments(batch, eventHubInvocation(1, 5).context);
      await processPayments(batch, eventHubInvocation(1, 5).context);

      const container = createBlobContainerClient({
        connectionString: testAzuriteConnectionString(),
        containerName,
      });
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat()) names.push(blob.name);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(
        /^raw\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/eventhub%3Apaymetrics-test\.servicebus\.windows\.net%2Fpayments%2Fpaymetrics-function\/0\/0+1-0+5\.ndjson\.gz$/,
      );
      await container.delete();
    } finally {
      delete process.env.AZURE_STORAGE_CONNECTION_STRING;
      delete process.env.PAYMETRICS_ARCHIVE_CONTAINER;
    }
  });

  it('rejects a batch without trigger metadata instead of inventing positions', async () => {
    const { context } = eventHubInvocation(1, 3);
    context.triggerMetadata = { ...context.triggerMetadata, sequenceNumberArray: [1, 2] };
    await expect(processPayments(bodies(3), context)).rejects.toThrow(/sequenceNumberArray/);
    expect(await txnCount(database().url)).toBe(0);
  });
});

describe('processPayments while PostgreSQL is down', () => {
  let server: PostgresServer;
  let previousUrl: string | undefined;

  beforeEach(async () => {
    server = await startPostgresServer({ fsync: false });
    for (const script of schemaScripts()) await query(server.url, script);
    previousUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = server.url;
    await closeRuntime();
  });

  afterEach(async () => {
    await closeRuntime();
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
    await server.stop();
  });

  it('throws a retryable error, commits nothing, and counts the batch once when it is retried', async () => {
    const all = bodies(20);
    // A first batch fills the pool, so the outage also kills connections the pool holds.
    await processPayments(all.slice(0, 10), eventHubInvocation(1, 10).context);
    const control = await controlServer(server);

    await control.stop();
    const failing = eventHubInvocation(11, 10);
    const error = await processPayments(all.slice(10), failing.context).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(RetryableBatchError);
    expect(failing.logs.join('\n')).toMatch(/failed: retryable \(connection\).*nothing committed/);

    await control.start();
    expect(await txnCount(server.url)).toBe(10);
    expect((await position(server.url))?.last_sequence).toBe('10');

    // The host redelivers the same batch (its retry policy, or from the last checkpoint).
    await processPayments(all.slice(10), eventHubInvocation(11, 10).context);
    await processPayments(all.slice(10), eventHubInvocation(11, 10).context);
    expect(await txnCount(server.url)).toBe(20);
    expect(await position(server.url)).toMatchObject({ last_sequence: '20', events_counted: '20' });
  });
});
