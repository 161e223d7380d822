/**
 * ISO reference lists come from the runtime's ICU data (kept current with Node releases)
 * rather than a hand-copied table.
 */
export const isoCurrencyCodes: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

function knownRegionCodes(): ReadonlySet<string> {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes = new Set<string>();
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      // ICU also names a few reserved codes (EU, UN, EZ, QO); they are not countries.
      if (['EU', 'UN', 'EZ', 'QO', 'ZZ'].includes(code)) continue;
      if (names.of(code) !== undefined) codes.add(code);
    }
  }
  return codes;
}

export const isoCountryCodes: ReadonlySet<string> = knownRegionCodes();
