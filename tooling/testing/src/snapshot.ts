/** Every table the pipeline writes. */
export const pipelineTables = [
  'payment_metrics_5m',
  'dynamic_metrics',
  'aggregate_histograms',
  'failed_items',
  'source_positions',
  'processed_events',
] as const;

export type Query = (text: string) => Promise<{ rows: unknown[] }>;

/**
 * The pipeline's tables, every column, rows in a stable order: equal snapshots before and after
 * a redelivery or replay mean it changed nothing, not even an `updated_at`.
 */
export async function snapshotTables(query: Query): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of pipelineTables) {
    const { rows } = await query(`select * from ${table}`);
    snapshot[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}
