import { describe, expect, it } from 'vitest';
import { isoCountryCodes, isoCurrencyCodes } from './reference-data.js';

describe('pinned ISO reference lists', () => {
  it('hold the 249 assigned ISO 3166-1 alpha-2 codes and no user-assigned X* code', () => {
    expect(isoCountryCodes.size).toBe(249);
    expect([...isoCountryCodes].every((code) => /^[A-Z]{2}$/.test(code))).toBe(true);
    expect([...isoCountryCodes].filter((code) => code.startsWith('X'))).toEqual([]);
  });

  it('hold ISO 4217 list one, funds and precious metals included, as upper-case alpha-3 codes', () => {
    expect([...isoCurrencyCodes].every((code) => /^[A-Z]{3}$/.test(code))).toBe(true);
    for (const code of ['EUR', 'CLF', 'CHE', 'CHW', 'USN', 'UYI', 'XAU', 'XDR', 'XCG']) {
      expect(isoCurrencyCodes.has(code), code).toBe(true);
    }
    for (const code of ['HRK', 'SLL', 'ZWL']) expect(isoCurrencyCodes.has(code), code).toBe(false);
  });
});
