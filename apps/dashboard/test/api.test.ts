import type {
  Breakdowns,
  DeadLetterReport,
  DeclineReport,
  MerchantRow,
  Summary,
  TimeSeries,
} from '@paymetrics/reporting';
import { openReaderDatabase, type ReaderDatabase } from '@paymetrics/runtime';
import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardApp } from '../src/app.js';
import { Reference } from './reference.js';
import { lockMetricsTable, openUnreachableReader, PAN_IN_BAD_LINE, seedScenario } from './seed.js';

interface RangeJson {
  from: string;
  to: string;
  previousFrom: string;
  grain: string;
}

const NOW = Date.now();
const TIMEOUT_MS = 5_000;
let database: TestDatabase;
let reader: ReaderDatabase;
let app: FastifyInstance;
let reference: Reference;

async function get<T>(url: string, target = app): Promise<{ status: number; range: RangeJson; data: T }> {
  const response = await target.inject({ method: 'GET', url });
  const body = response.json() as { range: RangeJson; data: T };
  return { status: response.statusCode, range: body.range, data: body.data };
}

beforeAll(async () => {
  database = await createSchemaDatabase('dashboard_api');
  await seedScenario(database.url, {
    seed: 12,
    count: 12_000,
    spanMinutes: 14 * 60,
    merchants: 30,
    nowMs: NOW,
    incidents: ['merchant-collapse:merchant=#2,start=+12h,duration=40m,approval=0.2'],
  });
  reader = await openReaderDatabase({
    databaseUrl: database.url,
    dataDir: '.',
    statementTimeoutInMs: TIMEOUT_MS,
  });
  app = await buildDashboardApp({ db: reader.db, statementTimeoutInMs: TIMEOUT_MS });
  reference = await Reference.connect(database.url);
}, 240_000);

afterAll(async () => {
  await app?.close();
  await reader?.close();
  await reference?.close();
  await database?.drop();
});

describe.each(['1h', '6h', '24h'])('range %s', (rangeName) => {
  it('totals and volume equal sums over payment_metrics_5m, now and in the period before', async () => {
    const { status, range, data } = await get<Summary>(`/api/summary?range=${rangeName}`);
    expect(status).toBe(200);
    expect(new Date(range.to).getTime()).toBeGreaterThanOrEqual(NOW - 2 * 60_000);
    const current = await reference.totals(range.from, range.to);
    const previous = await reference.totals(range.previousFrom, range.from);
    expect(current.transactions).toBeGreaterThan(0);
    for (const [period, expected] of [
      [data.current, current],
      [data.previous, previous],
    ] as const) {
      expect({
        transactions: period.transactions,
        approved: period.approved,
        declined: period.declined,
        errors: period.errors,
      }).toEqual(expected);
      if (expected.transactions === 0) expect(period.approvalRate).toBeNull();
      else expect(period.approvalRate).toBeCloseTo(expected.approved / expected.transactions, 12);
    }
    const volume = await reference.volume(range.from, range.to);
    expect(
      [...data.current.volume]
        .sort((a, b) => a.currency.localeCompare(b.currency))
        .map((v) => ({ currency: v.currency, amount: v.amountMinor, txn: String(v.transactions) })),
    ).toEqual(volume);
    expect(data.current.latencyP95Ms).toBeCloseTo(
      (await reference.latencyQuantile(range.from, range.to, 0.95))!,
      9,
    );
    expect(data.current.deadLettered).toBe(await reference.failedBetween(range.from, range.to));
  });

  it('the time series has one bucket per grain step, each equal to its 5-minute rows', async () => {
    const { range, data } = await get<TimeSeries>(`/api/timeseries?range=${rangeName}`);
    const grainMinutes = range.grain === '1h' ? 60 : 5;
    const expectedBuckets = (Date.parse(range.to) - Date.parse(range.from)) / (grainMinutes * 60_000);
    expect(data.bucketStartsMs).toHaveLength(expectedBuckets);
    const rows = await reference.buckets(range.from, range.to, grainMinutes);
    const byBucket = new Map(rows.map((r) => [Number(r.bucket_ms), r]));
    data.bucketStartsMs.forEach((start, i) => {
      expect(data.transactions[i]).toBe(Number(byBucket.get(start)?.txn ?? 0));
      expect(data.approved[i]).toBe(Number(byBucket.get(start)?.approved ?? 0));
    });
    expect(data.transactions.reduce((a, b) => a + b, 0)).toBe(
      (await reference.totals(range.from, range.to)).transactions,
    );
    const busiest = data.transactions.indexOf(Math.max(...data.transactions));
    const start = data.bucketStartsMs[busiest]!;
    const end = new Date(start + grainMinutes * 60_000).toISOString();
    const startIso = new Date(start).toISOString();
    expect(data.latencyP50Ms[busiest]).toBeCloseTo((await reference.latencyQuantile(startIso, end, 0.5))!, 9);
    expect(data.latencyP99Ms[busiest]).toBeCloseTo(
      (await reference.latencyQuantile(startIso, end, 0.99))!,
      9,
    );
  });

  it('declines by code equal dynamic_metrics, and add up to the declined count', async () => {
    const { range, data } = await get<DeclineReport>(`/api/declines?range=${rangeName}`);
    const current = await reference.declinesByCode(range.from, range.to);
    const previous = await reference.declinesByCode(range.previousFrom, range.from);
    expect(
      data.codes
        .filter((c) => c.current > 0)
        .map((c) => ({ code: c.code, n: String(c.current) }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    ).toEqual(current);
    expect(
      data.codes
        .filter((c) => c.previous > 0)
        .map((c) => ({ code: c.code, n: String(c.previous) }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    ).toEqual(previous);
    const declined = (await reference.totals(range.from, range.to)).declined;
    expect(data.series.reduce((sum, s) => sum + s.counts.reduce((a, b) => a + b, 0), 0)).toBe(declined);
    const shifts = data.topMovers.map((c) => Math.abs((c.currentShare ?? 0) - (c.previousShare ?? 0)));
    expect(shifts).toEqual([...shifts].sort((a, b) => b - a));
  });

  it('merchants and breakdowns equal grouped sums', async () => {
    const { range, data } = await get<MerchantRow[]>(`/api/merchants?range=${rangeName}`);
    const expected = await reference.merchants(range.from, range.to);
    expect(
      data
        .filter((m) => m.transactions > 0)
        .map((m) => ({
          merchant_id: m.merchantId,
          txn: String(m.transactions),
          approved: String(m.approved),
        }))
        .sort((a, b) => a.merchant_id.localeCompare(b.merchant_id)),
    ).toEqual(expected);
    const top = data[0]!;
    expect(top.latencyP95Ms).toBeCloseTo(
      (await reference.latencyQuantile(range.from, range.to, 0.95, top.merchantId))!,
      9,
    );

    const breakdowns = (await get<Breakdowns>(`/api/breakdowns?range=${rangeName}`)).data;
    for (const dimension of ['country', 'card_brand', 'payment_method', 'channel'] as const) {
      const rows = await reference.breakdown(dimension, range.from, range.to);
      expect(
        breakdowns[dimension]
          .map((r) => ({ value: r.value, txn: String(r.transactions), approved: String(r.approved) }))
          .sort((a, b) => a.value.localeCompare(b.value)),
      ).toEqual(rows);
    }
  });
});

describe('a merchant', () => {
  it('drill-down figures are that merchant’s rows only', async () => {
    const { data: merchants } = await get<MerchantRow[]>('/api/merchants?range=24h');
    const merchant = merchants[1]!;
    const id = encodeURIComponent(merchant.merchantId);
    const { range, data } = await get<Summary>(`/api/summary?range=24h&merchant=${id}`);
    const expected = await reference.totals(range.from, range.to, merchant.merchantId);
    expect(data.current.transactions).toBe(expected.transactions);
    expect(data.current.approved).toBe(expected.approved);
    expect(data.current.deadLettered).toBeNull();
    expect(data.current.latencyP95Ms).toBeCloseTo(
      (await reference.latencyQuantile(range.from, range.to, 0.95, merchant.merchantId))!,
      9,
    );
    const detail = await get<MerchantRow | null>(`/api/merchants/${id}?range=24h`);
    expect(detail.data).toEqual(merchant);
    const series = (await get<TimeSeries>(`/api/timeseries?range=24h&merchant=${id}`)).data;
    expect(series.transactions.reduce((a, b) => a + b, 0)).toBe(expected.transactions);
    const unknown = await get<MerchantRow | null>('/api/merchants/m_nobody?range=24h');
    expect(unknown.data).toBeNull();
  });
});

describe('the dead-letter queue', () => {
  it('counts by code and status equal failed_items, with masked samples as stored', async () => {
    const { data } = await get<DeadLetterReport>('/api/dead-letter?range=24h');
    const expected = await reference.failedItems();
    const actual = data.codes
      .flatMap((c) =>
        Object.entries(c.byStatus)
          .filter(([, n]) => n > 0)
          .map(([status, n]) => ({ code: c.code, status, n: String(n) })),
      )
      .sort((a, b) => a.code.localeCompare(b.code) || a.status.localeCompare(b.status));
    expect(actual).toEqual(expected);
    expect(data.byStatus.pending).toBe(expected.reduce((sum, r) => sum + Number(r.n), 0));
    const invalidJson = data.codes.find((c) => c.code === 'invalid_json')!;
    const samples = data.codes.map((c) => c.sample?.payload ?? '').join('\n');
    expect(invalidJson.sample?.payload).toContain('m_broken');
    expect(samples).not.toContain(PAN_IN_BAD_LINE);
  });
});

describe('the server', () => {
  it('answers /healthz and reads as paymetrics_reader in read-only sessions', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    expect(reader.role).toBe('paymetrics_reader');
    const client = reader.db;
    const { sql } = await import('kysely');
    const who = await sql<{
      role: string;
      readonly: string;
    }>`select current_user as role, current_setting('transaction_read_only') as readonly`.execute(client);
    expect(who.rows[0]).toEqual({ role: 'paymetrics_reader', readonly: 'on' });
    await expect(sql`delete from failed_items`.execute(client)).rejects.toMatchObject({ code: '25006' });
  });

  it('an empty database says so', async () => {
    const empty = await createSchemaDatabase('dashboard_empty');
    const emptyReader = await openReaderDatabase({
      databaseUrl: empty.url,
      dataDir: '.',
      statementTimeoutInMs: TIMEOUT_MS,
    });
    const emptyApp = await buildDashboardApp({ db: emptyReader.db, statementTimeoutInMs: TIMEOUT_MS });
    try {
      const status = await get<{ empty: boolean }>('/api/status', emptyApp);
      expect(status.status).toBe(200);
      expect(status.data.empty).toBe(true);
      const summary = await get<Summary>('/api/summary?range=1h', emptyApp);
      expect(summary.data.current.transactions).toBe(0);
      expect(summary.data.current.approvalRate).toBeNull();
    } finally {
      await emptyApp.close();
      await emptyReader.close();
      await empty.drop();
    }
  });

  it('a database that is down gives a 503 with a message, not a stack trace', async () => {
    const downReader = await openUnreachableReader(TIMEOUT_MS);
    const downApp = await buildDashboardApp({ db: downReader.db, statementTimeoutInMs: TIMEOUT_MS });
    try {
      for (const url of ['/api/status', '/api/summary?range=1h', '/healthz']) {
        const response = await downApp.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(503);
        expect(response.body).toMatch(/not reachable/);
        expect(response.body).not.toMatch(/ECONNREFUSED|at .*\.js/);
      }
    } finally {
      await downApp.close();
      await downReader.close();
    }
  });

  it('a slow query is cancelled by the statement timeout and explained', async () => {
    const slowReader = await openReaderDatabase({
      databaseUrl: database.url,
      dataDir: '.',
      statementTimeoutInMs: 300,
    });
    const slowApp = await buildDashboardApp({ db: slowReader.db, statementTimeoutInMs: 300 });
    const release = await lockMetricsTable(database.url);
    try {
      const response = await slowApp.inject({ method: 'GET', url: '/api/summary?range=1h' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: 'slow_query' });
      expect(response.json().message).toMatch(/did not answer within 0\.3 s/);
    } finally {
      await release();
      await slowApp.close();
      await slowReader.close();
    }
  });
});
