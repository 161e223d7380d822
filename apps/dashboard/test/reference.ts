import { mergeStoredSketches, type StoredSketch, storedSketchQuantile } from '@paymetrics/metric-engine';
import pg from 'pg';

/**
 * Reference figures straight from the tables, written independently of @paymetrics/reporting:
 * plain sums over payment_metrics_5m, dynamic_metrics and failed_items, and latency quantiles
 * from the engine's own sketch merge.
 */
export class Reference {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async connect(url: string): Promise<Reference> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new Reference(client);
  }

  close(): Promise<void> {
    return this.#client.end();
  }

  async rows<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.#client.query<T>(text, values)).rows;
  }

  async totals(from: string, to: string, merchantId?: string) {
    const [row] = await this.rows<{ txn: string; approved: string; declined: string; errors: string }>(
      `select coalesce(sum(txn_count), 0)::text as txn, coalesce(sum(approved_count), 0)::text as approved,
              coalesce(sum(declined_count), 0)::text as declined, coalesce(sum(error_count), 0)::text as errors
         from payment_metrics_5m
        where window_start >= $1 and window_start < $2 and ($3::text is null or merchant_id = $3)`,
      [from, to, merchantId ?? null],
    );
    return {
      transactions: Number(row!.txn),
      approved: Number(row!.approved),
      declined: Number(row!.declined),
      errors: Number(row!.errors),
    };
  }

  async volume(from: string, to: string) {
    return this.rows<{ currency: string; amount: string; txn: string }>(
      `select currency, sum(amount_minor_sum)::text as amount, sum(txn_count)::text as txn
         from payment_metrics_5m where window_start >= $1 and window_start < $2
        group by currency order by currency`,
      [from, to],
    );
  }

  /** Per bucket of `grainMinutes` (epoch-aligned): transactions and approvals. */
  async buckets(from: string, to: string, grainMinutes: number, merchantId?: string) {
    return this.rows<{ bucket_ms: string; txn: string; approved: string }>(
      `select (floor(extract(epoch from window_start) / ($3 * 60)) * $3 * 60 * 1000)::bigint::text as bucket_ms,
              sum(txn_count)::text as txn, sum(approved_count)::text as approved
         from payment_metrics_5m
        where window_start >= $1 and window_start < $2 and ($4::text is null or merchant_id = $4)
        group by 1 order by 1`,
      [from, to, grainMinutes, merchantId ?? null],
    );
  }

  async latencyQuantile(from: string, to: string, q: number, merchantId?: string): Promise<number | null> {
    const rows = await this.rows<{ sketch: StoredSketch }>(
      `select sketch from aggregate_histograms
        where metric_name = 'processor_latency_ms' and window_start >= $1 and window_start < $2
          and ($3::text is null or dimensions ->> 'merchant_id' = $3)`,
      [from, to, merchantId ?? null],
    );
    if (rows.length === 0) return null;
    const merged = rows.map((r) => r.sketch).reduce((a, b) => mergeStoredSketches(a, b));
    return storedSketchQuantile(merged, q) ?? null;
  }

  async declinesByCode(from: string, to: string) {
    return this.rows<{ code: string; n: string }>(
      `select dimensions ->> 'decline_code' as code, sum(value_count)::text as n
         from dynamic_metrics where metric_name = 'decline_count' and window_start >= $1 and window_start < $2
        group by 1 order by 1`,
      [from, to],
    );
  }

  async merchants(from: string, to: string) {
    return this.rows<{ merchant_id: string; txn: string; approved: string }>(
      `select merchant_id, sum(txn_count)::text as txn, sum(approved_count)::text as approved
         from payment_metrics_5m where window_start >= $1 and window_start < $2
        group by 1 order by 1`,
      [from, to],
    );
  }

  async breakdown(column: 'country' | 'card_brand' | 'payment_method' | 'channel', from: string, to: string) {
    return this.rows<{ value: string; txn: string; approved: string }>(
      `select ${column} as value, sum(txn_count)::text as txn, sum(approved_count)::text as approved
         from payment_metrics_5m where window_start >= $1 and window_start < $2
        group by 1 order by 1`,
      [from, to],
    );
  }

  async failedItems() {
    return this.rows<{ code: string; status: string; n: string }>(
      'select error_code as code, status, count(*)::text as n from failed_items group by 1, 2 order by 1, 2',
    );
  }

  async failedBetween(from: string, to: string): Promise<number> {
    const [row] = await this.rows<{ n: string }>(
      'select count(*)::text as n from failed_items where failed_at >= $1 and failed_at < $2',
      [from, to],
    );
    return Number(row!.n);
  }
}
