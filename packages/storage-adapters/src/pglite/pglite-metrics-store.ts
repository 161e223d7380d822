import { Kysely, type PGlite, PGliteDialect } from 'kysely';
import type { Database } from '../database.js';
import type { MetricsStore } from '../metrics-store.js';
import { createKyselyMetricsStore } from '../sql/kysely-metrics-store.js';

export interface PgliteMetricsStoreOptions {
  /** A `PGlite` instance from `@electric-sql/pglite`; `close()` closes it. */
  readonly pglite: PGlite;
}

/**
 * MetricsStore on an embedded PGlite. PGlite is one connection and kysely's PGlite driver
 * keeps a single transaction slot, so two overlapping transactions would interleave their
 * statements: every operation here waits for the previous one, which also gives the
 * serialization PostgreSQL gets from row locks. So `work` must not call the store itself
 * (readPosition inside a transaction would wait for that transaction forever): use the writer.
 */
export function createPgliteMetricsStore(options: PgliteMetricsStoreOptions): MetricsStore {
  const store = createKyselyMetricsStore(new Kysely<Database>({ dialect: new PGliteDialect(options) }));
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = tail.then(run);
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    readPosition: (partition) => exclusive(() => store.readPosition(partition)),
    findCountedEventIds: (eventIds) => exclusive(() => store.findCountedEventIds(eventIds)),
    transaction: (work) => exclusive(() => store.transaction(work)),
    close: () => exclusive(() => store.close()),
  };
}
