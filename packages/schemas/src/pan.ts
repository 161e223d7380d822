/**
 * Primary account numbers must never be stored in clear. A PAN-like run is 13-19 digits,
 * optionally grouped by single spaces or dashes, not touching other digits, that passes the
 * Luhn check. Masking keeps the last four digits, as receipts do.
 */
const panCandidate = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function containsPan(text: string): boolean {
  for (const match of text.matchAll(panCandidate)) {
    if (passesLuhn(match[0].replace(/[ -]/g, ''))) return true;
  }
  return false;
}

/** Replaces every PAN-like run with `*` except its last four digits; separators are kept. */
export function maskPans(text: string): string {
  return text.replace(panCandidate, (run) => {
    const digits = run.replace(/[ -]/g, '');
    if (!passesLuhn(digits)) return run;
    let toMask = digits.length - 4;
    let masked = '';
    for (const char of run) {
      if (char >= '0' && char <= '9' && toMask > 0) {
        masked += '*';
        toMask--;
      } else {
        masked += char;
      }
    }
    return masked;
  });
}
