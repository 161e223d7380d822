export interface SendSummary {
  readonly sink: 'ndjson' | 'eventhubs';
  readonly sent: number;
  /** Event Hubs batches; the ndjson sink has none. */
  readonly batches?: number | undefined;
  readonly elapsedMs: number;
  /** The --rate asked for, if any. */
  readonly targetRate?: number | undefined;
  readonly keyed?: number | undefined;
  readonly unkeyed?: number | undefined;
  readonly groundTruthPath?: string | undefined;
  readonly where: readonly string[];
}

const number = new Intl.NumberFormat('en-US');

/** The end-of-run summary of the ndjson and eventhubs sinks. */
export function formatSendSummary(summary: SendSummary): string {
  const seconds = summary.elapsedMs / 1000;
  const achieved = summary.sent / Math.max(seconds, 1e-9);
  const target =
    summary.targetRate === undefined
      ? ''
      : ` (target ${number.format(summary.targetRate)}, ${((achieved / summary.targetRate - 1) * 100).toFixed(1)}%)`;
  const lines = [
    '',
    `paymetrics ${summary.sink} summary`,
    '',
    `  events sent            ${number.format(summary.sent)}`,
    `  rate achieved          ${number.format(Math.round(achieved))} events/s over ${seconds.toFixed(1)} s${target}`,
  ];
  if (summary.batches !== undefined) lines.push(`  batches                ${number.format(summary.batches)}`);
  if (summary.keyed !== undefined && summary.unkeyed !== undefined) {
    lines.push(
      `  partition keys         ${number.format(summary.keyed)} by merchant, ${number.format(summary.unkeyed)} without (no valid merchant id)`,
    );
  }
  lines.push(
    `  ground truth           ${summary.groundTruthPath ?? 'not written (use --ground-truth FILE)'}`,
    '',
  );
  for (const line of summary.where) lines.push(`  ${line}`);
  lines.push('');
  return lines.join('\n');
}
