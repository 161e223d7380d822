import { readdirSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copySchemaDir } from '@paymetrics/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeTestTemplates, openTestTarget, type TargetKind, type TestTarget } from '../test/targets.js';
import type { AnyDatabase } from './any-database.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { MigrationError } from './migration-error.js';
import { migrationStatus } from './migration-status.js';
import { defaultSchemaDir, readSchemaFiles } from './schema-files.js';

/** Every schema file, in the order they must apply. */
const schemaFileNames = readdirSync(defaultSchemaDir)
  .filter((name) => name.endsWith('.sql'))
  .sort();

/** The contract's tables and columns (docs/architecture.md, "Tables"), with the types that matter. */
const contractColumns: Record<string, Record<string, string | undefined>> = {
  payment_metrics_5m: {
    window_start: 'timestamp with time zone',
    merchant_id: 'text',
    payment_method: 'text',
    card_brand: 'text',
    currency: 'text',
    country: 'text',
    channel: 'text',
    txn_count: 'bigint',
    approved_count: 'bigint',
    declined_count: 'bigint',
    error_count: 'bigint',
    amount_minor_sum: undefined, // bigint or numeric
    approved_amount_minor_sum: undefined,
    latency_ms_sum: 'double precision',
    latency_ms_min: 'double precision',
    latency_ms_max: 'double precision',
    updated_at: 'timestamp with time zone',
  },
  dynamic_metrics: {
    window_start: 'timestamp with time zone',
    metric_name: 'text',
    dimensions: 'jsonb',
    value_count: 'bigint',
    value_sum: undefined,
    value_min: undefined,
    value_max: undefined,
  },
  aggregate_histograms: {
    window_start: 'timestamp with time zone',
    metric_name: 'text',
    dimensions: 'jsonb',
    count: 'bigint',
    sum: undefined,
    min: undefined,
    max: undefined,
    sketch: 'jsonb',
  },
  failed_items: {
    id: undefined,
    failed_at: 'timestamp with time zone',
    stage: 'text',
    error_code: 'text',
    error_message: 'text',
    payload: 'text',
    source: 'text',
    partition_id: 'text',
    sequence_number: 'bigint',
    event_id: undefined,
    attempts: 'integer',
    status: 'text',
    next_attempt_at: 'timestamp with time zone',
    resolved_at: 'timestamp with time zone',
  },
  source_positions: { source: 'text', partition_id: 'text', last_sequence: 'bigint' },
};

async function columnsOf(db: AnyDatabase): Promise<Record<string, Record<string, string>>> {
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
  const tables: Record<string, Record<string, string>> = {};
  for (const row of rows) {
    const table = tables[row.table_name] ?? {};
    table[row.column_name] = row.data_type;
    tables[row.table_name] = table;
  }
  return tables;
}

/** Everything a run could change: columns, constraints, functions, kysely's records. */
async function schemaSnapshot(db: AnyDatabase): Promise<unknown> {
  const constraints = await sql`
    select conrelid::regclass::text as t, conname, pg_get_constraintdef(oid) as def from pg_constraint
    where connamespace = current_schema()::regnamespace order by 1, 2`.execute(db);
  const indexes = await sql`
    select indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1`.execute(db);
  const functions = await sql`
    select proname, md5(prosrc) as src from pg_proc where pronamespace = current_schema()::regnamespace
    order by 1`.execute(db);
  const migrations = await sql`select name, timestamp from kysely_migration order by name`.execute(db);
  return {
    columns: await columnsOf(db),
    constraints: constraints.rows,
    indexes: indexes.rows,
    functions: functions.rows,
    migrations: migrations.rows,
  };
}

async function tableExists(db: AnyDatabase, table: string): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db);
  return rows[0]?.t != null;
}

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

const kinds: TargetKind[] = ['postgres', 'pglite'];

afterAll(disposeTestTemplates);

describe.each(kinds)('migrateToLatest on %s', (kind) => {
  let target: TestTarget;
  const disposables: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    target = await openTestTarget(kind);
    disposables.push(() => target.dispose());
  });
  afterEach(async () => {
    for (const dispose of disposables.splice(0).reverse()) await dispose();
  });
  async function schemaCopy(count?: number): Promise<string> {
    const copy = await copySchemaDir(count);
    disposables.push(copy.dispose);
    return copy.dir;
  }

  it('creates every contract table with the contract columns on an empty database', async () => {
    const report = await migrateToLatest(target.db);
    expect(report.applied).toEqual(schemaFileNames);
    expect(report.pending).toEqual([]);
    expect(report.results.map((r) => r.status)).toEqual(schemaFileNames.map(() => 'applied'));

    const columns = await columnsOf(target.db);
    for (const [table, expected] of Object.entries(contractColumns)) {
      for (const [column, type] of Object.entries(expected)) {
        expect(columns[table]?.[column], `${table}.${column}`).toBeDefined();
        if (type) expect(columns[table]?.[column], `${table}.${column}`).toBe(type);
      }
    }
    expect(columns.processed_events).toBeDefined();
  });

  it('runs each file as a whole script, plpgsql $$ bodies included', async () => {
    await migrateToLatest(target.db);
    const { rows } = await sql<{ merged: unknown }>`select paymetrics_merge_sketches(
        '{"relativeAccuracy":0.01,"zeroCount":1,"bins":{"3":2,"1":1}}',
        '{"relativeAccuracy":0.01,"zeroCount":2,"bins":{"3":5}}') as merged`.execute(target.db);
    expect(rows[0]?.merged).toEqual({ relativeAccuracy: 0.01, zeroCount: 3, bins: { '1': 1, '3': 7 } });
  });

  it('applies nothing and changes nothing the second time', async () => {
    await migrateToLatest(target.db);
    const before = await schemaSnapshot(target.db);
    const again = await migrateToLatest(target.db);
    expect(again.applied).toEqual([]);
    expect(again.pending).toEqual([]);
    expect(again.results.map((r) => r.status)).toEqual(schemaFileNames.map(() => 'already_applied'));
    expect(await schemaSnapshot(target.db)).toEqual(before);
  });

  it('reports every file pending, then every file applied with its time and checksum', async () => {
    const files = await readSchemaFiles();
    const pending = await migrationStatus(target.db);
    expect(pending).toEqual(files.map((f) => ({ name: f.name, checksum: f.checksum, state: 'pending' })));

    const started = Date.now();
    await migrateToLatest(target.db);
    const status = await migrationStatus(target.db);
    expect(status.map((s) => [s.name, s.state, s.checksum])).toEqual(
      files.map((f) => [f.name, 'applied', f.checksum]),
    );
    for (const entry of status) {
      expect(entry.appliedAt).toBeInstanceOf(Date);
      expect(entry.appliedAt?.getTime()).toBeGreaterThanOrEqual(started - 60_000);
    }
  });

  it('applies a new file added later, and only that file', async () => {
    const dir = await schemaCopy(3);
    expect((await migrateToLatest(target.db, { schemaDir: dir })).applied).toEqual(
      schemaFileNames.slice(0, 3),
    );
    const status = await migrationStatus(target.db);
    expect(status.map((s) => s.state)).toEqual(
      schemaFileNames.map((_, i) => (i < 3 ? 'applied' : 'pending')),
    );
    const report = await migrateToLatest(target.db);
    expect(report.applied).toEqual(schemaFileNames.slice(3));
    expect(report.results.map((r) => r.status)).toEqual(
      schemaFileNames.map((_, i) => (i < 3 ? 'already_applied' : 'applied')),
    );
  });

  it('lists what a dry run would apply and applies nothing', async () => {
    const dry = await migrateToLatest(target.db, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.applied).toEqual([]);
    expect(dry.pending).toEqual(schemaFileNames);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.tables where table_schema = current_schema()`.execute(
      target.db,
    );
    expect(rows[0]?.n).toBe(0);

    await migrateToLatest(target.db, { schemaDir: await schemaCopy(2) });
    const partial = await migrateToLatest(target.db, { dryRun: true });
    expect(partial.pending).toEqual(schemaFileNames.slice(2));
    expect(partial.results.map((r) => r.status)).toEqual(
      schemaFileNames.map((_, i) => (i < 2 ? 'already_applied' : 'pending')),
    );
    expect(await tableExists(target.db, 'aggregate_histograms')).toBe(false);
  });

  it('refuses an applied file whose content changed, naming it, and applies nothing more', async () => {
    const dir = await schemaCopy(4);
    await migrateToLatest(target.db, { schemaDir: dir });
    await appendFile(
      join(dir, '02_dynamic_metrics.sql'),
      '\nCREATE INDEX late_idea ON dynamic_metrics (value_sum);\n',
    );
    await writeFile(join(dir, '05_new.sql'), 'CREATE TABLE should_not_exist (id int);');

    for (const attempt of [
      () => migrateToLatest(target.db, { schemaDir: dir }),
      () => migrateToLatest(target.db, { schemaDir: dir, dryRun: true }),
      () => migrationStatus(target.db, { schemaDir: dir }),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('changed_file');
      expect(error.file).toBe('02_dynamic_metrics.sql');
      expect(error.message).toContain('02_dynamic_metrics.sql');
    }
    expect(await tableExists(target.db, 'should_not_exist')).toBe(false);
  });

  it('does not mistake CRLF line endings for a change', async () => {
    const dir = await schemaCopy(2);
    await migrateToLatest(target.db, { schemaDir: dir });
    const path = join(dir, '01_payment_metrics_5m.sql');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/\n/g, '\r\n'));
    expect((await migrateToLatest(target.db, { schemaDir: dir })).applied).toEqual([]);
  });

  it('refuses when an applied file was removed, naming it', async () => {
    const dir = await schemaCopy(3);
    await migrateToLatest(target.db, { schemaDir: dir });
    await rm(join(dir, '03_aggregate_histograms.sql'));
    const error = await rejection(migrateToLatest(target.db, { schemaDir: dir }));
    expect(error.code).toBe('missing_file');
    expect(error.file).toBe('03_aggregate_histograms.sql');
  });

  it('refuses a new file that sorts before an applied one', async () => {
    const dir = await schemaCopy(2);
    await migrateToLatest(target.db, { schemaDir: dir });
    await writeFile(join(dir, '01a_between.sql'), 'CREATE TABLE between_files (id int);');
    const error = await rejection(migrateToLatest(target.db, { schemaDir: dir }));
    expect(error.code).toBe('out_of_order');
    expect(error.file).toBe('01a_between.sql');
    expect(await tableExists(target.db, 'between_files')).toBe(false);
  });

  it('rolls back a failing file as a whole, naming it, and keeps the files before it', async () => {
    const dir = await schemaCopy(1);
    await writeFile(
      join(dir, '02_broken.sql'),
      'CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\nSELECT 1 / 0;\n',
    );
    await writeFile(join(dir, '03_after.sql'), 'CREATE TABLE after_broken (id int);');
    const error = await rejection(migrateToLatest(target.db, { schemaDir: dir }));
    expect(error.code).toBe('failed');
    expect(error.file).toBe('02_broken.sql');
    expect(error.message).toMatch(/02_broken\.sql.*division by zero/);
    expect(await tableExists(target.db, 'payment_metrics_5m')).toBe(true);
    expect(await tableExists(target.db, 'half_done')).toBe(false);
    expect(await tableExists(target.db, 'after_broken')).toBe(false);
    expect((await migrationStatus(target.db, { schemaDir: dir })).map((s) => s.state)).toEqual([
      'applied',
      'pending',
      'pending',
    ]);

    await writeFile(join(dir, '02_broken.sql'), 'CREATE TABLE half_done (id int);');
    expect((await migrateToLatest(target.db, { schemaDir: dir })).applied).toEqual([
      '02_broken.sql',
      '03_after.sql',
    ]);
  });
});
