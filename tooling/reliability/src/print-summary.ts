import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textTable } from '@paymetrics/text-table';
import { readScenarioRecords, SUMMARY_DIR } from './scenario-summary.js';

// Run after `pnpm vitest run --project reliability`: a table for people, summary.json for scripts.
const records = readScenarioRecords();
if (records.length === 0) {
  process.stderr.write(
    `no scenario records in ${SUMMARY_DIR}: run pnpm vitest run --project reliability first\n`,
  );
  process.exit(1);
}
const columns = [
  'scenario',
  'events',
  'validDistinct',
  'bad',
  'duplicates',
  'faultsInjected',
  'retries',
  'lost',
  'doubleCounted',
  'parkedMissing',
  'parkedExtra',
] as const;
const cells = records.map((r) => columns.map((c) => String(r[c])));
const totals = {
  scenarios: records.length,
  events: records.reduce((n, r) => n + r.events, 0),
  faultsInjected: records.reduce((n, r) => n + r.faultsInjected, 0),
  retries: records.reduce((n, r) => n + r.retries, 0),
  lost: records.reduce((n, r) => n + r.lost, 0),
  doubleCounted: records.reduce((n, r) => n + r.doubleCounted, 0),
};
// Every column but the scenario's name holds counts: right-aligned.
process.stdout.write(`${textTable(columns, cells)}\n\n`);
process.stdout.write(`${JSON.stringify({ totals })}\n`);
writeFileSync(
  join(SUMMARY_DIR, 'summary.json'),
  `${JSON.stringify({ totals, scenarios: records }, null, 2)}\n`,
);
