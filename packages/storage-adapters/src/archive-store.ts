import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';
import { ArchiveStoreError, ArchiveStoreErrorCode } from './archive-store-error.js';

/** One batch's raw events, as received, for the raw archive. */
export interface ArchiveBatch {
  readonly source: string;
  readonly partitionId: string;
  readonly firstSequence: number;
  readonly lastSequence: number;
  /** Enqueue time of the batch's first event; names the hour folder when given. */
  readonly enqueuedAt?: Date;
  /** Raw text as received, one per event. */
  readonly lines: readonly string[];
}

/** Where a dead-lettered event's payload too large for its failed_items row is kept. */
export interface LargePayloadKey {
  readonly source: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
}

/**
 * The raw archive. Names are deterministic, so writing the same batch again (a retry or a
 * replay) overwrites the earlier object instead of adding a second one.
 */
export interface ArchiveStore {
  /** Writes the batch as gzip NDJSON under `archiveBatchName(batch)`; returns that name. */
  writeBatch(batch: ArchiveBatch): Promise<{ readonly name: string }>;
  /** Writes one payload (gzip of its bytes, UTF-8 for a string) under `largePayloadName(key)`. */
  writeLargePayload(key: LargePayloadKey, payload: string | Uint8Array): Promise<{ readonly name: string }>;
  /**
   * The payload stored under `name` (what `writeLargePayload` returned, kept in
   * `failed_items.payload_ref`), gunzipped: the bytes written, UTF-8 for a string. Undefined when
   * there is no such object. Rejects with a RangeError for a name `largePayloadName` cannot
   * produce, and with an `ArchiveStoreError` when the read fails (`ARCHIVE_READ_FAILED`) or the
   * object is not gzip (`ARCHIVE_CORRUPT_OBJECT`).
   */
  readLargePayload(name: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/**
 * One path segment per name: characters outside `[A-Za-z0-9._-]` become `%XX` per UTF-8 byte
 * (so `a/b` and `a_b` stay distinct), as do the dots of `.` and `..`.
 */
export function archivePathSegment(value: string): string {
  if (value === '') throw new RangeError('an archive path segment cannot be empty');
  if (value === '.' || value === '..') return value.replaceAll('.', '%2E');
  let out = '';
  for (const char of value) {
    if (/[A-Za-z0-9._-]/.test(char)) {
      out += char;
    } else {
      for (const byte of new TextEncoder().encode(char)) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

/** Zero-padded to 20 digits (the width of a 64-bit sequence number) so names sort by position. */
export function paddedSequence(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(`sequence number must be a non-negative safe integer, got ${sequence}`);
  }
  return String(sequence).padStart(20, '0');
}

function hourFolder(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${two(at.getUTCHours())}/`;
}

/** `raw/[yyyy/mm/dd/hh/]<source>/<partition>/<firstSeq>-<lastSeq>.ndjson.gz`, hour in UTC. */
export function archiveBatchName(
  batch: Pick<ArchiveBatch, 'source' | 'partitionId' | 'firstSequence' | 'lastSequence' | 'enqueuedAt'>,
): string {
  const hour = batch.enqueuedAt ? hourFolder(batch.enqueuedAt) : '';
  return `raw/${hour}${archivePathSegment(batch.source)}/${archivePathSegment(batch.partitionId)}/${paddedSequence(batch.firstSequence)}-${paddedSequence(batch.lastSequence)}.ndjson.gz`;
}

/** `payloads/<source>/<partition>/<sequence>.gz` */
export function largePayloadName(key: LargePayloadKey): string {
  return `payloads/${archivePathSegment(key.source)}/${archivePathSegment(key.partitionId)}/${paddedSequence(key.sequenceNumber)}.gz`;
}

const LARGE_PAYLOAD_NAME = /^payloads\/([A-Za-z0-9._%-]+)\/([A-Za-z0-9._%-]+)\/[0-9]{20}\.gz$/;

/**
 * Refuses a name `largePayloadName` cannot produce: the name comes back from a database row, and
 * must not reach outside the payloads folder (`..`) or name another kind of object.
 */
export function assertLargePayloadName(name: string): void {
  const match = LARGE_PAYLOAD_NAME.exec(name);
  const dotsOnly = (segment: string | undefined) => segment === '.' || segment === '..';
  if (!match || dotsOnly(match[1]) || dotsOnly(match[2])) {
    throw new RangeError(`not a large payload name: ${JSON.stringify(name.slice(0, 200))}`);
  }
}

/**
 * NDJSON holds one event per line, but an Event Hubs body may itself contain line breaks. Such
 * a body is written as a JSON string literal. A line starting with `"` is therefore always a
 * JSON string literal: a raw body that starts with `"` is encoded too, so decoding is unambiguous.
 * Every other line (all valid events: they start with `{`) is written verbatim.
 */
export function encodeArchiveLine(raw: string): string {
  return raw.startsWith('"') || /[\r\n]/.test(raw) ? JSON.stringify(raw) : raw;
}

export function decodeArchiveLine(line: string): string {
  return line.startsWith('"') ? (JSON.parse(line) as string) : line;
}

const gzipAsync = promisify(gzip);

/**
 * The gzip every archive object is stored as. The fastest level: level 6 (zlib's default) cost
 * about 7.6 ms of CPU per 1,000-event batch (as much as decoding them) for a 5.6x smaller
 * object; level 1 takes about 4 ms for 4.9x. Runs on the libuv thread pool.
 */
export function gzipArchiveObject(body: string | Uint8Array): Promise<Buffer> {
  return gzipAsync(body, { level: constants.Z_BEST_SPEED });
}

const gunzipAsync = promisify(gunzip);

/** The bytes of an archive object as written, from its stored gzip. */
export async function gunzipArchiveObject(name: string, stored: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await gunzipAsync(stored));
  } catch (error) {
    throw new ArchiveStoreError(`archive object ${name} is not valid gzip: ${(error as Error).message}`, {
      code: ArchiveStoreErrorCode.corruptObject,
      cause: error,
    });
  }
}

/** The NDJSON text of a batch (before gzip): one encoded line per event, each ending in `\n`. */
export function archiveBatchText(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) text += `${encodeArchiveLine(line)}\n`;
  return text;
}

/** The raw events of an archived batch's NDJSON text (after gunzip). */
export function parseArchiveBatchText(text: string): string[] {
  if (text === '') return [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map(decodeArchiveLine);
}
