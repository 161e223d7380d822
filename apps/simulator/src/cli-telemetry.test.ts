import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InstrumentName, instrumentNames, instruments } from '@paymetrics/telemetry';
import {
  createTestDatabase,
  instrumentationKey,
  loopbackTelemetryEnv,
  referenceAggregation,
  startTelemetryEndpoint,
  type TelemetryEndpoint,
  type TestDatabase,
  type TrackEnvelope,
  withClient,
} from '@paymetrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCli, simulateCli } from '../test/cli.js';

const workDir = mkdtempSync(join(tmpdir(), 'paymetrics-telemetry-'));
const eventsFile = join(workDir, 'events.ndjson');
const BATCH_SIZE = 500;
let lines: string[];
let endpoint: TelemetryEndpoint;

beforeAll(async () => {
  endpoint = await startTelemetryEndpoint();
  const generated = await simulateCli(
    ['--sink', 'ndjson', '--count', '3000', '--seed', '11', '--out', eventsFile, '--malformed', '0.02'],
    {},
  );
  expect(generated.code, generated.stderr).toBe(0);
  lines = readFileSync(eventsFile, 'utf8').split('\n').slice(0, -1);
}, 120_000);

afterAll(async () => {
  await endpoint.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** The summed value of a counter (or histogram sum) over every exported row, by one dimension. */
function sumBy(envelopes: readonly TrackEnvelope[], name: string, dimension?: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const envelope of envelopes) {
    for (const metric of envelope.data.baseData.metrics ?? []) {
      if (metric.name !== name) continue;
      const key = dimension ? (envelope.data.baseData.properties?.[dimension] ?? '') : '';
      sums.set(key, (sums.get(key) ?? 0) + metric.value);
    }
  }
  return sums;
}

const total = (sums: Map<string, number>) => [...sums.values()].reduce((a, b) => a + b, 0);

const metricNames = (envelopes: readonly TrackEnvelope[]) =>
  new Set(envelopes.flatMap((e) => (e.data.baseData.metrics ?? []).map((m) => m.name)));

async function migratedDatabase(name: string): Promise<TestDatabase> {
  const database = await createTestDatabase(name);
  const migrated = await migrateCli([], { DATABASE_URL: database.url });
  expect(migrated.code, migrated.stderr).toBe(0);
  return database;
}

async function failedItemsByCode(url: string): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ error_code: string; n: number }>(
      'select error_code, count(*)::int as n from failed_items group by 1',
    );
    return new Map(rows.map((row) => [row.error_code, row.n]));
  });
}

describe('pnpm simulate --sink local with APPLICATIONINSIGHTS_CONNECTION_STRING (the real distro, a loopback endpoint)', () => {
  let database: TestDatabase;
  let envelopes: TrackEnvelope[];
  let stdout: string;

  beforeAll(async () => {
    database = await migratedDatabase('telemetry_ai');
    const connectionString = endpoint.connectionString();
    const run = await simulateCli(
      ['--input', eventsFile, '--sink', 'local', '--batch-size', String(BATCH_SIZE), '--no-progress'],
      {
        ...loopbackTelemetryEnv(endpoint),
        DATABASE_URL: database.url,
        PAYMETRICS_DATA_DIR: workDir,
        APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    stdout = run.stdout;
    // Everything arrived before the process exited: the flush on exit.
    envelopes = endpoint.envelopes(instrumentationKey(connectionString));
  }, 240_000);
  afterAll(async () => database.drop());

  it('exports only contract names among paymetrics.* metrics, and the batch instruments', () => {
    const names = [...metricNames(envelopes)].filter((name) => name.startsWith('paymetrics.'));
    for (const name of names) expect(instrumentNames).toContain(name);
    for (const name of [
      InstrumentName.eventsReceived,
      InstrumentName.eventsCounted,
      InstrumentName.eventsDeadLettered,
      InstrumentName.eventsDuplicate,
      InstrumentName.batchDuration,
      InstrumentName.batchCommitDuration,
      InstrumentName.eventLag,
      InstrumentName.deadLetterPending,
    ]) {
      expect(names).toContain(name);
    }
  });

  it('received sums to the lines replayed, counted to the reference, dead-lettered to failed_items by code', async () => {
    const reference = referenceAggregation(lines);
    const received = sumBy(envelopes, InstrumentName.eventsReceived, 'partition');
    expect(total(received)).toBe(lines.length);
    expect([...received.keys()]).toEqual(['0']);
    expect(total(sumBy(envelopes, InstrumentName.eventsCounted))).toBe(reference.counted);

    const deadLettered = sumBy(envelopes, InstrumentName.eventsDeadLettered, 'code');
    expect(total(deadLettered)).toBe(reference.badLines.length);
    expect(deadLettered).toEqual(await failedItemsByCode(database.url));
    expect(total(sumBy(envelopes, InstrumentName.eventsDuplicate))).toBe(reference.duplicates);

    // The run summary agrees with what was exported.
    expect(stdout).toMatch(new RegExp(`events received\\s+${lines.length.toLocaleString('en-US')}`));
    expect(stdout).toMatch(new RegExp(`counted\\s+${reference.counted.toLocaleString('en-US')}`));
  });

  it('the source kind is a low-cardinality attribute; no merchant id anywhere in a metric', () => {
    expect([...sumBy(envelopes, InstrumentName.eventsReceived, 'source_kind').keys()]).toEqual(['file']);
    for (const envelope of envelopes) {
      if (envelope.data.baseType !== 'MetricData') continue;
      expect(Object.keys(envelope.data.baseData.properties ?? {})).not.toContain('merchant_id');
      expect(JSON.stringify(envelope.data.baseData.properties ?? {})).not.toMatch(/merchantId|m_\d{3}/);
    }
  });

  it('the gauge reports the pending dead-letter queue as the database holds it', async () => {
    const pending = sumBy(envelopes, InstrumentName.deadLetterPending, 'status');
    const parked = total(await failedItemsByCode(database.url));
    expect(pending.get('pending')).toBe(parked);
    expect(pending.get('retrying')).toBe(0);
  });

  it('one paymetrics.batch span per batch with its attributes, stage spans and PostgreSQL calls in its trace', () => {
    const spans = envelopes.filter(
      (e) => e.data.baseType === 'RequestData' || e.data.baseType === 'RemoteDependencyData',
    );
    const batches = spans.filter((e) => e.data.baseData.name === 'paymetrics.batch');
    expect(batches).toHaveLength(Math.ceil(lines.length / BATCH_SIZE));
    const first = batches
      .map((e) => e.data.baseData.properties ?? {})
      .sort((a, b) => Number(a['paymetrics.sequence.first']) - Number(b['paymetrics.sequence.first']));
    expect(first[0]).toMatchObject({
      'paymetrics.source_kind': 'file',
      'paymetrics.partition': '0',
      'paymetrics.sequence.first': '1',
      'paymetrics.sequence.last': String(BATCH_SIZE),
      'paymetrics.events.received': String(BATCH_SIZE),
      'paymetrics.outcome': 'committed',
    });
    expect(first[0]?.['paymetrics.source']).toMatch(/^file:sha256:/);

    const batch = batches[0]!;
    const operation = batch.tags?.['ai.operation.id'];
    const inTrace = spans.filter((e) => e.tags?.['ai.operation.id'] === operation);
    const names = new Set(inTrace.map((e) => e.data.baseData.name));
    for (const stage of ['decode', 'derive', 'archive', 'commit'])
      expect(names).toContain(`paymetrics.batch.${stage}`);
    const postgres = inTrace.filter((e) => String(e.data.baseData.type).toLowerCase() === 'postgresql');
    expect(postgres.length).toBeGreaterThan(0);
  });
});

describe('pnpm simulate --sink local with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports every batch instrument with the contract unit', async () => {
    const database = await migratedDatabase('telemetry_otlp');
    try {
      const before = endpoint.otlp.metrics.length;
      const run = await simulateCli(
        ['--input', eventsFile, '--sink', 'local', '--batch-size', String(BATCH_SIZE), '--no-progress'],
        {
          ...loopbackTelemetryEnv(endpoint),
          DATABASE_URL: database.url,
          PAYMETRICS_DATA_DIR: workDir,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      const units = new Map<string, string>();
      let received = 0;
      for (const body of endpoint.otlp.metrics.slice(before) as OtlpMetrics[]) {
        let inExport = 0;
        for (const resource of body.resourceMetrics) {
          for (const scope of resource.scopeMetrics) {
            for (const metric of scope.metrics) {
              units.set(metric.name, metric.unit ?? '');
              if (metric.name === InstrumentName.eventsReceived) {
                for (const point of metric.sum?.dataPoints ?? [])
                  inExport += Number(point.asInt ?? point.asDouble);
              }
            }
          }
        }
        // Cumulative temporality: the latest export holds the run's total.
        received = Math.max(received, inExport);
      }
      for (const [name, unit] of units) {
        if (name.startsWith('paymetrics.')) expect(unit, name).toBe(instruments[name as InstrumentName].unit);
      }
      expect(units.get(InstrumentName.eventsReceived)).toBe('{event}');
      expect(units.get(InstrumentName.batchDuration)).toBe('ms');
      expect(units.get(InstrumentName.deadLetterPending)).toBe('{item}');
      expect(received).toBe(lines.length);
    } finally {
      await database.drop();
    }
  }, 240_000);
});

interface OtlpMetrics {
  resourceMetrics: {
    scopeMetrics: {
      metrics: {
        name: string;
        unit?: string;
        sum?: { dataPoints: { asInt?: string | number; asDouble?: number }[] };
      }[];
    }[];
  }[];
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

async function committedEvents(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      'select coalesce(sum(events_received), 0)::int as n from source_positions',
    );
    return rows[0]?.n ?? 0;
  });
}

describe('flush on SIGTERM', () => {
  it('a replay stopped by SIGTERM exports what it committed before exiting', async () => {
    const database = await migratedDatabase('telemetry_sigterm');
    try {
      const connectionString = endpoint.connectionString();
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@paymetrics/source',
          'src/cli.ts',
          ...[
            '--input',
            eventsFile,
            '--sink',
            'local',
            '--batch-size',
            '100',
            '--rate',
            '200',
            '--no-progress',
          ],
        ],
        {
          cwd: appDir,
          env: {
            ...process.env,
            ...loopbackTelemetryEnv(endpoint),
            DATABASE_URL: database.url,
            PAYMETRICS_DATA_DIR: workDir,
            APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
          },
          stdio: 'ignore',
        },
      );
      const exited = once(child, 'exit');
      // Stop it mid-run, once some batches are committed.
      for (let i = 0; i < 600 && (await committedEvents(database.url)) < 300; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(143);
      const committed = await committedEvents(database.url);
      expect(committed).toBeGreaterThanOrEqual(300);
      expect(committed).toBeLessThan(lines.length);
      const envelopes = endpoint.envelopes(instrumentationKey(connectionString));
      expect(total(sumBy(envelopes, InstrumentName.eventsReceived))).toBe(committed);
    } finally {
      await database.drop();
    }
  }, 240_000);
});

describe('a telemetry endpoint that is down, slow or failing costs the pipeline nothing', () => {
  async function replay(name: string, telemetry: Record<string, string>) {
    const database = await migratedDatabase(`telemetry_${name}`);
    try {
      const started = performance.now();
      const run = await simulateCli(
        ['--input', eventsFile, '--sink', 'local', '--batch-size', String(BATCH_SIZE), '--no-progress'],
        {
          ...loopbackTelemetryEnv(endpoint),
          DATABASE_URL: database.url,
          PAYMETRICS_DATA_DIR: workDir,
          ...telemetry,
        },
      );
      const elapsedMs = performance.now() - started;
      return { run, elapsedMs, committed: await committedEvents(database.url) };
    } finally {
      await database.drop();
    }
  }

  it('no failed batch, no lost event, and at most the flush timeout added', async () => {
    // The baseline exports to a healthy endpoint: what is compared is the endpoint's state alone.
    endpoint.behave({ kind: 'ok' });
    const baseline = await replay('ok', {
      APPLICATIONINSIGHTS_CONNECTION_STRING: endpoint.connectionString(),
    });
    expect(baseline.run.code, baseline.run.stderr).toBe(0);
    const closed = await startTelemetryEndpoint();
    const downUrl = closed.connectionString();
    await closed.close();
    const cases: [string, () => void, string][] = [
      ['down', () => endpoint.behave({ kind: 'ok' }), downUrl],
      ['failing', () => endpoint.behave({ kind: 'status', status: 500 }), endpoint.connectionString()],
      ['slow', () => endpoint.behave({ kind: 'slow', delayMs: 120_000 }), endpoint.connectionString()],
    ];
    try {
      for (const [name, behave, connectionString] of cases) {
        behave();
        const result = await replay(name, { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString });
        expect(result.run.code, `${name}: ${result.run.stderr}`).toBe(0);
        expect(result.committed, name).toBe(lines.length);
        expect(result.run.stdout, name).toMatch(/events received\s+3,000/);
        // The flush at exit gives up after 5 s; the rest is a noisy machine's variance.
        expect(result.elapsedMs, name).toBeLessThan(baseline.elapsedMs + 20_000);
      }
    } finally {
      endpoint.behave({ kind: 'ok' });
    }
  }, 600_000);
});
