/// <reference lib="dom" />

import { openReaderDatabase, type ReaderDatabase } from '@paymetrics/runtime';
import type { MerchantCollapseIncident } from '@paymetrics/scenarios';
import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardApp } from '../src/app.js';
import { ensureWebBuild, webOutDir } from '../src/web-build.js';
import { artifactsDir, launchChromium, settled } from './browser.js';
import { Reference } from './reference.js';
import { lockMetricsTable, openUnreachableReader, recordAnalytics, seedScenario } from './seed.js';

const NOW = Date.now();
const TIMEOUT_MS = 10_000;
const count = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

let database: TestDatabase;
let reader: ReaderDatabase;
let app: FastifyInstance;
let baseUrl: string;
let browser: Browser;
let reference: Reference;
let collapsedMerchant: string;

async function serve(
  db: ReaderDatabase,
  statementTimeoutInMs = TIMEOUT_MS,
): Promise<{ app: FastifyInstance; url: string }> {
  const server = await buildDashboardApp({ db: db.db, webDir: webOutDir, statementTimeoutInMs });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server has no port');
  return { app: server, url: `http://127.0.0.1:${address.port}` };
}

/** The range the page should show: `hours` back from the newest window's end, on hour or 5-minute steps. */
async function expectedRange(hours: number): Promise<{ from: string; to: string }> {
  const [row] = await reference.rows<{ last: Date }>(
    'select max(window_start) as last from payment_metrics_5m',
  );
  const step = hours >= 24 ? 3_600_000 : 300_000;
  const to = Math.ceil((row!.last.getTime() + 300_000) / step) * step;
  return { from: new Date(to - hours * 3_600_000).toISOString(), to: new Date(to).toISOString() };
}

async function totalOnPage(page: Page, name: string): Promise<{ value: string; text: string }> {
  const card = page.locator(`[data-total="${name}"]`);
  return {
    value: (await card.getAttribute('data-value')) ?? '',
    text: (await card.locator('.kpi-value').textContent()) ?? '',
  };
}

async function expectTotals(page: Page, from: string, to: string, merchantId?: string): Promise<void> {
  const expected = await reference.totals(from, to, merchantId);
  expect(expected.transactions).toBeGreaterThan(0);
  expect(await totalOnPage(page, 'transactions')).toEqual({
    value: String(expected.transactions),
    text: count.format(expected.transactions),
  });
  expect((await totalOnPage(page, 'declines')).text).toBe(count.format(expected.declined));
  expect((await totalOnPage(page, 'errors')).text).toBe(count.format(expected.errors));
  expect((await totalOnPage(page, 'approval-rate')).text).toBe(
    percent.format(expected.approved / expected.transactions),
  );
}

async function expectChartsDrawn(page: Page, charts: readonly string[]): Promise<void> {
  for (const chart of charts) {
    const body = page.locator(`[data-panel="${chart}"] .panel-body`);
    expect(await body.locator('canvas').count(), `${chart} has a canvas`).toBeGreaterThan(0);
    expect(Number(await body.getAttribute('data-points')), `${chart} plots data`).toBeGreaterThan(0);
  }
}

beforeAll(async () => {
  await ensureWebBuild();
  database = await createSchemaDatabase('dashboard_e2e');
  const { incidents } = await seedScenario(database.url, {
    seed: 5,
    count: 15_000,
    spanMinutes: 26 * 60,
    merchants: 40,
    nowMs: NOW,
    incidents: [
      'merchant-collapse:merchant=#3,start=+23h,duration=45m,approval=0.15',
      'outage:region=EU,start=+25h,duration=30m,declines=0.5',
    ],
  });
  const collapse = incidents.find((i): i is MerchantCollapseIncident => i.type === 'merchant-collapse');
  if (!collapse) throw new Error('the scenario has no merchant collapse');
  collapsedMerchant = collapse.merchantId;
  await recordAnalytics(database.url, new Date(NOW).toISOString().slice(0, 10), collapse);
  reader = await openReaderDatabase({
    databaseUrl: database.url,
    dataDir: '.',
    statementTimeoutInMs: TIMEOUT_MS,
  });
  ({ app, url: baseUrl } = await serve(reader));
  reference = await Reference.connect(database.url);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await reader?.close();
  await reference?.close();
  await database?.drop();
});

// Seeding, a page build and a browser on a shared 2-core machine: generous hook and test limits.
describe('the dashboard in Chromium', { timeout: 120_000 }, () => {
  it('draws every chart with data and shows the totals the database holds', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${baseUrl}/?range=24h`);
    await settled(page);
    await expectChartsDrawn(page, ['approval-volume', 'declines', 'latency']);
    const range = await expectedRange(24);
    await expectTotals(page, range.from, range.to);
    // The anomaly is listed and marked on the time axis.
    expect(await page.locator('[data-panel="anomalies"] .anomaly').count()).toBe(2);
    expect(await page.locator('[data-panel="approval-volume"] .panel-note').textContent()).toMatch(
      /2 anomalies/,
    );
    // Every merchant with payments in the range or the period before (a merchant gone quiet is news).
    const merchants = await reference.merchants(
      new Date(Date.parse(range.from) - 24 * 3_600_000).toISOString(),
      range.to,
    );
    expect(await page.locator('[data-panel="merchants"] tbody tr').count()).toBe(merchants.length);
    expect(await page.locator('[data-panel="segments"] [data-segment]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="dead-letter"] tr[data-code]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="dead-letter"] pre.payload').textContent()).toBeTruthy();
    for (const dimension of ['country', 'card_brand', 'payment_method', 'channel']) {
      expect(await page.locator(`[data-breakdown="${dimension}"] tr`).count()).toBeGreaterThan(0);
    }
    await page.screenshot({ path: `${artifactsDir}overview-24h.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('changes the range, sorts merchants and opens a merchant', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}/?range=24h`);
    await settled(page);
    await page.click('button[data-range="6h"]');
    await page.waitForURL(/range=6h/);
    await settled(page);
    const range = await expectedRange(6);
    await expectTotals(page, range.from, range.to);
    await expectChartsDrawn(page, ['approval-volume', 'declines', 'latency']);
    await page.screenshot({ path: `${artifactsDir}overview-6h.png`, fullPage: true });

    // Lowest approval rate first: two clicks on the column (descending, then ascending).
    const header = page.locator('[data-panel="merchants"] th[data-sort="approvalRate"]');
    await header.click();
    await header.click();
    const [worst] = await reference.rows<{ merchant_id: string }>(
      `select merchant_id from payment_metrics_5m where window_start >= $1 and window_start < $2
        group by 1 order by sum(approved_count)::float8 / sum(txn_count), 1 limit 1`,
      [range.from, range.to],
    );
    const firstRow = page.locator('[data-panel="merchants"] tbody tr').first();
    expect(await firstRow.getAttribute('data-merchant')).toBe(worst!.merchant_id);

    await page.locator(`[data-panel="merchants"] a.merchant-link:text-is("${collapsedMerchant}")`).click();
    await page.waitForURL(new RegExp(`/merchants/${collapsedMerchant}`));
    await settled(page);
    expect(await page.locator('[data-merchant-page]').getAttribute('data-merchant-page')).toBe(
      collapsedMerchant,
    );
    await expectTotals(page, range.from, range.to, collapsedMerchant);
    await expectChartsDrawn(page, ['approval-volume', 'declines', 'latency']);
    await page.click('button[data-range="24h"]');
    await page.waitForURL(/range=24h/);
    await settled(page);
    const day = await expectedRange(24);
    await expectTotals(page, day.from, day.to, collapsedMerchant);
    expect(await page.locator('[data-panel="anomalies"] .anomaly').count()).toBe(1);
    expect(await page.locator('#merchant-segment').textContent()).toMatch(/high-volume|steady-mid|long-tail/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${artifactsDir}merchant-24h.png`, fullPage: true });
    await page.close();
  });

  it('refreshes itself while a run is writing', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await seedScenario(database.url, {
      seed: 77,
      count: 300,
      spanMinutes: 50,
      merchants: 5,
      nowMs: Date.now(),
    });
    await page.goto(`${baseUrl}/?range=1h&refresh=1`);
    await settled(page);
    expect(await page.locator('#status .live').count()).toBe(1);
    const before = Number((await totalOnPage(page, 'transactions')).value);
    await seedScenario(database.url, {
      seed: 78,
      count: 300,
      spanMinutes: 50,
      merchants: 5,
      nowMs: Date.now(),
    });
    await page.waitForFunction(
      (previous) =>
        Number(document.querySelector('[data-total="transactions"]')?.getAttribute('data-value')) > previous,
      before,
      { timeout: 30_000, polling: 200 },
    );
    await page.close();
  });

  it('says so when the database is empty or down, instead of a blank page', async () => {
    const empty = await createSchemaDatabase('dashboard_e2e_empty');
    const emptyReader = await openReaderDatabase({
      databaseUrl: empty.url,
      dataDir: '.',
      statementTimeoutInMs: TIMEOUT_MS,
    });
    const emptyServer = await serve(emptyReader);
    const downReader = await openUnreachableReader(TIMEOUT_MS);
    const downServer = await serve(downReader);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.goto(emptyServer.url);
      await settled(page, ['empty']);
      expect(await page.locator('.empty-state h1').textContent()).toBe('No payments counted yet');
      await page.screenshot({ path: `${artifactsDir}empty.png` });

      await page.goto(downServer.url);
      await settled(page, ['error']);
      expect(await page.locator('#banner').textContent()).toMatch(/database is not reachable/);
      expect(await page.locator('body').textContent()).not.toMatch(/ECONNREFUSED|stack|at async/);
      await page.screenshot({ path: `${artifactsDir}database-down.png` });
    } finally {
      await page.close();
      await emptyServer.app.close();
      await downServer.app.close();
      await emptyReader.close();
      await downReader.close();
      await empty.drop();
    }
  });

  it('explains a query cancelled by the statement timeout', async () => {
    const slowReader = await openReaderDatabase({
      databaseUrl: database.url,
      dataDir: '.',
      statementTimeoutInMs: 500,
    });
    const slowServer = await serve(slowReader, 500);
    const release = await lockMetricsTable(database.url);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.goto(`${slowServer.url}/?range=1h`);
      await settled(page, ['error']);
      expect(await page.locator('#banner').textContent()).toMatch(/did not answer within 0\.5 s/);
      await page.screenshot({ path: `${artifactsDir}slow-query.png` });
    } finally {
      await release();
      await page.close();
      await slowServer.app.close();
      await slowReader.close();
    }
  });
});
