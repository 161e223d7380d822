import type { ErrorCode, FailureStage } from './error-codes.js';

export const failedItemStatuses = ['pending', 'retrying', 'resolved', 'discarded'] as const;
export type FailedItemStatus = (typeof failedItemStatuses)[number];

/** One dead-lettered event, as written to `failed_items`. */
export interface FailedItemRecord {
  readonly stage: FailureStage;
  readonly errorCode: ErrorCode;
  readonly errorMessage: string;
  /** The body as received with PAN-like runs masked; base64 of the bytes when not valid UTF-8 text; null when it went to the archive. */
  readonly payload: string | null;
  readonly payloadEncoding: 'utf8' | 'base64';
  readonly payloadBytes: number;
  /** Archive reference of a payload too large to keep in the row. */
  readonly payloadRef: string | null;
  readonly source: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly eventId: string | null;
  /** When the retry timer may try again; null when retrying cannot help until someone acts. */
  readonly nextAttemptAt: Date | null;
}
