export const MigrationErrorCode = {
  /** An applied schema file's content differs from what was applied. */
  changedFile: 'changed_file',
  /** A schema file that was applied is no longer in the schema folder. */
  missingFile: 'missing_file',
  /** A new schema file sorts before one already applied, so it can never run in order. */
  outOfOrder: 'out_of_order',
  /** A schema file failed to apply (its transaction was rolled back), or the migrator failed. */
  failed: 'failed',
  /** The database could not be reached or refused the connection. */
  unreachable: 'unreachable',
} as const;

export type MigrationErrorCode = (typeof MigrationErrorCode)[keyof typeof MigrationErrorCode];

export interface MigrationErrorOptions {
  readonly file?: string | undefined;
  /** Password-free description of the database, for connection errors. */
  readonly target?: string | undefined;
  /** Short reason for connection errors, e.g. `connection refused`. */
  readonly reason?: string | undefined;
  readonly cause?: unknown;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code: MigrationErrorCode;
  readonly file: string | undefined;
  readonly target: string | undefined;
  readonly reason: string | undefined;

  constructor(code: MigrationErrorCode, message: string, options: MigrationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.target = options.target;
    this.reason = options.reason;
  }
}
