/// <reference lib="dom" />
// Start-up and first paint of the dashboard on 7 days of data at 300 merchants, on a throwaway
// PostgreSQL: `pnpm --filter @paymetrics/dashboard bench [--events N] [--runs N]`.
// Prints a table and one JSON line. A benchmark, not a test: nothing here fails on a figure.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSchemaDatabase, findFreePort, startPostgresServer } from '@paymetrics/testing';
import pg from 'pg';
import { ensureWebBuild } from '../src/web-build.js';
import { launchChromium } from './browser.js';
import { seedScenario } from './seed.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '300000' }, runs: { type: 'string', default: '3' } },
});
const events = Number(values.events);
const runs = Number(values.runs);
const merchants = 300;
const appDir = fileURLToPath(new URL('../', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const server = await startPostgresServer({ fsync: false });
let child: ChildProcess | undefined;
try {
  const database = await createSchemaDatabase('dashboard_bench', server.url);
  const seedStart = performance.now();
  await seedScenario(database.url, {
    seed: 300,
    count: events,
    spanMinutes: 7 * 24 * 60 - 10,
    merchants,
    nowMs: Date.now(),
  });
  const seedSeconds = (performance.now() - seedStart) / 1000;
  await ensureWebBuild();

  const startups: number[] = [];
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@paymetrics/source', 'src/cli.ts', '--port', String(port)],
      { cwd: appDir, env: { ...process.env, DATABASE_URL: database.url }, stdio: 'ignore' },
    );
    await waitForHealth(url, child);
    startups.push(performance.now() - started);
    if (run < runs - 1) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
  }

  const browser = await launchChromium();
  const paints: Record<string, { fcp: number[]; ready: number[] }> = {};
  for (const range of ['24h', '7d']) {
    paints[range] = { fcp: [], ready: [] };
    for (let run = 0; run < runs + 1; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/?range=${range}`);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, {
        timeout: 120_000,
      });
      const { fcp, ready } = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        ready: performance.now(),
      }));
      // The first load of each range warms PostgreSQL's cache and is not counted.
      if (run > 0) {
        paints[range]!.fcp.push(fcp);
        paints[range]!.ready.push(ready);
      }
      await context.close();
    }
  }
  await browser.close();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query<{ n: string; h: string }>(
    'select (select count(*) from payment_metrics_5m)::text as n, (select count(*) from payment_metrics_1h)::text as h',
  );
  await client.end();
  const result = {
    events,
    merchants,
    days: 7,
    paymentMetrics5mRows: Number(rows[0]!.n),
    paymentMetrics1hRows: Number(rows[0]!.h),
    seedSeconds: Math.round(seedSeconds),
    startupMs: Math.round(median(startups)),
    firstContentfulPaintMs24h: Math.round(median(paints['24h']!.fcp)),
    allPanelsDrawnMs24h: Math.round(median(paints['24h']!.ready)),
    firstContentfulPaintMs7d: Math.round(median(paints['7d']!.fcp)),
    allPanelsDrawnMs7d: Math.round(median(paints['7d']!.ready)),
    runs,
  };
  const line = (label: string, value: string) => `  ${label.padEnd(46)} ${value}`;
  console.log(
    [
      '',
      `dashboard benchmark: ${result.events.toLocaleString('en-US')} events over 7 days, ${merchants} merchants`,
      `(${result.paymentMetrics5mRows.toLocaleString('en-US')} five-minute rows, ${result.paymentMetrics1hRows.toLocaleString('en-US')} hourly rows; medians of ${runs} runs)`,
      '',
      line('start-up (spawn to /healthz 200)', `${result.startupMs} ms`),
      line('first contentful paint, 24 h (target < 1 s)', `${result.firstContentfulPaintMs24h} ms`),
      line('every panel drawn, 24 h', `${result.allPanelsDrawnMs24h} ms`),
      line('first contentful paint, 7 d (target < 1 s)', `${result.firstContentfulPaintMs7d} ms`),
      line('every panel drawn, 7 d', `${result.allPanelsDrawnMs7d} ms`),
      '',
      JSON.stringify(result),
    ].join('\n'),
  );
} finally {
  child?.kill('SIGTERM');
  await server.stop();
}
