import { describe, expect, it } from 'vitest';
import { containsPan, maskPans, passesLuhn } from './pan.js';

const testCards: [string, string, string][] = [
  ['Visa', '4111111111111111', '************1111'],
  ['Mastercard', '5555555555554444', '************4444'],
  ['American Express (15 digits)', '378282246310005', '***********0005'],
  ['Discover', '6011111111111117', '************1117'],
  ['JCB', '3530111333300000', '************0000'],
  ['Visa debit', '4000056655665556', '************5556'],
  ['13-digit Visa', '4222222222222', '*********2222'],
  ['19-digit', '4111111111111111110', '***************1110'],
];

describe('passesLuhn', () => {
  it.each(testCards)('accepts the %s test number', (_name, pan) => {
    expect(passesLuhn(pan)).toBe(true);
  });

  it.each(['4111111111111112', '5555555555554445', '378282246310006', '1'])('rejects %s', (digits) => {
    expect(passesLuhn(digits)).toBe(false);
  });
});

describe('maskPans: test card numbers', () => {
  it.each(testCards)('masks the %s number to its last four digits', (_name, pan, masked) => {
    expect(maskPans(pan)).toBe(masked);
    expect(containsPan(pan)).toBe(true);
  });

  it.each<[string, string, string]>([
    ['space groups of four', '4111 1111 1111 1111', '**** **** **** 1111'],
    ['dash groups of four', '5555-5555-5555-4444', '****-****-****-4444'],
    ['Amex 4-6-5 spaces', '3782 822463 10005', '**** ****** *0005'],
    ['Amex 4-6-5 dashes', '3782-822463-10005', '****-******-*0005'],
    ['mixed separators', '6011 1111-1111 1117', '**** ****-**** 1117'],
    ['irregular groups', '35301 1133 330 0000', '***** **** *** 0000'],
  ])('masks %s and keeps the separators', (_name, text, masked) => {
    expect(maskPans(text)).toBe(masked);
  });

  it.each<[string, string, string]>([
    ['inside a sentence', 'card 4111111111111111 declined', 'card ************1111 declined'],
    ['next to letters', 'pan=4000056655665556&cvv=123', 'pan=************5556&cvv=123'],
    ['followed by an expiry group', '4111 1111 1111 1111 12/28', '**** **** **** 1111 12/28'],
    ['followed by one more digit group', '4111111111111111 7', '************1111 7'],
    ['after a quantity', 'qty 2 4111111111111111', 'qty 2 ************1111'],
    ['after a date', '2026-03-01 5555555555554444', '2026-03-01 ************4444'],
    ['two numbers in one text', '378282246310005 / 6011111111111117', '***********0005 / ************1117'],
  ])('masks a number %s', (_name, text, masked) => {
    expect(maskPans(text)).toBe(masked);
  });
});

describe('maskPans: text that is not a card number', () => {
  it.each<[string, string]>([
    ['a Luhn-failing 16-digit run', '4111111111111112'],
    ['a Luhn-failing grouped run', '5555 5555 5555 4445'],
    ['a 12-digit run', '411111111116'],
    ['a 20-digit run', '41111111111111111111'],
    ['a 20-digit run containing a test number', '41111111111111110000'],
    ['a 25-digit run', '4111111111111111411111111'],
    ['a random UUID', '0b8f8f3e-6a0f-4c1e-9a53-5b3c2e1d7f10'],
    ['an all-digit UUID whose groups pass Luhn', '41111111-1111-1111-1111-111111111111'],
    ['an ISO timestamp', '2026-03-01T10:05:00.123456789+05:30'],
    ['a compact date-time', '20260301T100500Z'],
    ['an amount in minor units', '"amountMinor":1000000000000'],
    ['a decimal amount', '12345678901.99'],
    ['a phone number', '+1 415-555-0100'],
    ['double-spaced digit groups', '4111  1111  1111  1111'],
    ['an empty string', ''],
  ])('leaves %s alone', (_name, text) => {
    expect(maskPans(text)).toBe(text);
    expect(containsPan(text)).toBe(false);
  });

  it('returns the very same string when nothing is masked', () => {
    const text = 'no digits here';
    expect(maskPans(text)).toBe(text);
  });
});

describe('maskPans: JSON payloads', () => {
  it('masks card numbers inside a JSON payload string and keeps it valid JSON', () => {
    const payload = JSON.stringify({
      eventId: '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7c',
      occurredAt: '2026-03-01T10:05:00Z',
      amountMinor: 1999,
      metadata: { note: 'paid with 4111 1111 1111 1111', raw: '5555555555554444' },
      pan: 378282246310005,
    });
    const masked = maskPans(payload);
    expect(masked).not.toContain('4111 1111 1111 1111');
    expect(masked).not.toContain('5555555555554444');
    expect(masked).not.toContain('378282246310005');
    const parsed = JSON.parse(masked.replace('"pan":***********0005', '"pan":"masked"'));
    expect(parsed).toEqual({
      eventId: '3f2c1a7e-9b4d-4e8a-8f1c-2d3e4f5a6b7c',
      occurredAt: '2026-03-01T10:05:00Z',
      amountMinor: 1999,
      metadata: { note: 'paid with **** **** **** 1111', raw: '************4444' },
      pan: 'masked',
    });
    expect(containsPan(masked)).toBe(false);
  });

  it('is idempotent', () => {
    const once = maskPans('{"a":"4111111111111111","b":"6011-1111-1111-1117"}');
    expect(maskPans(once)).toBe(once);
  });
});

describe('numbers that only look like card numbers', () => {
  it('leaves the fraction of a decimal number alone', () => {
    const line = '{"processorLatencyMs":65.12700000000001,"riskScore":4.1111111111111111}';
    expect(maskPans(line)).toBe(line);
  });
  it('still masks a card number after a dot that follows no digit', () => {
    expect(maskPans('card.4111111111111111')).toBe('card.************1111');
  });
});
