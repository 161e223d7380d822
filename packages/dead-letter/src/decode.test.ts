import { ErrorCode } from '@paymetrics/schemas';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, type DecodeResult, decodeEventBody } from './decode.js';

const encode = (text: string) => new TextEncoder().encode(text);

function expectOk(result: DecodeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result;
}

function expectFailure(result: DecodeResult, code: string) {
  if (result.ok) throw new Error(`expected ${code}, but decoding succeeded`);
  expect(result.code).toBe(code);
  expect(result.message.length).toBeGreaterThan(0);
  return result;
}

describe('decodeEventBody: valid bodies', () => {
  it.each<[string, string | Uint8Array]>([
    ['a string', '{"a":1,"b":"ü"}'],
    ['UTF-8 bytes', encode('{"a":1,"b":"ü"}')],
    ['a Buffer', Buffer.from('{"a":1,"b":"ü"}')],
    ['bytes with a BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...encode('{"a":1,"b":"ü"}')])],
    ['a string with a BOM', '\uFEFF{"a":1,"b":"ü"}'],
    ['surrounding whitespace', ' \n\t{"a":1,"b":"ü"}\r\n '],
  ])('decodes %s', (_name, body) => {
    const result = expectOk(decodeEventBody(body));
    expect(result.value).toEqual({ a: 1, b: 'ü' });
    expect(result.text.startsWith('\uFEFF')).toBe(false);
  });

  it('decodes a view into a larger buffer, reading only its window', () => {
    const whole = encode('xx{"a":1}yy');
    const result = expectOk(decodeEventBody(new DataView(whole.buffer, 2, 7)));
    expect(result.value).toEqual({ a: 1 });
  });

  it('decodes an ArrayBuffer', () => {
    expect(expectOk(decodeEventBody(encode('{"a":1}').buffer)).value).toEqual({ a: 1 });
  });

  it('accepts an object the host already parsed, with text = JSON.stringify of it', () => {
    const value = { schemaVersion: 1, nested: { a: [1, 2] } };
    const result = expectOk(decodeEventBody(value));
    expect(result.value).toBe(value);
    expect(result.text).toBe(JSON.stringify(value));
  });

  it('parses numbers beyond 2^53 (validation rejects them later)', () => {
    const result = expectOk(decodeEventBody('{"amountMinor":9007199254740993,"big":1e400}'));
    expect(result.value.amountMinor).toBe(2 ** 53);
    expect(result.value.big).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps __proto__ as an own key without touching any prototype', () => {
    const result = expectOk(decodeEventBody('{"__proto__":{"polluted":true},"a":1}'));
    expect(Object.keys(result.value)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts a body of exactly maxBytes', () => {
    const body = `{"a":"${'x'.repeat(92)}"}`;
    expect(body.length).toBe(100);
    expectOk(decodeEventBody(body, { maxBytes: 100 }));
    expectOk(decodeEventBody(encode(body), { maxBytes: 100 }));
  });
});

describe('decodeEventBody: invalid_utf8', () => {
  it.each<[string, number[]]>([
    ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['a truncated two-byte sequence', [0x7b, 0x22, 0xc3, 0x22, 0x7d]],
    ['an overlong encoding of "/"', [0x7b, 0xc0, 0xaf, 0x7d]],
    ['an encoded surrogate', [0x7b, 0xed, 0xa0, 0x80, 0x7d]],
    ['a code point above U+10FFFF', [0x7b, 0xf4, 0x90, 0x80, 0x80, 0x7d]],
    ['Latin-1 text', [...encode('{"name":"'), 0xe9, ...encode('"}')]],
    ['UTF-16LE with a BOM', [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]],
  ])('rejects %s', (_name, bytes) => {
    const result = expectFailure(decodeEventBody(new Uint8Array(bytes)), ErrorCode.invalidUtf8);
    expect(result.text).toBeUndefined();
  });
});

describe('decodeEventBody: invalid_json', () => {
  it.each<[string, string]>([
    ['an empty body', ''],
    ['whitespace only', '  \n'],
    ['a truncated object', '{"a":1'],
    ['a trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['NaN', '{"a":NaN}'],
    ['Infinity', '{"a":Infinity}'],
    ['a bare NaN', 'NaN'],
    ['a comment', '{"a":1 /* c */}'],
    ['two objects', '{"a":1}{"b":2}'],
    ['NDJSON of two lines', '{"a":1}\n{"b":2}'],
    ['100,000 unclosed brackets', '['.repeat(100_000)],
    ['a BOM inside the text', '{"a":1}\uFEFF'],
  ])('rejects %s and keeps the text', (_name, body) => {
    const result = expectFailure(decodeEventBody(body), ErrorCode.invalidJson);
    expect(result.text).toBe(body.startsWith('\uFEFF') ? body.slice(1) : body);
    expect(result.message).toMatch(/^body is not valid JSON: /);
  });

  it('rejects the same text given as bytes', () => {
    expectFailure(decodeEventBody(encode('{"a":NaN}')), ErrorCode.invalidJson);
  });

  it('rejects a host-parsed value that JSON cannot represent', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expectFailure(decodeEventBody(circular), ErrorCode.invalidJson);
    expectFailure(decodeEventBody({ amount: 10n }), ErrorCode.invalidJson);
  });

  it('rejects a host-parsed object too deep to serialise (RangeError) without crashing', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const result = expectFailure(decodeEventBody(deep), ErrorCode.invalidJson);
    expect(result.message).toContain('cannot be represented as JSON');
    // The text to park: the body cut at a fixed depth, still JSON.
    const shown = JSON.parse(result.text ?? '') as Record<string, unknown>;
    let level: unknown = shown;
    let depth = 0;
    while (typeof level === 'object' && level !== null) {
      level = (level as { a: unknown }).a;
      depth++;
    }
    expect([depth, level]).toEqual([64, '[cut: nested too deep]']);
  });
});

describe('decodeEventBody: not_an_object', () => {
  it.each<[string, string]>([
    ['an array', '[{"a":1}]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"event"'],
    ['true', 'true'],
    ['100,000 nested arrays (V8 parses them iteratively)', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ])('rejects %s and keeps the text', (_name, body) => {
    const result = expectFailure(decodeEventBody(body), ErrorCode.notAnObject);
    expect(result.text).toBe(body);
  });

  it.each<[string, unknown, string | undefined]>([
    ['an array', [{ a: 1 }], '[{"a":1}]'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['undefined', undefined, undefined],
    ['a Date', new Date(0), '"1970-01-01T00:00:00.000Z"'],
    ['a Map', new Map([['a', 1]]), '{}'],
  ])('rejects a host-parsed %s', (_name, body, text) => {
    const result = expectFailure(decodeEventBody(body), ErrorCode.notAnObject);
    expect(result.text).toBe(text);
  });
});

describe('decodeEventBody: payload_too_large', () => {
  it('defaults to 1 MiB', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1_048_576);
    const body = `{"a":"${'x'.repeat(DEFAULT_MAX_BODY_BYTES)}"}`;
    const result = expectFailure(decodeEventBody(encode(body)), ErrorCode.payloadTooLarge);
    expect(result.message).toContain(String(DEFAULT_MAX_BODY_BYTES));
    expect(result.text).toBeUndefined();
  });

  it('rejects bytes over the limit before decoding them (invalid UTF-8 is not even looked at)', () => {
    const result = expectFailure(
      decodeEventBody(new Uint8Array(101).fill(0xff), { maxBytes: 100 }),
      ErrorCode.payloadTooLarge,
    );
    expect(result.message).toBe('body is 101 bytes; the limit is 100');
  });

  it('rejects text over the limit before parsing it (a huge unclosed nesting is not even looked at)', () => {
    expectFailure(decodeEventBody('['.repeat(101), { maxBytes: 100 }), ErrorCode.payloadTooLarge);
  });

  it('counts text in UTF-8 bytes, not characters', () => {
    const body = `{"a":"${'€'.repeat(30)}"}`; // 38 characters, 98 bytes
    expectOk(decodeEventBody(body, { maxBytes: 98 }));
    expectFailure(decodeEventBody(body, { maxBytes: 97 }), ErrorCode.payloadTooLarge);
    const emoji = `{"a":"${'😀'.repeat(10)}"}`; // 20 UTF-16 units, 48 bytes
    expectOk(decodeEventBody(emoji, { maxBytes: 48 }));
    expectFailure(decodeEventBody(emoji, { maxBytes: 47 }), ErrorCode.payloadTooLarge);
  });

  it('rejects a host-parsed object whose JSON is over the limit', () => {
    expectFailure(decodeEventBody({ a: 'x'.repeat(100) }, { maxBytes: 100 }), ErrorCode.payloadTooLarge);
  });
});
