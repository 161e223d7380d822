/**
 * Primary account numbers must never be stored in clear. A PAN-like run is 13-19 digits,
 * optionally grouped by single spaces or dashes, not touching other digits, that passes the
 * Luhn check. Masking keeps the last four digits, as receipts do.
 *
 * Candidates are found per group: a card number is often written next to other digit groups
 * (`4111 1111 1111 1111 12/28`, `qty 1 4111111111111111`), and checking only the longest
 * grouped run would fail Luhn on the extra digits and leave the card number in clear. So every
 * span of whole groups holding 13-19 digits is tried. A contiguous run of more than 19 digits
 * is one group and never a PAN. UUID-shaped text is skipped: an all-digit stretch of a UUID
 * passes Luhn one time in ten, and masking it would destroy the event's identifier.
 */
const uuid = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';
const uuidOrDigitRun = new RegExp(`(?<![0-9A-Za-z])${uuid}(?![0-9A-Za-z])|[0-9]+(?:[ -][0-9]+)*`, 'g');
const wholeUuid = new RegExp(`^${uuid}$`);

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

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

interface DigitGroup {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

/** Character ranges [start, end) of PAN-like spans in `text`, left to right, not overlapping. */
function* panSpans(text: string): Generator<readonly [number, number]> {
  for (const match of text.matchAll(uuidOrDigitRun)) {
    const run = match[0];
    if (run.length < MIN_PAN_DIGITS || wholeUuid.test(run) || isDecimalFraction(text, match.index)) continue;
    const groups: DigitGroup[] = [];
    for (const group of run.matchAll(/[0-9]+/g)) {
      groups.push({
        start: match.index + group.index,
        end: match.index + group.index + group[0].length,
        digits: group[0],
      });
    }
    let first = 0;
    while (first < groups.length) {
      // Longest Luhn-valid span of whole groups starting at `first`.
      let digits = '';
      let bestLast = -1;
      for (let last = first; last < groups.length; last++) {
        digits += groups[last]!.digits;
        if (digits.length > MAX_PAN_DIGITS) break;
        if (digits.length >= MIN_PAN_DIGITS && passesLuhn(digits)) bestLast = last;
      }
      if (bestLast < 0) {
        first++;
        continue;
      }
      yield [groups[first]!.start, groups[bestLast]!.end];
      first = bestLast + 1;
    }
  }
}

const isPanChar = (code: number) => isDigit(code) || code === 32 || code === 45;

/** Does text[start, end) hold 13 or more digits grouped by single spaces or dashes? */
function holdsDigitRun(text: string, start: number, end: number): boolean {
  let digits = 0;
  let separatorAllowed = false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (isDigit(code)) {
      if (++digits >= MIN_PAN_DIGITS) return true;
      separatorAllowed = true;
    } else if (separatorAllowed) {
      separatorAllowed = false;
    } else {
      digits = 0;
    }
  }
  return false;
}

/**
 * Cheap first pass, because every archived line goes through maskPans: a PAN needs a stretch of
 * at least 13 characters from [0-9 -], so the scan looks at every 13th character and only
 * inspects the stretch around one that could belong to such a run. Almost no event has one.
 */
function mayContainPan(text: string): boolean {
  const length = text.length;
  let i = MIN_PAN_DIGITS - 1;
  while (i < length) {
    if (!isPanChar(text.charCodeAt(i))) {
      i += MIN_PAN_DIGITS;
      continue;
    }
    let start = i;
    while (start > 0 && isPanChar(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < length && isPanChar(text.charCodeAt(end))) end++;
    if (end - start >= MIN_PAN_DIGITS && holdsDigitRun(text, start, end)) return true;
    i = end + MIN_PAN_DIGITS;
  }
  return false;
}

export function containsPan(text: string): boolean {
  return mayContainPan(text) && !panSpans(text).next().done;
}

/** Replaces every PAN-like run with `*` except its last four digits; separators are kept. */
export function maskPans(text: string): string {
  if (!mayContainPan(text)) return text;
  let result = '';
  let copied = 0;
  for (const [start, end] of panSpans(text)) {
    let toMask = 0;
    for (let i = start; i < end; i++) if (isDigit(text.charCodeAt(i))) toMask++;
    toMask -= 4;
    result += text.slice(copied, start);
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (isDigit(code) && toMask > 0) {
        result += '*';
        toMask--;
      } else {
        result += text[i];
      }
    }
    copied = end;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** The digits after a number's decimal point (`65.12700000000001`) are a fraction, never a card. */
function isDecimalFraction(text: string, start: number): boolean {
  return start >= 2 && text.charCodeAt(start - 1) === 46 && isDigit(text.charCodeAt(start - 2));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
