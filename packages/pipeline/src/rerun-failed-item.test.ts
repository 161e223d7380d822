import type { MetricsStore } from '@paymetrics/storage-adapters';
import { afterEach, describe, expect, it } from 'vitest';
import { line, NOW, validEvent } from '../test/fixtures.js';
import { dialects, type StoreUnderTest } from '../test/harness.js';
import { rerunFailedItem } from './rerun-failed-item.js';

/** A store whose transaction failures come out as a new error without a cause, as some wrappers do. */
function causeDroppingStore(store: MetricsStore): MetricsStore {
  return {
    readPosition: (partition) => store.readPosition(partition),
    findCountedEventIds: (ids) => store.findCountedEventIds(ids),
    close: () => store.close(),
    transaction: (work) =>
      store.transaction(work).catch((error: Error) => {
        throw new Error(`transaction failed: ${error.message}`);
      }),
  };
}

const [postgres] = dialects;

describe('rerunFailedItem on PostgreSQL', () => {
  let sut: StoreUnderTest;
  afterEach(async () => sut?.close());

  it('reports a still-bad event as parked again without relying on errors thrown through the store', async () => {
    sut = await postgres!.open();
    const outcome = await rerunFailedItem(
      {
        id: '1',
        source: 'file:test',
        partitionId: '0',
        sequenceNumber: 7,
        payloadEncoding: 'utf8',
        payload: line(validEvent(1, { amountMinor: 10.5 })),
      },
      { store: causeDroppingStore(sut.store), engine: sut.engine, clock: () => NOW },
    );
    expect(outcome).toMatchObject({ kind: 'parked_again', errorCode: 'invalid_amount' });
    const { rows } = await sut.query('select count(*)::int as n from source_positions');
    expect(rows).toEqual([{ n: 0 }]);
  });
});
