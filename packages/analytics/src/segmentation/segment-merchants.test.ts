import type { Database } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase } from '@paymetrics/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentMerchants } from './segment-merchants.js';

let database: TestDatabase;
let db: Kysely<Database>;

/**
 * Three kinds of merchant, 12 each, with a little jitter: small in-store, large cross-border,
 * subscriptions. Each measure gets its own jitter, as real merchants vary on each independently.
 */
async function seedDay(day: string, jitterSeed: number): Promise<void> {
  const rows: string[] = [];
  const kinds = [
    {
      channel: 'pos',
      method: 'card',
      brand: 'visa',
      ticket: 1_500,
      declineShare: 0.04,
      latency: 120,
      foreign: 0,
    },
    {
      channel: 'ecommerce',
      method: 'card',
      brand: 'amex',
      ticket: 60_000,
      declineShare: 0.12,
      latency: 400,
      foreign: 0.4,
    },
    {
      channel: 'recurring',
      method: 'wallet',
      brand: 'none',
      ticket: 900,
      declineShare: 0.2,
      latency: 200,
      foreign: 0.1,
    },
  ];
  for (let m = 0; m < 36; m++) {
    const kind = kinds[m % 3]!;
    // A multiplicative hash of (merchant, measure, day): within +-5%, independent across measures.
    const jitter = (measure: number) =>
      1 +
      (((Math.imul((m + 1) * 31 + measure * 7 + jitterSeed * 1_009, 2_654_435_761) >>> 0) % 101) - 50) / 1000;
    const n = 400;
    const foreign = Math.round(n * kind.foreign);
    for (const [country, count] of [
      ['DE', n - foreign],
      ['US', foreign],
    ] as const) {
      if (count === 0) continue;
      const declined = Math.round(count * kind.declineShare * jitter(1));
      rows.push(
        `('${day}T10:00:00Z', 'm_${String(m).padStart(2, '0')}', '${kind.method}', '${kind.brand}', 'EUR', '${country}', '${kind.channel}', ${count}, ${count - declined}, ${declined}, 0, ${Math.round(count * kind.ticket * jitter(2))}, 0, ${count * kind.latency * jitter(3)}, 1, 1000)`,
      );
    }
  }
  await sql
    .raw(
      `INSERT INTO payment_metrics_5m (window_start, merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count, error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max) VALUES ${rows.join(',')}`,
    )
    .execute(db);
}

beforeAll(async () => {
  database = await createSchemaDatabase('analytics_segments');
  db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
  });
  await seedDay('2026-11-20', 1);
  await seedDay('2026-11-21', 2);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('segmentMerchants', () => {
  it('finds the three kinds, names them from their centroids, and gives the same labels when run again', async () => {
    const first = await segmentMerchants(db, { asOf: '2026-11-20', days: 1 });
    expect(first.k).toBe(3);
    expect(first.segments.map((s) => s.size)).toEqual([12, 12, 12]);
    for (let m = 3; m < 36; m++) {
      expect(first.labels.get(`m_${String(m).padStart(2, '0')}`)).toBe(first.labels.get(`m_0${m % 3}`));
    }
    const subscriptionLabel = first.labels.get('m_02')!;
    expect(subscriptionLabel).toMatch(/subscription/);
    expect(first.labels.get('m_01')).toMatch(/large-ticket|cross-border/);

    const again = await segmentMerchants(db, { asOf: '2026-11-20', days: 1 });
    expect(again.labels).toEqual(first.labels);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM merchant_segments WHERE as_of = '2026-11-20'`.execute(db);
    expect(rows[0]!.n).toBe(36);
  });

  it("keeps yesterday's labels for the same clusters the next day", async () => {
    const yesterday = await segmentMerchants(db, { asOf: '2026-11-20', days: 1 });
    const today = await segmentMerchants(db, { asOf: '2026-11-21', days: 1 });
    expect(today.labels).toEqual(yesterday.labels);
  });
});
