const reasonsByCode: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  '28P01': 'password authentication failed',
};

/**
 * The code of a pg or socket error: PostgreSQL's SQLSTATE (`42P01`) or Node's system error code
 * (`ECONNREFUSED`). Undefined when it carries none.
 */
export function postgresErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a failed connection to several addresses (localhost: ::1 and 127.0.0.1)
  // as an AggregateError whose members carry the codes.
  if (error instanceof AggregateError) {
    return error.errors.map(postgresErrorCode).find((c) => c !== undefined);
  }
  return undefined;
}

/**
 * True when `error` means the server could not be reached or dropped the connection, as
 * opposed to the server refusing a statement: socket errors (Node's `E...` codes), SQLSTATE
 * class 08 (connection exception), 57P01-03 (shutdown), 28 (authorization), 3D000 (no such
 * database), and node-postgres's messages for a lost or timed-out connection, which carry no code.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = postgresErrorCode(error);
  if (code === undefined) {
    const message = error instanceof Error ? error.message : '';
    return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
  }
  return /^E[A-Z_]+$/.test(code) || /^(08|57P0[123]|28|3D000)/.test(code);
}

/** A short reason for one line of output, e.g. `connection refused`, never containing `secret`. */
export function connectionFailureReason(error: unknown, secret?: string): string {
  const code = postgresErrorCode(error);
  let reason = (code && reasonsByCode[code]) ?? undefined;
  if (!reason) {
    const message = error instanceof Error ? error.message : String(error);
    reason = /timeout/i.test(message)
      ? 'connection timed out'
      : (message.split('\n')[0] ?? '').trim() || 'unknown error';
  }
  return secret ? reason.split(secret).join('***') : reason;
}
