import { createTestDatabase, type TestDatabase } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textArrayLiteral } from './batch-rows.js';

/** Every character that array_in treats specially, and some that it does not. */
const SPECIAL = ['', ' ', '\t', '\n', '{', '}', ',', '"', '\\', "'", 'a', 'é', '😀', 'NULL', 'null', '0'];

describe('textArrayLiteral (PostgreSQL parses it back)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('array_literal');
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  async function roundTrip(values: readonly string[]): Promise<string[]> {
    const { rows } = await pool.query<{ a: string[] }>('SELECT $1::text[] AS a', [textArrayLiteral(values)]);
    return rows[0]!.a;
  }

  it('round-trips every pair of special characters, empty strings and the word NULL', async () => {
    const pairs = SPECIAL.flatMap((a) => SPECIAL.map((b) => `${a}${b}`));
    expect(await roundTrip(pairs)).toEqual(pairs);
  });

  it('round-trips the values the upserts send: numbers, codes, timestamps and JSON', async () => {
    const values = [
      '42',
      '-1.5e-7',
      'NaN',
      '-Infinity',
      '9223372036854775807',
      'merchant-0042',
      '2026-12-01T10:05:00.000Z',
      '{"decline_code":"05","merchant_id":"m \\"quoted\\" \\\\ back"}',
      '{"relativeAccuracy":0.01,"zeroCount":0,"bins":{"-3":1,"120":7}}',
    ];
    expect(await roundTrip(values)).toEqual(values);
    expect(await roundTrip([])).toEqual([]);
  });

  it('leaves numbers and codes unquoted, so most of a batch needs no escaping', () => {
    expect(textArrayLiteral(['1', 'visa', '2026-12-01T10:05:00.000Z'])).toBe(
      '{1,visa,2026-12-01T10:05:00.000Z}',
    );
    expect(textArrayLiteral(['', 'NULL', 'a b', '{"k":1}'])).toBe('{"","NULL","a b","{\\"k\\":1}"}');
  });
});
