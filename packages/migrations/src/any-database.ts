import type { Kysely } from 'kysely';

/** A kysely instance of any schema: migrations create the tables, so none is known up front. */
// biome-ignore lint/suspicious/noExplicitAny: the one place the untyped schema is spelled out
export type AnyDatabase = Kysely<any>;
