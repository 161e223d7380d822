/**
 * Orders strings by UTF-16 code units, the same on every machine (localeCompare is not), so
 * every writer derives the same row-lock order and the same canonical dimension keys.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
