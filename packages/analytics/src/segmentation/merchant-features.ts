import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';

/**
 * The daily features merchants are clustered on, each comparable across currencies and markets:
 * shares of channels, methods and card brands, decline rate, cross-border share, ticket size
 * relative to the other merchants in the same currency, and mean processor latency (log).
 */
export const featureNames = [
  'log_ticket_vs_currency',
  'pos_share',
  'recurring_share',
  'moto_share',
  'card_share',
  'wallet_share',
  'bnpl_share',
  'bank_transfer_share',
  'amex_share_of_cards',
  'decline_rate',
  'cross_border_share',
  'log_latency_ms',
] as const;

export type FeatureName = (typeof featureNames)[number];

export interface MerchantFeatures {
  readonly merchantId: string;
  readonly transactions: number;
  readonly features: Readonly<Record<FeatureName, number>>;
}

/**
 * Features of every merchant with at least `minTransactions` over the `days` UTC days ending on
 * `asOf` (inclusive), read from the day rollup (through the view that adds days awaiting a rollup refresh).
 */
export async function loadMerchantFeatures(
  db: Kysely<Database>,
  options: { readonly asOf: string; readonly days: number; readonly minTransactions: number },
): Promise<MerchantFeatures[]> {
  const { rows } = await sql<Record<FeatureName, number> & { merchant_id: string; txn: string }>`
    WITH days AS (
      SELECT * FROM payment_metrics_1d_current
       WHERE window_start >= (${options.asOf}::date - ${options.days - 1}::integer)::timestamp AT TIME ZONE 'UTC'
         AND window_start < (${options.asOf}::date + 1)::timestamp AT TIME ZONE 'UTC'
    ), home AS (
      -- A merchant's home market: the country and currency most of its transactions carry.
      SELECT DISTINCT ON (merchant_id) merchant_id, country AS home_country, currency AS home_currency
        FROM days GROUP BY merchant_id, country, currency ORDER BY merchant_id, sum(txn_count) DESC, country
    ), per_merchant AS (
      SELECT d.merchant_id, h.home_currency, sum(d.txn_count)::float8 AS txn,
             ln(greatest(sum(d.amount_minor_sum)::float8 / sum(d.txn_count), 1)) AS log_ticket,
             sum(d.txn_count) FILTER (WHERE d.channel = 'pos')::float8 / sum(d.txn_count) AS pos_share,
             sum(d.txn_count) FILTER (WHERE d.channel = 'recurring')::float8 / sum(d.txn_count) AS recurring_share,
             sum(d.txn_count) FILTER (WHERE d.channel = 'moto')::float8 / sum(d.txn_count) AS moto_share,
             sum(d.txn_count) FILTER (WHERE d.payment_method = 'card')::float8 / sum(d.txn_count) AS card_share,
             sum(d.txn_count) FILTER (WHERE d.payment_method = 'wallet')::float8 / sum(d.txn_count) AS wallet_share,
             sum(d.txn_count) FILTER (WHERE d.payment_method = 'bnpl')::float8 / sum(d.txn_count) AS bnpl_share,
             sum(d.txn_count) FILTER (WHERE d.payment_method = 'bank_transfer')::float8 / sum(d.txn_count) AS bank_transfer_share,
             coalesce(sum(d.txn_count) FILTER (WHERE d.card_brand = 'amex')::float8
                      / nullif(sum(d.txn_count) FILTER (WHERE d.payment_method = 'card'), 0), 0) AS amex_share_of_cards,
             sum(d.declined_count)::float8 / sum(d.txn_count) AS decline_rate,
             sum(d.txn_count) FILTER (WHERE d.country <> h.home_country)::float8 / sum(d.txn_count) AS cross_border_share,
             ln(greatest(sum(d.latency_ms_sum) / sum(d.txn_count), 1)) AS log_latency_ms
        FROM days d JOIN home h USING (merchant_id)
       GROUP BY d.merchant_id, h.home_currency
      HAVING sum(d.txn_count) >= ${options.minTransactions}
    )
    SELECT merchant_id, txn::text AS txn,
           log_ticket - avg(log_ticket) OVER (PARTITION BY home_currency) AS log_ticket_vs_currency,
           coalesce(pos_share, 0) AS pos_share, coalesce(recurring_share, 0) AS recurring_share,
           coalesce(moto_share, 0) AS moto_share, coalesce(card_share, 0) AS card_share,
           coalesce(wallet_share, 0) AS wallet_share, coalesce(bnpl_share, 0) AS bnpl_share,
           coalesce(bank_transfer_share, 0) AS bank_transfer_share, amex_share_of_cards, decline_rate,
           coalesce(cross_border_share, 0) AS cross_border_share, log_latency_ms
      FROM per_merchant ORDER BY merchant_id`.execute(db);
  return rows.map((row) => ({
    merchantId: row.merchant_id,
    transactions: Number(row.txn),
    features: Object.fromEntries(featureNames.map((name) => [name, Number(row[name])])) as Record<
      FeatureName,
      number
    >,
  }));
}
