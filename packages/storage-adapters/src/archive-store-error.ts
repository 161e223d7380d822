import { inspect } from 'node:util';

export const ArchiveStoreErrorCode = {
  /** The storage client could not be built from the given settings (bad connection string, URL). */
  invalidConfiguration: 'ARCHIVE_INVALID_CONFIGURATION',
  /** Creating the container or writing an object failed; `statusCode` says how when the service answered. */
  writeFailed: 'ARCHIVE_WRITE_FAILED',
  /** Reading an object failed on the way (I/O, network, refused); trying again may help. */
  readFailed: 'ARCHIVE_READ_FAILED',
  /** The object was read but is not the gzip the store writes: trying again cannot help. */
  corruptObject: 'ARCHIVE_CORRUPT_OBJECT',
} as const;

export type ArchiveStoreErrorCode = (typeof ArchiveStoreErrorCode)[keyof typeof ArchiveStoreErrorCode];

/** A failed archive operation. Its message never holds an account key, SAS signature or connection string. */
export class ArchiveStoreError extends Error {
  override readonly name = 'ArchiveStoreError';
  readonly code: ArchiveStoreErrorCode;
  /** The HTTP status the storage service answered with, when it answered. */
  readonly statusCode: number | undefined;

  constructor(
    message: string,
    options: {
      readonly code: ArchiveStoreErrorCode;
      readonly cause: unknown;
      readonly statusCode?: number | undefined;
    },
  ) {
    super(redactSecrets(message), { cause: options.cause });
    this.code = options.code;
    this.statusCode = options.statusCode;
  }
}

// Credential-bearing parts of connection strings and SAS URLs, wherever they appear in a text.
const SECRET_PATTERNS: readonly RegExp[] = [
  /(AccountKey=)[^;\s]*/gi,
  /(SharedAccessSignature=)[^;\s]*/gi,
  /([?&;]sig=)[^&;\s'"]*/gi,
];

/** Replaces the given secrets, and anything shaped like an account key or SAS signature, with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.replaceAll(secret, '[REDACTED]');
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '$1[REDACTED]');
  return out;
}

/** The secrets a connection string holds: itself, and its key or SAS token when present. */
export function connectionStringSecrets(connectionString: string): string[] {
  const secrets = [connectionString.trim()];
  for (const part of connectionString.split(';')) {
    const separator = part.indexOf('=');
    const key = part.slice(0, separator).trim().toLowerCase();
    const value = part.slice(separator + 1).trim();
    if ((key === 'accountkey' || key === 'sharedaccesssignature') && value !== '') secrets.push(value);
  }
  return secrets;
}

/**
 * The cause itself when printing it in full (properties and nested causes included) shows none
 * of the secrets; otherwise an Error of the same name with the secrets redacted from its message.
 * Node's URL errors, for one, keep the string they failed on in `input`.
 */
export function causeWithoutSecrets(cause: unknown, secrets: readonly string[]): unknown {
  const printed = inspect(cause, { depth: 8, showHidden: false });
  if (!secrets.some((secret) => secret !== '' && printed.includes(secret))) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const copy = new Error(redactSecrets(message, secrets));
  if (cause instanceof Error) copy.name = cause.name;
  return copy;
}
