import { tolerateConnectionLoss } from '@paymetrics/storage-adapters';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { withoutPassword } from './database-url.js';
import { defaultPoolSettings, type PoolSettings } from './settings.js';

export interface PoolOptions extends Partial<PoolSettings> {
  /**
   * The password, or a callback pg calls for each new connection (say, an Entra ID access token
   * that expires). When given it replaces any password in the URL.
   */
  readonly password?: string | (() => Promise<string>) | undefined;
  /** How long an idle connection stays open. */
  readonly idleTimeoutInMs?: number | undefined;
  /** Told when an idle connection is lost (the next query that needs one reports the failure). */
  readonly onConnectionLost?: ((error: Error) => void) | undefined;
  /** Every session starts read-only (`default_transaction_read_only`): readers such as the dashboard. */
  readonly readOnly?: boolean | undefined;
  /** The role every session runs as (`SET ROLE` at connection start), e.g. `paymetrics_reader`. */
  readonly role?: string | undefined;
}

/**
 * The one way to make a pg pool: every connection starts with `statement_timeout`,
 * `lock_timeout` and `idle_in_transaction_session_timeout` (startup parameters, so they hold on
 * every pooled connection without a round trip), so a stuck lock fails a batch as retryable
 * instead of holding an invocation for the whole function timeout; and a connection lost while
 * idle does not crash the process (tolerateConnectionLoss).
 */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const settings = { ...defaultPoolSettings, ...definedOnly(options) };
  const pool = new pg.Pool({
    // pg lets a connection string's fields win over the config's, even an absent password (it
    // becomes ''), so a password from elsewhere goes with the URL's fields parsed, not the URL.
    ...(options.password === undefined
      ? { connectionString }
      : { ...parseIntoClientConfig(withoutPassword(connectionString)), password: options.password }),
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutInMs,
    idleTimeoutMillis: options.idleTimeoutInMs ?? 60_000,
    statement_timeout: settings.statementTimeoutInMs,
    lock_timeout: settings.lockTimeoutInMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionSessionTimeoutInMs,
    ...sessionOptions(options),
  });
  tolerateConnectionLoss(pool);
  const onConnectionLost = options.onConnectionLost;
  if (onConnectionLost) pool.on('error', (error) => onConnectionLost(error));
  return pool;
}

/** Startup parameters beyond the timeouts: they hold on every pooled connection without a round trip. */
function sessionOptions(options: PoolOptions): { options?: string } {
  const parameters = [
    ...(options.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ...(options.role ? [`-c role=${options.role}`] : []),
  ];
  return parameters.length > 0 ? { options: parameters.join(' ') } : {};
}

function definedOnly(options: PoolOptions): Partial<PoolSettings> {
  return Object.fromEntries(
    Object.entries(options).filter(([key, value]) => value !== undefined && key in defaultPoolSettings),
  );
}
