export type Query = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

interface PositionRow {
  source: string;
  partition_id: string;
  first_sequence: string;
  last_sequence: string;
  events_received: string;
  events_counted: string;
  events_dead_lettered: string;
  events_duplicate: string;
  parked: string;
}

/**
 * The conservation law per partition, from the tables alone: every received position is counted,
 * parked or skipped as a duplicate; the parked ones are exactly the partition's failed_items rows;
 * the positions received are the contiguous range first..last (no gap, no position twice); and
 * the counted events of all partitions are the transactions in payment_metrics_5m. Empty when it holds.
 */
export async function checkConservation(query: Query): Promise<string[]> {
  const problems: string[] = [];
  const { rows } = await query(`
    select p.source, p.partition_id, p.first_sequence::text, p.last_sequence::text,
           p.events_received::text, p.events_counted::text, p.events_dead_lettered::text,
           p.events_duplicate::text,
           (select count(*) from failed_items f
             where f.source = p.source and f.partition_id = p.partition_id)::text as parked
      from source_positions p`);
  let counted = 0n;
  for (const row of rows as PositionRow[]) {
    const name = `${row.source}/${row.partition_id}`;
    const received = BigInt(row.events_received);
    const sum = BigInt(row.events_counted) + BigInt(row.events_dead_lettered) + BigInt(row.events_duplicate);
    if (received !== sum) problems.push(`${name}: received ${received} but accounted ${sum}`);
    if (BigInt(row.parked) !== BigInt(row.events_dead_lettered)) {
      problems.push(`${name}: ${row.events_dead_lettered} dead-lettered but ${row.parked} failed_items rows`);
    }
    const span = BigInt(row.last_sequence) - BigInt(row.first_sequence) + 1n;
    if (span !== received)
      problems.push(
        `${name}: positions ${row.first_sequence}..${row.last_sequence} but received ${received}`,
      );
    counted += BigInt(row.events_counted);
  }
  const totals = await query('select coalesce(sum(txn_count), 0)::text as n from payment_metrics_5m');
  const stored = BigInt((totals.rows[0] as { n: string }).n);
  if (stored !== counted)
    problems.push(`payment_metrics_5m holds ${stored} transactions but partitions counted ${counted}`);
  return problems;
}
