import { ErrorCode } from '@paymetrics/schemas';

/** 1 MiB: the Event Hubs Premium event size limit; Standard allows only 1 MB per batch. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export type DecodeErrorCode =
  | typeof ErrorCode.invalidUtf8
  | typeof ErrorCode.invalidJson
  | typeof ErrorCode.notAnObject
  | typeof ErrorCode.payloadTooLarge;

export interface DecodeOptions {
  readonly maxBytes?: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly text: string }
  | { readonly ok: false; readonly code: DecodeErrorCode; readonly message: string; readonly text?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BOM = '\uFEFF';

/**
 * Turns an event body into a JSON object: the first pipeline stage. Never throws and never
 * hangs: the size is checked before decoding or parsing, and every parser failure (including
 * a RangeError from a runtime that parses recursively) is an `invalid_json` result.
 *
 * `body` may be the raw bytes, text, or a value the Functions host already parsed from JSON;
 * a parsed value must be a plain object (arrays and null are `not_an_object`), and its
 * `text` is JSON.stringify of it (cut at a fixed depth when the whole cannot be serialized), so
 * a failure for a parsed value always carries the text to park.
 */
export function decodeEventBody(body: unknown, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bytes = asBytes(body);
  if (bytes) {
    if (bytes.byteLength > maxBytes) return tooLarge(bytes.byteLength, maxBytes, true);
    let text: string;
    try {
      text = utf8.decode(bytes); // also strips a leading BOM
    } catch {
      return { ok: false, code: ErrorCode.invalidUtf8, message: 'body is not valid UTF-8' };
    }
    return parseText(text);
  }
  if (typeof body === 'string') {
    const size = utf8ByteLength(body, maxBytes);
    if (size > maxBytes) return tooLarge(size, maxBytes, false);
    return parseText(body.startsWith(BOM) ? body.slice(1) : body);
  }
  return acceptParsed(body, maxBytes);
}

function asBytes(body: unknown): Uint8Array | undefined {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

function parseText(text: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: ErrorCode.invalidJson, message: `body is not valid JSON: ${reason}`, text };
  }
  if (!isPlainObject(value)) {
    return {
      ok: false,
      code: ErrorCode.notAnObject,
      message: `body is ${describe(value)}, not a JSON object`,
      text,
    };
  }
  return { ok: true, value, text };
}

function acceptParsed(value: unknown, maxBytes: number): DecodeResult {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // Nested too deep for the runtime's stack (or cyclic): park it with what can be shown.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      code: ErrorCode.invalidJson,
      message: `body cannot be represented as JSON: ${reason}; the payload shows it cut at depth ${PREVIEW_DEPTH}`,
      text: cutJson(value, PREVIEW_DEPTH),
    };
  }
  if (text !== undefined) {
    const size = utf8ByteLength(text, maxBytes);
    if (size > maxBytes) return tooLarge(size, maxBytes, false);
  }
  if (!isPlainObject(value)) {
    const message = `body is ${describe(value)}, not a JSON object`;
    return text === undefined
      ? { ok: false, code: ErrorCode.notAnObject, message }
      : { ok: false, code: ErrorCode.notAnObject, message, text };
  }
  return { ok: true, value, text: text as string };
}

const PREVIEW_DEPTH = 64;

/** JSON of `value` with objects and arrays deeper than `maxDepth` replaced by a marker string. */
function cutJson(value: unknown, maxDepth: number): string {
  const depths = new WeakMap<object, number>();
  try {
    return (
      JSON.stringify(value, function (this: object, _key: string, child: unknown) {
        if (typeof child !== 'object' || child === null) return child;
        const depth = (depths.get(this) ?? 0) + 1;
        if (depth > maxDepth) return '[cut: nested too deep]';
        depths.set(child, depth);
        return child;
      }) ?? ''
    );
  } catch {
    return ''; // a cycle: nothing a JSON host delivers
  }
}

/** `size` is exact for bytes; for text, counting stops just past the limit. */
function tooLarge(size: number, maxBytes: number, exact: boolean): DecodeResult {
  const amount = exact ? `${size} bytes` : `more than ${maxBytes} bytes`;
  return {
    ok: false,
    code: ErrorCode.payloadTooLarge,
    message: `body is ${amount}; the limit is ${maxBytes}`,
  };
}

/** UTF-8 length of `text`, counting no further than just past `limit`. */
function utf8ByteLength(text: string, limit: number): number {
  // Every UTF-16 unit is at least one byte and at most three.
  if (text.length > limit) return text.length;
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a non-plain object';
  return `a ${typeof value}`;
}
