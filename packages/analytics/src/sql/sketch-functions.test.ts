import {
  mergeStoredSketches,
  SketchAccumulator,
  type StoredSketch,
  storedSketchQuantile,
} from '@paymetrics/metric-engine';
import { Random } from '@paymetrics/scenarios';
import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Seeded, so a failing case replays from its seed.
const distributions = {
  /** Processor latency-like: median ~150 ms, long right tail. */
  lognormal: (random: Random) => random.logNormal(Math.exp(5), 1.3),
  /** Amount-like heavy tail (alpha 1.2, minimum 100). */
  pareto: (random: Random) => 100 / (1 - random.float()) ** (1 / 1.2),
  /** Two modes two orders of magnitude apart (fast approvals, slow timeouts), with some zeros. */
  bimodal: (random: Random) => {
    const u = random.float();
    if (u < 0.03) return 0;
    return u < 0.7 ? random.logNormal(Math.exp(3.5), 0.3) : random.logNormal(Math.exp(8), 0.4);
  },
} as const;

type Distribution = keyof typeof distributions;
const quantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function sketchOf(values: readonly number[], accuracy: number): StoredSketch {
  const sketch = new SketchAccumulator(accuracy);
  for (const value of values) sketch.add(value);
  return sketch.toStored();
}

let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createSchemaDatabase('analytics_sketch');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('CREATE TABLE sketches (part integer NOT NULL, sketch jsonb)');
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** Stores the parts as rows, merges them with the aggregate and reads each quantile in SQL. */
async function mergeAndRead(
  parts: readonly StoredSketch[],
): Promise<{ merged: StoredSketch | null; readings: (number | null)[] }> {
  await client.query('TRUNCATE sketches');
  await client.query(
    'INSERT INTO sketches (part, sketch) SELECT p, s::jsonb FROM unnest($1::int[], $2::text[]) AS t(p, s)',
    [parts.map((_, i) => i), parts.map((part) => JSON.stringify(part))],
  );
  const { rows } = await client.query<{ merged: StoredSketch | null; readings: (number | null)[] }>(
    `SELECT m AS merged, array(SELECT paymetrics_sketch_quantile(m, q) FROM unnest($1::float8[]) WITH ORDINALITY AS u(q, o) ORDER BY o) AS readings
       FROM (SELECT paymetrics_sketch_merge(sketch ORDER BY part DESC) AS m FROM sketches) AS x`,
    [quantiles],
  );
  return rows[0]!;
}

describe('paymetrics_sketch_merge and paymetrics_sketch_quantile', () => {
  it('read every quantile within the relative accuracy of the exact value, after any number of merges, as the engine reads it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Distribution>('lognormal', 'pareto', 'bimodal'),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(0.01, 0.02, 0.005),
        async (distribution, seed, count, partCount, accuracy) => {
          const random = new Random(seed);
          const values = Array.from({ length: count }, () => distributions[distribution](random));
          // Values fall into parts at random, as events fall into windows and batches.
          const partValues: number[][] = Array.from({ length: partCount }, () => []);
          for (const value of values) partValues[random.int(0, partCount - 1)]!.push(value);
          const parts = partValues.map((part) => sketchOf(part, accuracy));
          const { merged, readings } = await mergeAndRead(parts);

          const engineMerged = parts.reduce((a, b) => mergeStoredSketches(a, b));
          expect(merged!.zeroCount).toBe(engineMerged.zeroCount);
          expect(merged!.bins).toEqual(engineMerged.bins);

          const sorted = [...values].sort((a, b) => a - b);
          quantiles.forEach((q, i) => {
            const reading = readings[i]!;
            const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
            if (exact === 0) expect(reading).toBe(0);
            else expect(Math.abs(reading - exact) / exact).toBeLessThanOrEqual(accuracy * (1 + 1e-9));
            const engine = storedSketchQuantile(engineMerged, q)!;
            expect(Math.abs(reading - engine)).toBeLessThanOrEqual(Math.abs(engine) * 1e-12);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is NULL for an empty sketch, for NULL and over no rows; zeros read as 0', async () => {
    const { rows } = await client.query(`
      SELECT paymetrics_sketch_quantile('{"relativeAccuracy":0.01,"zeroCount":0,"bins":{}}', 0.5) AS empty,
             paymetrics_sketch_quantile(NULL, 0.5) AS null_sketch,
             (SELECT paymetrics_sketch_merge(s) FROM (SELECT NULL::jsonb AS s WHERE false) x) AS no_rows,
             paymetrics_sketch_quantile('{"relativeAccuracy":0.01,"zeroCount":3,"bins":{"100":1}}', 0.5) AS zeros`);
    expect(rows[0]).toEqual({ empty: null, null_sketch: null, no_rows: null, zeros: 0 });
  });

  it('refuses a quantile outside 0..1 and sketches of different accuracy', async () => {
    await expect(
      client.query(
        `SELECT paymetrics_sketch_quantile('{"relativeAccuracy":0.01,"zeroCount":1,"bins":{}}', 1.5)`,
      ),
    ).rejects.toThrow(/between 0 and 1/);
    await expect(
      client.query(`SELECT paymetrics_sketch_merge(s::jsonb) FROM (VALUES
        ('{"relativeAccuracy":0.01,"zeroCount":1,"bins":{}}'), ('{"relativeAccuracy":0.02,"zeroCount":1,"bins":{}}')) v(s)`),
    ).rejects.toThrow(/relative accuracy/);
  });
});
