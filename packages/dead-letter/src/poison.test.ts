import { ErrorCode, FailureStage } from '@paymetrics/schemas';
import { describe, expect, it } from 'vitest';
import {
  type CreateFailedItemInput,
  createFailedItem,
  DEFAULT_FUTURE_TOLERANCE_MS,
  DEFAULT_MAX_INLINE_BYTES,
  MAX_ERROR_MESSAGE_LENGTH,
  sanitizeErrorMessage,
  withPayloadRef,
} from './poison.js';

const now = new Date('2026-03-01T10:00:00.000Z');
const eventId = '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7c';

function input(overrides: Partial<CreateFailedItemInput> = {}): CreateFailedItemInput {
  return {
    stage: FailureStage.validate,
    errorCode: ErrorCode.invalidAmount,
    errorMessage: 'amountMinor must not be negative',
    body: '{"amountMinor":-1}',
    source: 'hub-a',
    partitionId: '3',
    sequenceNumber: 42,
    now,
    ...overrides,
  };
}

const decodeBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

describe('createFailedItem: text payloads', () => {
  it('builds the record for a text body', () => {
    const { record, overflow } = createFailedItem(input({ eventId }));
    expect(overflow).toBeNull();
    expect(record).toEqual({
      stage: 'validate',
      errorCode: 'invalid_amount',
      errorMessage: 'amountMinor must not be negative',
      payload: '{"amountMinor":-1}',
      payloadEncoding: 'utf8',
      payloadBytes: 18,
      payloadRef: null,
      source: 'hub-a',
      partitionId: '3',
      sequenceNumber: 42,
      eventId,
      nextAttemptAt: null,
    });
  });

  it.each<[string, string | Uint8Array]>([
    ['a string', '{"note":"paid with 4111 1111 1111 1111","amountMinor":-1}'],
    ['UTF-8 bytes', new TextEncoder().encode('{"note":"paid with 4111 1111 1111 1111","amountMinor":-1}')],
  ])('masks card numbers in %s', (_name, body) => {
    const { record } = createFailedItem(input({ body }));
    expect(record.payload).toBe('{"note":"paid with **** **** **** 1111","amountMinor":-1}');
    expect(record.payloadEncoding).toBe('utf8');
  });

  it('counts payloadBytes in UTF-8 bytes', () => {
    const { record } = createFailedItem(input({ body: '{"city":"Zürich €"}' }));
    expect(record.payloadBytes).toBe(new TextEncoder().encode('{"city":"Zürich €"}').byteLength);
    expect(record.payloadBytes).toBe(22);
  });

  it('keeps a leading BOM: the payload is the body as received', () => {
    const { record } = createFailedItem(input({ body: new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) }));
    expect(record.payload).toBe('\uFEFF{}');
    expect(record.payloadBytes).toBe(5);
  });
});

describe('createFailedItem: bytes that cannot be stored as text', () => {
  it('stores invalid UTF-8 as base64 of the raw bytes', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const { record } = createFailedItem(
      input({ stage: FailureStage.decode, errorCode: ErrorCode.invalidUtf8, body: bytes }),
    );
    expect(record.payloadEncoding).toBe('base64');
    expect(record.payloadBytes).toBe(6);
    expect(decodeBase64(record.payload ?? '')).toEqual(bytes);
  });

  it('stores valid UTF-8 containing NUL as base64 (PostgreSQL text cannot hold U+0000)', () => {
    const body = '{"a":"x\u0000y"}';
    const { record } = createFailedItem(input({ body }));
    expect(record.payloadEncoding).toBe('base64');
    expect(new TextDecoder().decode(decodeBase64(record.payload ?? ''))).toBe(body);
  });

  it('masks card digits in the bytes before base64, leaving every other byte as it was', () => {
    const prefix = [0xff, 0x00, ...new TextEncoder().encode('pan=')];
    const bytes = new Uint8Array([...prefix, ...new TextEncoder().encode('5555-5555-5555-4444'), 0xc3]);
    const { record } = createFailedItem(input({ body: bytes }));
    const stored = decodeBase64(record.payload ?? '');
    expect(stored.byteLength).toBe(bytes.byteLength);
    expect(Array.from(stored.subarray(0, prefix.length))).toEqual(prefix);
    expect(new TextDecoder('latin1').decode(stored.subarray(prefix.length, -1))).toBe('****-****-****-4444');
    expect(stored.at(-1)).toBe(0xc3);
    expect(bytes.subarray(prefix.length, prefix.length + 4)).toEqual(new TextEncoder().encode('5555'));
  });

  it('masks digits next to high bytes that a windows-1252 reading maps to other characters', () => {
    const bytes = new Uint8Array([0x80, ...new TextEncoder().encode('4111111111111111'), 0x9f, 0x81]);
    const stored = decodeBase64(createFailedItem(input({ body: bytes })).record.payload ?? '');
    expect(Array.from(stored)).toEqual([0x80, ...new TextEncoder().encode('************1111'), 0x9f, 0x81]);
  });
});

describe('createFailedItem: payloads over the inline limit', () => {
  it('defaults to 64 KB', () => {
    expect(DEFAULT_MAX_INLINE_BYTES).toBe(65_536);
    const atLimit = `"${'x'.repeat(DEFAULT_MAX_INLINE_BYTES - 2)}"`;
    expect(createFailedItem(input({ body: atLimit })).overflow).toBeNull();
    const over = `"${'x'.repeat(DEFAULT_MAX_INLINE_BYTES - 1)}"`;
    const { record, overflow } = createFailedItem(input({ body: over }));
    expect(record.payload).toBeNull();
    expect(record.payloadBytes).toBe(DEFAULT_MAX_INLINE_BYTES + 1);
    expect(overflow?.byteLength).toBe(DEFAULT_MAX_INLINE_BYTES + 1);
  });

  it('hands over the masked text for the archive and records where it went', () => {
    const body = `{"pan":"4111111111111111","pad":"${'x'.repeat(100)}"}`;
    const created = createFailedItem(input({ body, maxInlineBytes: 64 }));
    expect(created.record.payload).toBeNull();
    expect(created.record.payloadRef).toBeNull();
    expect(created.record.payloadEncoding).toBe('utf8');
    expect(new TextDecoder().decode(created.overflow ?? new Uint8Array())).toBe(
      body.replace('4111111111111111', '************1111'),
    );
    // The archive names it (storage-adapters' largePayloadName); the record keeps the name.
    const name = 'payloads/hub-a/3/00000000000000000042.gz';
    const stored = withPayloadRef(created.record, name);
    expect(stored).toEqual({ ...created.record, payloadRef: name });
    expect(created.record.payloadRef).toBeNull();
  });

  it('hands over masked raw bytes when the large body is not text', () => {
    const bytes = new Uint8Array([
      0xff,
      ...new TextEncoder().encode('6011111111111117'),
      ...new Uint8Array(100),
    ]);
    const { record, overflow } = createFailedItem(input({ body: bytes, maxInlineBytes: 64 }));
    expect(record.payloadEncoding).toBe('base64');
    expect(record.payload).toBeNull();
    expect(overflow?.byteLength).toBe(bytes.byteLength);
    expect(new TextDecoder('latin1').decode(overflow?.subarray(1, 17))).toBe('************1117');
  });
});

describe('createFailedItem: error messages and event ids', () => {
  it('masks card numbers in the error message', () => {
    const { record } = createFailedItem(
      input({ errorMessage: `body is not valid JSON: Unexpected token '4111111111111111'` }),
    );
    expect(record.errorMessage).toBe("body is not valid JSON: Unexpected token '************1111'");
  });

  it('cuts a long message to a sane length', () => {
    const message = `x${'y'.repeat(10_000)}`;
    const { record } = createFailedItem(input({ errorMessage: message }));
    expect(record.errorMessage.length).toBe(MAX_ERROR_MESSAGE_LENGTH);
    expect(record.errorMessage.endsWith('…')).toBe(true);
  });

  it('does not split a surrogate pair when cutting, and removes NUL and lone surrogates', () => {
    const cut = sanitizeErrorMessage(`${'a'.repeat(MAX_ERROR_MESSAGE_LENGTH - 2)}😀${'b'.repeat(10)}`);
    expect(cut.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    expect(cut).toBe(`${'a'.repeat(MAX_ERROR_MESSAGE_LENGTH - 2)}…`);
    expect(sanitizeErrorMessage('a\u0000b\uD800c')).toBe('a\uFFFDb\uFFFDc');
  });

  it.each<[string, unknown, string | null]>([
    ['a UUID', eventId, eventId],
    ['an upper-case UUID', eventId.toUpperCase(), eventId.toUpperCase()],
    ['not a UUID', 'event-1', null],
    ['a UUID with extra text', `${eventId} `, null],
    ['a number', 42, null],
    ['an object', { id: eventId }, null],
    ['absent', undefined, null],
  ])('keeps eventId only when it is a UUID string: %s', (_name, value, expected) => {
    const overrides: Partial<CreateFailedItemInput> = value === undefined ? {} : { eventId: value };
    expect(createFailedItem(input(overrides)).record.eventId).toBe(expected);
  });
});

describe('createFailedItem: nextAttemptAt', () => {
  it.each([
    ErrorCode.invalidAmount,
    ErrorCode.invalidJson,
    ErrorCode.unsupportedSchemaVersion,
    ErrorCode.tooLate,
    ErrorCode.payloadTooLarge,
  ])('is null for %s: retrying cannot change the outcome', (errorCode) => {
    expect(createFailedItem(input({ errorCode })).record.nextAttemptAt).toBeNull();
  });

  it('is when a future event becomes acceptable', () => {
    const occurredAtMs = now.getTime() + 60 * 60_000;
    const { record } = createFailedItem(
      input({ stage: FailureStage.bounds, errorCode: ErrorCode.futureTimestamp, occurredAtMs }),
    );
    expect(record.nextAttemptAt).toEqual(new Date(occurredAtMs - DEFAULT_FUTURE_TOLERANCE_MS));
  });

  it('honours a configured tolerance', () => {
    const occurredAtMs = now.getTime() + 60 * 60_000;
    const { record } = createFailedItem(
      input({ errorCode: ErrorCode.futureTimestamp, occurredAtMs, futureToleranceMs: 60_000 }),
    );
    expect(record.nextAttemptAt).toEqual(new Date(occurredAtMs - 60_000));
  });

  it('is never before now', () => {
    const { record } = createFailedItem(
      input({ errorCode: ErrorCode.futureTimestamp, occurredAtMs: now.getTime() }),
    );
    expect(record.nextAttemptAt).toEqual(now);
  });

  it('falls back to one tolerance from now when the event time is unknown', () => {
    const { record } = createFailedItem(input({ errorCode: ErrorCode.futureTimestamp }));
    expect(record.nextAttemptAt).toEqual(new Date(now.getTime() + DEFAULT_FUTURE_TOLERANCE_MS));
  });
});
