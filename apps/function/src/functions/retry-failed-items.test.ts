import { randomBytes } from 'node:crypto';
import { createBlobContainerClient } from '@paymetrics/storage-adapters';
import { testAzuriteConnectionString } from '@paymetrics/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventHubInvocation,
  query,
  TIMER,
  timerInvocation,
  useFunctionDatabase,
  validEvent,
} from '../../test/fixtures.js';
import { closeRuntime } from '../runtime.js';
import { processPayments } from './process-payments.js';
import { retryFailedItems } from './retry-failed-items.js';

describe('retryFailedItems timer against PostgreSQL and Azurite', () => {
  const database = useFunctionDatabase('function_retry');
  const containerName = `function-retry-${randomBytes(4).toString('hex')}`;

  beforeEach(async () => {
    process.env.AZURE_STORAGE_CONNECTION_STRING = testAzuriteConnectionString();
    process.env.PAYMETRICS_ARCHIVE_CONTAINER = containerName;
    await closeRuntime();
  });

  afterEach(async () => {
    delete process.env.AZURE_STORAGE_CONNECTION_STRING;
    delete process.env.PAYMETRICS_ARCHIVE_CONTAINER;
    await createBlobContainerClient({
      connectionString: testAzuriteConnectionString(),
      containerName,
    }).deleteIfExists();
  });

  it('reads a payload over 64 KB back from the Blob archive and counts it', async () => {
    // Just beyond the 5-minute future tolerance: parked now, due about two seconds later.
    const occurredAt = Date.now() + 5 * 60_000 + 2_000;
    const body = JSON.stringify(
      validEvent(1, {
        occurredAt: new Date(occurredAt).toISOString(),
        metadata: { pad: 'x'.repeat(70_000) },
      }),
    );
    await processPayments([body], eventHubInvocation(1, 1).context);
    const [parked] = await query<{
      payload: string | null;
      payload_ref: string | null;
      next_attempt_at: Date;
    }>(database().url, 'select payload, payload_ref, next_attempt_at from failed_items');
    expect(parked).toMatchObject({ payload: null, payload_ref: expect.stringMatching(/^payloads\//) });

    await new Promise((resolve) => setTimeout(resolve, parked!.next_attempt_at.getTime() - Date.now() + 50));
    const { context, logs } = timerInvocation('retryFailedItems');
    await retryFailedItems(TIMER, context);
    expect(logs.join('\n')).toContain('retry claimed=1 resolved=1 released=0 discarded=0 needsOperator=0');
    expect(await query(database().url, 'select status, resolution from failed_items')).toEqual([
      { status: 'resolved', resolution: 'counted' },
    ]);
    const [total] = await query<{ n: string }>(
      database().url,
      'select sum(txn_count)::text as n from payment_metrics_5m',
    );
    expect(total?.n).toBe('1');
  });
});
