import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { createBlobContainerClient, parseArchiveBatchText } from '@paymetrics/storage-adapters';
import {
  createTestDatabase,
  diffMetricsTables,
  readPaymentMetrics,
  referenceAggregation,
  snapshotTables,
  type TestDatabase,
  testAzuriteConnectionString,
  withClient,
} from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCli, simulateCli } from '../test/cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'paymetrics-sim-'));
const eventsFile = join(workDir, 'events.ndjson');
let lines: string[];

beforeAll(async () => {
  const generated = await simulateCli(
    [
      '--sink',
      'ndjson',
      '--count',
      '6000',
      '--seed',
      '7',
      '--out',
      eventsFile,
      '--malformed',
      '0.02',
      '--duplicates',
      '0.01',
    ],
    {},
  );
  expect(generated.code, generated.stderr).toBe(0);
  lines = readFileSync(eventsFile, 'utf8').split('\n').slice(0, -1);
}, 120_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function failedItems(query: (text: string) => Promise<{ rows: unknown[] }>) {
  const { rows } = await query(
    'select sequence_number::int as line, error_code from failed_items order by 1',
  );
  return rows as { line: number; error_code: string }[];
}

describe('pnpm simulate --input FILE --sink local', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sim_cli');
  });
  afterAll(async () => database.drop());

  it('on PostgreSQL: metrics equal the reference aggregation, one failed item per bad line, replay changes nothing', async () => {
    const env = { DATABASE_URL: database.url };
    const migrated = await migrateCli([], env);
    expect(migrated.code, migrated.stderr).toBe(0);

    const first = await simulateCli(
      ['--input', eventsFile, '--sink', 'local', '--batch-size', '500', '--no-progress'],
      {
        ...env,
        PAYMETRICS_DATA_DIR: workDir,
      },
    );
    expect(first.code, first.stderr).toBe(0);
    const reference = referenceAggregation(lines);
    expect(reference.badLines.length).toBeGreaterThan(50);
    expect(reference.duplicates).toBeGreaterThan(20);

    await withClient(database.url, async (client) => {
      const query = (text: string) => client.query(text);
      expect(diffMetricsTables(await readPaymentMetrics(query), reference.table)).toEqual([]);
      const failed = await failedItems(query);
      expect(failed.map((f) => f.line)).toEqual(reference.badLines);
      expect(failed.every((f) => /^[a-z_]+$/.test(f.error_code))).toBe(true);
      const before = await snapshotTables(query);

      const again = await simulateCli(['--input', eventsFile, '--sink', 'local', '--no-progress'], {
        ...env,
        PAYMETRICS_DATA_DIR: workDir,
      });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/already processed\s+6,000/);
      expect(await snapshotTables(query)).toEqual(before);
    });
  });

  it('refuses to run against a PostgreSQL database that was not migrated, naming the fix', async () => {
    const empty = await createTestDatabase('sim_unmigrated');
    try {
      const result = await simulateCli(['--input', eventsFile, '--sink', 'local'], {
        DATABASE_URL: empty.url,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/pnpm migrate/);
    } finally {
      await empty.drop();
    }
  });

  it('stops with one line naming DATABASE_URL when it is malformed', async () => {
    const result = await simulateCli(['--input', eventsFile], { DATABASE_URL: 'not a url' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});

describe('the embedded default (no DATABASE_URL)', () => {
  it('gives the same tables, and a replay changes nothing', async () => {
    const dataDir = join(workDir, 'embedded');
    const env = { DATABASE_URL: undefined, PAYMETRICS_DATA_DIR: dataDir };
    const migrated = await migrateCli([], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    for (let run = 0; run < 2; run++) {
      const result = await simulateCli(
        ['--input', eventsFile, '--sink', 'local', '--batch-size', '2000', '--no-progress'],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
    }
    const pglite = await PGlite.create(join(dataDir, 'pglite'));
    try {
      const query = (text: string) => pglite.query(text);
      const reference = referenceAggregation(lines);
      expect(diffMetricsTables(await readPaymentMetrics(query), reference.table)).toEqual([]);
      expect((await failedItems(query)).map((f) => f.line)).toEqual(reference.badLines);
    } finally {
      await pglite.close();
    }
  });
});

describe('pnpm start (demo)', () => {
  it('migrates the embedded database, runs a scenario and prints a correct summary', async () => {
    const dataDir = join(workDir, 'demo');
    const result = await simulateCli(['demo', '--count', '20000', '--seed', '3', '--no-progress'], {
      DATABASE_URL: undefined,
      PAYMETRICS_DATA_DIR: dataDir,
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = result.stdout;
    const figure = (label: string) =>
      Number(new RegExp(`${label}\\s+([\\d,]+)`).exec(summary)?.[1]?.replaceAll(',', ''));
    expect(figure('events received')).toBe(20_000);
    const counted = figure('counted');
    expect(counted + figure('dead-lettered') + figure('duplicates skipped')).toBe(20_000);
    expect(figure('transactions')).toBe(counted);
    expect(summary).toMatch(/approval rate\s+\d+\.\d\d%/);
    expect(summary).toMatch(/p95 \d+ ms/);
    expect(summary).toContain(join(dataDir, 'pglite'));
    expect(summary).toContain('open the dashboard on this data: pnpm dashboard -> http://127.0.0.1:8080');

    const pglite = await PGlite.create(join(dataDir, 'pglite'));
    try {
      // The run ends by refreshing the rollups, so every grain holds the same transactions.
      const { rows } = await pglite.query<{ grain: string; n: number }>(
        `select '5m' as grain, sum(txn_count)::int as n from payment_metrics_5m
         union all select '1h', sum(txn_count)::int from payment_metrics_1h
         union all select '1d', sum(txn_count)::int from payment_metrics_1d`,
      );
      expect(rows.map((row) => row.n)).toEqual([counted, counted, counted]);
    } finally {
      await pglite.close();
    }
  });
});

describe('the raw archive in Blob Storage (Azurite)', () => {
  it('archives every line there when AZURE_STORAGE_CONNECTION_STRING is set', async () => {
    const connectionString = testAzuriteConnectionString();
    const containerClient = createBlobContainerClient({ connectionString, containerName: 'sim-cli-archive' });
    const result = await simulateCli(
      ['--input', eventsFile, '--sink', 'local', '--batch-size', '3000', '--no-progress'],
      {
        DATABASE_URL: undefined,
        PAYMETRICS_DATA_DIR: join(workDir, 'blob'),
        AZURE_STORAGE_CONNECTION_STRING: connectionString,
        PAYMETRICS_ARCHIVE_CONTAINER: 'sim-cli-archive',
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('raw archive: Blob Storage container sim-cli-archive');
    expect(result.stdout).not.toContain('AccountKey');
    const names: string[] = [];
    for await (const blob of containerClient.listBlobsFlat()) names.push(blob.name);
    expect(names).toHaveLength(2);
    const archived = await Promise.all(
      names.map(async (name) => {
        const body = await containerClient.getBlockBlobClient(name).downloadToBuffer();
        return parseArchiveBatchText(gunzipSync(body).toString('utf8'));
      }),
    );
    expect(archived.flat()).toHaveLength(lines.length);
  });
});
