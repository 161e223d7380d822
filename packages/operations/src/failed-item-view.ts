import type { FailedItem, FailedItemOutcome } from '@paymetrics/storage-adapters';
import { textTable } from '@paymetrics/text-table';
import type { RetryItemResult } from './retry-failed-items.js';

export interface DecodedPayload {
  readonly bytes: number;
  /** The bytes read as UTF-8; invalid sequences become U+FFFD. */
  readonly text: string;
  readonly validUtf8: boolean;
  /** The first 256 bytes in hex, for bodies that are not text. */
  readonly hex: string;
}

/** A failed item for `dlq show`: the row as stored (payload masked), and its bytes when stored as base64. */
export interface FailedItemView {
  readonly item: FailedItem;
  readonly decoded: DecodedPayload | null;
}

export function viewFailedItem(item: FailedItem): FailedItemView {
  if (item.payload === null || item.payloadEncoding !== 'base64') return { item, decoded: null };
  const bytes = Buffer.from(item.payload, 'base64');
  let validUtf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    validUtf8 = false;
  }
  return {
    item,
    decoded: {
      bytes: bytes.length,
      text: bytes.toString('utf8'),
      validUtf8,
      hex: bytes.subarray(0, 256).toString('hex'),
    },
  };
}

const iso = (date: Date | null) => (date ? date.toISOString() : '-');

export function formatFailedItemView({ item, decoded }: FailedItemView): string {
  const lines = [
    ['id', item.id],
    ['status', `${item.status} (${item.attempts} attempt${item.attempts === 1 ? '' : 's'})`],
    ['failed at', iso(item.failedAt)],
    ['stage', item.stage],
    ['error code', item.errorCode],
    ['message', item.errorMessage],
    ['source', item.source],
    ['partition', item.partitionId],
    ['sequence', String(item.sequenceNumber)],
    ['event id', item.eventId ?? '-'],
    ['next attempt', iso(item.nextAttemptAt)],
    ['resolved at', iso(item.resolvedAt)],
    ['last error', item.lastError ?? '-'],
    [
      'payload',
      `${item.payloadBytes} bytes, ${item.payloadEncoding}, as stored (PAN-like digit runs masked)`,
    ],
  ];
  const width = Math.max(...lines.map(([label]) => label!.length));
  const out = lines.map(([label, value]) => `${label!.padEnd(width)}  ${value}`);
  if (item.payload === null) out.push(`  in the archive: ${item.payloadRef}`);
  else out.push(item.payload);
  if (decoded) {
    out.push(
      `decoded (${decoded.bytes} bytes${decoded.validUtf8 ? ', UTF-8' : ', not valid UTF-8: bad bytes shown as U+FFFD'})`,
      decoded.text,
      `hex${decoded.bytes > 256 ? ' (first 256 bytes)' : ''}  ${decoded.hex}`,
    );
  }
  return out.join('\n');
}

const oneLine = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function formatFailedItemList(items: readonly FailedItem[]): string {
  if (items.length === 0) return 'no failed items match';
  return textTable(
    [
      'id',
      'failed at',
      'status',
      'attempts',
      'code',
      'source',
      'partition',
      'sequence',
      'next attempt',
      'message',
    ],
    items.map((item) => [
      item.id,
      iso(item.failedAt),
      item.status,
      String(item.attempts),
      item.errorCode,
      item.source,
      item.partitionId,
      String(item.sequenceNumber),
      iso(item.nextAttemptAt),
      oneLine(item.errorMessage),
    ]),
  );
}

export function formatOutcomes(outcomes: readonly (RetryItemResult | FailedItemOutcome)[]): string {
  if (outcomes.length === 0) return 'no failed items match';
  return textTable(
    ['id', 'outcome', 'code', 'reason'],
    outcomes.map((o) => [
      o.id,
      o.outcome,
      'errorCode' in o ? (o.errorCode ?? '') : '',
      oneLine(o.reason ?? '', 120),
    ]),
  );
}

/** `3 resolved, 1 still_failing`: outcome counts in first-seen order. */
export function summarizeOutcomes(outcomes: readonly { readonly outcome: string }[]): string {
  const counts = new Map<string, number>();
  for (const { outcome } of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'nothing matched';
}
