/**
 * Why did a batch fail, and can trying the same batch again succeed? Modelled on Effect's
 * `SqlError` reasons: PostgreSQL SQLSTATE codes and Node network errors map to a reason, and
 * each reason is retryable or fatal.
 *
 * Unknown errors are retryable on purpose. Failing a batch is always safe: nothing is
 * checkpointed, the host delivers the batch again, and the exactly-once commit makes the repeat
 * harmless. Treating an unknown error as poison would park or drop events that a database
 * hiccup we did not foresee (a new driver message, a proxy in between) had merely delayed. A
 * batch that keeps failing stalls its partition, which alerts; a dropped event alerts nobody.
 *
 * `fatal` only says that retrying the same input unchanged cannot succeed (a constraint
 * violation, a missing table, bad credentials). It is never a licence to drop the batch.
 */
export const FailureReason = {
  connection: 'connection',
  deadlock: 'deadlock',
  serialization: 'serialization',
  transactionRollback: 'transaction_rollback',
  timeout: 'timeout',
  lockTimeout: 'lock_timeout',
  tooManyConnections: 'too_many_connections',
  insufficientResources: 'insufficient_resources',
  adminShutdown: 'admin_shutdown',
  crashShutdown: 'crash_shutdown',
  cannotConnectNow: 'cannot_connect_now',
  systemError: 'system_error',
  throttled: 'throttled',
  serviceUnavailable: 'service_unavailable',
  uniqueViolation: 'unique_violation',
  integrityViolation: 'integrity_violation',
  dataException: 'data_exception',
  invalidStatement: 'invalid_statement',
  insufficientPrivilege: 'insufficient_privilege',
  authentication: 'authentication',
  unknownDatabase: 'unknown_database',
  unknown: 'unknown',
} as const;

export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];
export type FailureKind = 'retryable' | 'fatal';

export interface FailureClassification {
  readonly kind: FailureKind;
  readonly reason: FailureReason;
  /** The PostgreSQL SQLSTATE the classification came from. */
  readonly sqlState?: string;
  /** The Node system error code (ECONNREFUSED, ...) the classification came from. */
  readonly networkCode?: string;
}

const retryable = (reason: FailureReason) => ({ kind: 'retryable', reason }) as const;
const fatal = (reason: FailureReason) => ({ kind: 'fatal', reason }) as const;

/** Exact SQLSTATE codes; checked before the class (first two characters) table below. */
const sqlStateCodes: Readonly<Record<string, Pick<FailureClassification, 'kind' | 'reason'>>> = {
  '40P01': retryable(FailureReason.deadlock),
  '40001': retryable(FailureReason.serialization),
  '57014': retryable(FailureReason.timeout),
  '25P03': retryable(FailureReason.timeout), // idle_in_transaction_session_timeout
  '55P03': retryable(FailureReason.lockTimeout),
  '53300': retryable(FailureReason.tooManyConnections),
  '57P01': retryable(FailureReason.adminShutdown),
  '57P02': retryable(FailureReason.crashShutdown),
  '57P03': retryable(FailureReason.cannotConnectNow),
  '57P05': retryable(FailureReason.timeout), // idle_session_timeout
  '23505': fatal(FailureReason.uniqueViolation),
  '42501': fatal(FailureReason.insufficientPrivilege),
  '3D000': fatal(FailureReason.unknownDatabase),
};

const sqlStateClasses: Readonly<Record<string, Pick<FailureClassification, 'kind' | 'reason'>>> = {
  '08': retryable(FailureReason.connection),
  '40': retryable(FailureReason.transactionRollback),
  '53': retryable(FailureReason.insufficientResources),
  '58': retryable(FailureReason.systemError),
  '22': fatal(FailureReason.dataException),
  '23': fatal(FailureReason.integrityViolation),
  '28': fatal(FailureReason.authentication),
  '42': fatal(FailureReason.invalidStatement),
};

const networkCodes: Readonly<Record<string, Pick<FailureClassification, 'kind' | 'reason'>>> = {
  ECONNREFUSED: retryable(FailureReason.connection),
  ECONNRESET: retryable(FailureReason.connection),
  ECONNABORTED: retryable(FailureReason.connection),
  EPIPE: retryable(FailureReason.connection),
  EHOSTUNREACH: retryable(FailureReason.connection),
  EHOSTDOWN: retryable(FailureReason.connection),
  ENETUNREACH: retryable(FailureReason.connection),
  ENETDOWN: retryable(FailureReason.connection),
  ENOTFOUND: retryable(FailureReason.connection),
  EAI_AGAIN: retryable(FailureReason.connection),
  ETIMEDOUT: retryable(FailureReason.timeout),
  ESOCKETTIMEDOUT: retryable(FailureReason.timeout),
  UND_ERR_SOCKET: retryable(FailureReason.connection),
  UND_ERR_CONNECT_TIMEOUT: retryable(FailureReason.timeout),
  UND_ERR_HEADERS_TIMEOUT: retryable(FailureReason.timeout),
  UND_ERR_BODY_TIMEOUT: retryable(FailureReason.timeout),
};

/** node-postgres reports a lost or never-established connection with plain messages, no code. */
const driverMessages: readonly [RegExp, Pick<FailureClassification, 'kind' | 'reason'>][] = [
  [/connection terminated due to connection timeout/i, retryable(FailureReason.timeout)],
  [/^timeout expired$/i, retryable(FailureReason.timeout)], // pg 8.2x connectionTimeoutMillis
  [/timeout exceeded when trying to connect/i, retryable(FailureReason.timeout)],
  [/query read timeout/i, retryable(FailureReason.timeout)],
  [/connection terminated/i, retryable(FailureReason.connection)],
  [
    /(client|connection) (has encountered a connection error|was closed) and is not queryable/i,
    retryable(FailureReason.connection),
  ],
  [/cannot use a pool after calling end on the pool/i, retryable(FailureReason.connection)],
];

const sqlStatePattern = /^(?:[0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;
const MAX_ERRORS_VISITED = 64;

/** Classifies one error without looking at its causes; undefined when nothing is recognised. */
function classifyOne(error: unknown): FailureClassification | undefined {
  if (error instanceof RetryableBatchError) return { ...error.classification, kind: 'retryable' };
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, status, statusCode, message } = error as {
    code?: unknown;
    status?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string') {
    const network = networkCodes[code];
    if (network) return { ...network, networkCode: code };
    if (sqlStatePattern.test(code)) {
      const known = sqlStateCodes[code] ?? sqlStateClasses[code.slice(0, 2)];
      return { ...(known ?? retryable(FailureReason.unknown)), sqlState: code };
    }
  }
  const http = typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : undefined;
  if (http !== undefined && http >= 400 && http <= 599) {
    if (http === 429) return retryable(FailureReason.throttled);
    if (http === 408) return retryable(FailureReason.timeout);
    if (http === 401 || http === 403) return fatal(FailureReason.authentication);
    if (http >= 500) return retryable(FailureReason.serviceUnavailable);
  }
  if (typeof message === 'string') {
    for (const [pattern, classification] of driverMessages) {
      if (pattern.test(message)) return classification;
    }
  }
  return undefined;
}

/**
 * Walks the error, its `cause` chain and AggregateError members breadth first; the outermost
 * recognised error decides, because wrappers closer to the caller know more about what failed.
 */
export function classifyFailure(error: unknown): FailureClassification {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < MAX_ERRORS_VISITED) {
    const current = queue.shift();
    if (seen.has(current)) continue;
    seen.add(current);
    const classification = classifyOne(current);
    if (classification) return classification;
    if (typeof current === 'object' && current !== null) {
      const { cause, errors } = current as { cause?: unknown; errors?: unknown };
      if (cause !== undefined) queue.push(cause);
      if (Array.isArray(errors)) queue.push(...errors);
    }
  }
  return retryable(FailureReason.unknown);
}

export function isRetryable(error: unknown): boolean {
  return classifyFailure(error).kind === 'retryable';
}

export const DeadLetterErrorCode = {
  retryableBatch: 'RETRYABLE_BATCH',
} as const;

export type DeadLetterErrorCode = (typeof DeadLetterErrorCode)[keyof typeof DeadLetterErrorCode];

/**
 * Thrown so the host retries the whole batch: nothing of it was committed, and committing a
 * retry later is safe because the batch's source position is committed with its writes.
 */
export class RetryableBatchError extends Error {
  override readonly name = 'RetryableBatchError';
  readonly code = DeadLetterErrorCode.retryableBatch;
  /** What the cause was classified as (its own kind may be fatal: retrying is still the caller's choice). */
  readonly classification: FailureClassification;

  constructor(message: string, options: { readonly cause: unknown }) {
    super(message, { cause: options.cause });
    this.classification = classifyFailure(options.cause);
  }
}
