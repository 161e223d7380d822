// Numbers for people: thousands separators, one-decimal percentages, money in its own currency.
const locale = 'en-US';
const countFormat = new Intl.NumberFormat(locale);
const percentFormat = new Intl.NumberFormat(locale, {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const currencyFormats = new Map<string, Intl.NumberFormat>();

export const dash = '–';

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : countFormat.format(value);
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : percentFormat.format(value);
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return dash;
  if (value >= 10_000) return `${countFormat.format(Math.round(value / 100) / 10)} s`;
  return `${countFormat.format(Math.round(value))} ms`;
}

function currencyFormat(currency: string): Intl.NumberFormat {
  let format = currencyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    currencyFormats.set(currency, format);
  }
  return format;
}

/** The number of minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD), from ICU. */
export function minorDigits(currency: string): number {
  return currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An exact amount given in minor units as a decimal string, e.g. ("123456", "EUR") -> "€1,234.56". */
export function formatAmount(amountMinor: string, currency: string): string {
  const digits = minorDigits(currency);
  const negative = amountMinor.startsWith('-');
  const units = (negative ? amountMinor.slice(1) : amountMinor).split('.')[0]!.padStart(digits + 1, '0');
  const decimal =
    digits === 0 ? units : `${units.slice(0, units.length - digits)}.${units.slice(units.length - digits)}`;
  return currencyFormat(currency).format(`${negative ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}

/** Relative change, e.g. +12.3%; null when there is nothing to compare with. */
export function relativeChange(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return (current - previous) / previous;
}

export function formatSignedPercent(value: number): string {
  const text = percentFormat.format(Math.abs(value));
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${text}`;
}

/** A change of a rate in percentage points, e.g. +1.2 pp. */
export function formatPoints(value: number): string {
  const points = Math.abs(value * 100).toFixed(1);
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${points} pp`;
}

const timeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dateTimeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: 'UTC',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Times are shown in UTC, the windows' own clock. */
export function formatTime(iso: string | number): string {
  return `${timeFormat.format(new Date(iso))}`;
}

export function formatDateTime(iso: string | number): string {
  return `${dateTimeFormat.format(new Date(iso))} UTC`;
}

const dayFormat = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });

/** Axis labels: HH:mm, and the date at midnight UTC. */
export function formatAxisTime(ms: number): string {
  const date = new Date(ms);
  if (date.getUTCHours() === 0 && date.getUTCMinutes() === 0) return dayFormat.format(date);
  return timeFormat.format(date);
}

/** A period: "Nov 30, 17:00 – Dec 1, 17:00 UTC". */
export function formatPeriod(fromIso: string, toIso: string): string {
  return `${dateTimeFormat.format(new Date(fromIso))} – ${dateTimeFormat.format(new Date(toIso))} UTC`;
}
