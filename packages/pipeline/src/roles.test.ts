import { randomBytes } from 'node:crypto';
import { compileRuleSet, createMetricEngine, defaultRuleSet } from '@paymetrics/metric-engine';
import { createPostgresMetricsStore } from '@paymetrics/storage-adapters';
import { createSchemaDatabase, type TestDatabase, withClient } from '@paymetrics/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { line, NOW, validEvent } from '../test/fixtures.js';
import { processBatch } from './process-batch.js';

/** Login roles made members of the schema's group roles, as an administrator would. */
describe('least-privilege roles from the schema files', () => {
  let database: TestDatabase;
  const suffix = randomBytes(4).toString('hex');
  const writer = `writer_${suffix}`;
  const reader = `reader_${suffix}`;
  const urlFor = (user: string) => {
    const url = new URL(database.url);
    url.username = user;
    url.password = 'pw';
    return url.toString();
  };

  beforeAll(async () => {
    database = await createSchemaDatabase('roles');
    await withClient(database.url, async (admin) => {
      await admin.query(`CREATE ROLE ${writer} LOGIN PASSWORD 'pw' IN ROLE paymetrics_writer`);
      await admin.query(`CREATE ROLE ${reader} LOGIN PASSWORD 'pw' IN ROLE paymetrics_reader`);
    });
  });

  afterAll(async () => {
    await database.drop();
    await withClient(database.url.replace(/\/[^/]+$/, '/postgres'), async (admin) => {
      await admin.query(`DROP ROLE IF EXISTS ${writer}`);
      await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    });
  });

  it('lets the writer run the whole pipeline, parking included', async () => {
    const pool = new pg.Pool({ connectionString: urlFor(writer) });
    const store = createPostgresMetricsStore({ pool });
    try {
      const result = await processBatch(
        {
          source: 'file:roles',
          partitionId: '0',
          events: [line(validEvent(1)), '{bad', line(validEvent(2))].map((body, i) => ({
            body,
            sequenceNumber: i + 1,
          })),
        },
        { store, engine: createMetricEngine({ rules: compileRuleSet(defaultRuleSet) }), clock: () => NOW },
      );
      expect(result).toMatchObject({ counted: 2, deadLettered: 1 });
    } finally {
      await store.close();
    }
  });

  it('refuses the writer anything but inserting and updating', async () => {
    await withClient(urlFor(writer), async (client) => {
      for (const statement of [
        'DELETE FROM payment_metrics_5m',
        'TRUNCATE failed_items',
        'DELETE FROM processed_events',
        'DROP TABLE dynamic_metrics',
        'ALTER TABLE failed_items ADD COLUMN x int',
        'CREATE TABLE sneaky (id int)',
      ]) {
        await expect(client.query(statement), statement).rejects.toThrow(/permission denied|must be owner/);
      }
    });
  });

  it('lets the reader read and nothing else', async () => {
    await withClient(urlFor(reader), async (client) => {
      const { rows } = await client.query('SELECT sum(txn_count)::int AS n FROM payment_metrics_5m');
      expect(rows).toEqual([{ n: 2 }]);
      await expect(client.query("UPDATE failed_items SET status = 'discarded'")).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query('SELECT * FROM processed_events')).rejects.toThrow(/permission denied/);
    });
  });
});
