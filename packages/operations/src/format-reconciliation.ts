import { textTable } from '@paymetrics/text-table';
import type { ReconciliationReport } from './reconcile.js';
import { formatCount } from './reconcile-sentences.js';

const statusLabel = { ok: 'ok', mismatch: 'MISMATCH', not_applicable: 'n/a' } as const;

/** The report for a person: one row per partition, the global checks, the verdict last. */
export function formatReconciliation(report: ReconciliationReport): string {
  const partitions = textTable(
    [
      'source',
      'partition',
      'received',
      'counted',
      'dead-lettered',
      'duplicates',
      'failed rows',
      'sequences',
      'status',
      'notes',
    ],
    report.partitions.map((p) => [
      p.source,
      p.partitionId,
      formatCount(p.received),
      formatCount(p.counted),
      formatCount(p.deadLettered),
      formatCount(p.duplicates),
      formatCount(p.failedItems),
      p.firstSequence === null ? '-' : `${p.firstSequence}..${p.lastSequence}`,
      p.status === 'ok' ? 'ok' : 'MISMATCH',
      p.checks
        .filter((c) => c.status !== 'ok' || c.check === 'sequence_span')
        .map((c) => `${c.check} ${statusLabel[c.status]}: ${c.detail}`)
        .join('; '),
    ]),
  );
  const global = textTable(
    ['check', 'status', 'expected', 'actual', 'detail'],
    report.global.map((c) => [
      c.check,
      statusLabel[c.status],
      c.expected === undefined ? '-' : formatCount(c.expected),
      c.actual === undefined ? '-' : formatCount(c.actual),
      c.detail,
    ]),
  );
  return [
    report.partitions.length === 0 ? 'no source positions committed yet' : partitions,
    '',
    global,
    '',
    coverage(report),
    report.verdict,
  ].join('\n');
}

/** What the checks read: the windows of the range, and the counters of all time. */
export function coverage(report: ReconciliationReport): string {
  const { from, to, windows } = report.covered;
  return `covered: windows ${from} .. ${to} (${formatCount(windows)} windows); partition counters and metrics_vs_counted: everything committed`;
}
