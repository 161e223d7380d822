import { isConnectionFailure, postgresErrorCode } from '@paymetrics/runtime';

/** Why a read failed, in words for the page; never a stack trace. */
export interface QueryFailure {
  readonly status: number;
  readonly error:
    | 'database_unavailable'
    | 'slow_query'
    | 'not_migrated'
    | 'permission_denied'
    | 'query_failed';
  readonly message: string;
}

export function classifyQueryFailure(error: unknown, statementTimeoutInMs: number): QueryFailure {
  const code = postgresErrorCode(error);
  if (code === '57014') {
    return {
      status: 503,
      error: 'slow_query',
      message: `The database did not answer within ${(statementTimeoutInMs / 1000).toLocaleString('en-US')} s, so the query was cancelled. Try a shorter range, or look at the database's load.`,
    };
  }
  if (isConnectionFailure(error)) {
    return {
      status: 503,
      error: 'database_unavailable',
      message:
        'The database is not reachable right now. The page retries by itself; check that PostgreSQL is running.',
    };
  }
  if (code === '42P01') {
    return {
      status: 503,
      error: 'not_migrated',
      message: 'The database has no paymetrics tables (or an older schema): run pnpm migrate.',
    };
  }
  if (code === '42501') {
    return {
      status: 503,
      error: 'permission_denied',
      message:
        'The dashboard role may not read a table it needs: grant SELECT to paymetrics_reader (pnpm migrate does).',
    };
  }
  return { status: 500, error: 'query_failed', message: 'A query failed; the server log has the details.' };
}
