/** Counts as people read them: 1,234,567. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const MAX_WINDOWS_NAMED = 5;

export function describeWindows(
  windows: readonly number[],
  expected: Map<number, number>,
  actual: Map<number, number>,
  expectedName: string,
  actualName: string,
): string {
  const named = windows
    .slice(0, MAX_WINDOWS_NAMED)
    .map(
      (w) =>
        `window ${new Date(w).toISOString()} ${expectedName} ${formatCount(expected.get(w) ?? 0)} vs ${actualName} ${formatCount(actual.get(w) ?? 0)}`,
    );
  const more =
    windows.length > MAX_WINDOWS_NAMED ? `, and ${windows.length - MAX_WINDOWS_NAMED} more windows` : '';
  return `${named.join(', ')}${more}`;
}
