/** The part of a pg Pool (and its clients) that reports connections dying. */
export interface PoolEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(
    event: 'connect',
    listener: (client: { on(event: 'error', listener: (error: Error) => void): unknown }) => void,
  ): unknown;
}

const ignore = () => {};

/**
 * Keeps a lost PostgreSQL connection from crashing the process. pg emits `error` on an idle
 * pooled client, and on a checked-out client between statements, when the server ends the
 * connection (restart, failover, pg_terminate_backend); with no listener Node treats it as an
 * uncaught exception. The statement that next uses the connection fails instead, which fails the
 * batch as retryable, so nothing is lost by ignoring the event here.
 */
export function tolerateConnectionLoss<Pool extends PoolEvents>(pool: Pool): Pool {
  pool.on('error', ignore);
  pool.on('connect', (client) => {
    client.on('error', ignore);
  });
  return pool;
}
