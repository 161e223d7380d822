-- 5-minute tumbling-window aggregates per merchant and payment dimensions.
-- Rows are upserted: a late event or a second batch for the same window adds to the row.
CREATE TABLE payment_metrics_5m (
  window_start              timestamptz      NOT NULL,
  merchant_id               text             NOT NULL,
  payment_method            text             NOT NULL,
  card_brand                text             NOT NULL,
  currency                  text             NOT NULL,
  country                   text             NOT NULL,
  channel                   text             NOT NULL,
  txn_count                 bigint           NOT NULL,
  approved_count            bigint           NOT NULL,
  declined_count            bigint           NOT NULL,
  error_count               bigint           NOT NULL,
  amount_minor_sum          numeric          NOT NULL,
  approved_amount_minor_sum numeric          NOT NULL,
  latency_ms_sum            double precision NOT NULL,
  latency_ms_min            double precision NOT NULL,
  latency_ms_max            double precision NOT NULL,
  updated_at                timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (window_start, merchant_id, payment_method, card_brand, currency, country, channel),
  CHECK (txn_count = approved_count + declined_count + error_count)
)
-- Rows are updated in place by every batch that touches their window: free space on each page
-- lets PostgreSQL update them without touching the indexes (HOT updates).
WITH (fillfactor = 70);

-- A merchant's recent windows: the dashboard's most common query.
CREATE INDEX payment_metrics_5m_merchant_recent ON payment_metrics_5m (merchant_id, window_start DESC);

COMMENT ON TABLE payment_metrics_5m IS
  'Payment aggregates per 5-minute event-time window (aligned to the UTC epoch) and merchant, method, brand, currency, country and channel. card_brand is ''none'' for non-card methods. Money sums are exact, in the currency''s minor unit.';
COMMENT ON COLUMN payment_metrics_5m.window_start IS 'Start of the window: floor(occurred_at / 5 minutes), UTC.';
COMMENT ON COLUMN payment_metrics_5m.amount_minor_sum IS 'Exact sum of amountMinor over all transactions of the row.';
COMMENT ON COLUMN payment_metrics_5m.approved_amount_minor_sum IS 'Exact sum of amountMinor over approved transactions.';
