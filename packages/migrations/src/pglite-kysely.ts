import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';
import {
  Kysely,
  type PGlite as KyselyPGlite,
  PGliteDialect,
  type PGliteQueryOptions,
  type PGliteQueryResults,
} from 'kysely';
import { registerScriptRunner } from './script-runner.js';

/**
 * The PGlite handed to kysely's dialect, remembering the transaction kysely has open so that a
 * migration running inside it can use that transaction's `exec` (the simple protocol, whole
 * scripts). Calling the instance's own `exec` there would wait for the transaction forever.
 */
class ScriptablePGlite implements KyselyPGlite {
  readonly #pglite: PGlite;
  #transaction: Transaction | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  get closed(): boolean {
    return this.#pglite.closed;
  }

  get ready(): boolean {
    return this.#pglite.ready;
  }

  get waitReady(): Promise<void> {
    return this.#pglite.waitReady;
  }

  close(): Promise<void> {
    return this.#pglite.close();
  }

  query<T>(query: string, params?: unknown[], options?: PGliteQueryOptions): Promise<PGliteQueryResults<T>> {
    // kysely's copy of PGlite's option and result types differs only in optional-property detail.
    return this.#pglite.query<T>(query, params, options as QueryOptions) as Promise<PGliteQueryResults<T>>;
  }

  transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#pglite.transaction(async (tx) => {
      this.#transaction = tx;
      try {
        return await callback(tx);
      } finally {
        this.#transaction = undefined;
      }
    });
  }

  async exec(script: string): Promise<void> {
    await (this.#transaction ?? this.#pglite).exec(script);
  }
}

/**
 * A kysely instance on `pglite` that migrateToLatest can run whole schema scripts on.
 * `db.destroy()` closes `pglite`.
 */
export function createPGliteKysely<DB>(pglite: PGlite): Kysely<DB> {
  const scriptable = new ScriptablePGlite(pglite);
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite: scriptable }) });
  registerScriptRunner(db, (_transaction, script) => scriptable.exec(script));
  return db;
}
