-- Views a person can query directly, per window and per rollup grain. Filter on grain,
-- scope_kind and window_start: each branch pushes those filters down to its table's key.
--   SELECT * FROM payment_approval_rates
--    WHERE grain = '1h' AND scope_kind = 'merchant_id' AND scope_value = 'm-0042'
--    ORDER BY window_start DESC LIMIT 24;

CREATE VIEW payment_metrics_grains AS
SELECT '5m'::text AS grain, window_start, window_start + interval '5 minutes' AS window_end,
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_5m
UNION ALL
SELECT '1h', window_start, window_start + interval '1 hour',
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_1h
UNION ALL
SELECT '1d', window_start, window_start + interval '1 day',
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_1d;

COMMENT ON VIEW payment_metrics_grains IS
  'payment_metrics_5m, _1h and _1d in one relation, with grain (5m, 1h, 1d) and window_end.';

-- Approval, decline and error rates per window and grain, for all traffic (scope_kind overall)
-- and per merchant, country, card brand and payment method. scope is the same jsonb as
-- metric_anomalies.scope.
CREATE VIEW payment_approval_rates AS
WITH scoped AS (
  SELECT grain, window_start, window_end, 'overall'::text AS scope_kind, NULL::text AS scope_value,
         sum(txn_count) AS txn_count, sum(approved_count) AS approved_count,
         sum(declined_count) AS declined_count, sum(error_count) AS error_count,
         sum(latency_ms_sum) AS latency_ms_sum
    FROM payment_metrics_grains GROUP BY grain, window_start, window_end
  UNION ALL
  SELECT grain, window_start, window_end, 'merchant_id', merchant_id, sum(txn_count), sum(approved_count),
         sum(declined_count), sum(error_count), sum(latency_ms_sum)
    FROM payment_metrics_grains GROUP BY grain, window_start, window_end, merchant_id
  UNION ALL
  SELECT grain, window_start, window_end, 'country', country, sum(txn_count), sum(approved_count),
         sum(declined_count), sum(error_count), sum(latency_ms_sum)
    FROM payment_metrics_grains GROUP BY grain, window_start, window_end, country
  UNION ALL
  SELECT grain, window_start, window_end, 'card_brand', card_brand, sum(txn_count), sum(approved_count),
         sum(declined_count), sum(error_count), sum(latency_ms_sum)
    FROM payment_metrics_grains WHERE payment_method = 'card' GROUP BY grain, window_start, window_end, card_brand
  UNION ALL
  SELECT grain, window_start, window_end, 'payment_method', payment_method, sum(txn_count), sum(approved_count),
         sum(declined_count), sum(error_count), sum(latency_ms_sum)
    FROM payment_metrics_grains GROUP BY grain, window_start, window_end, payment_method
)
SELECT grain, window_start, window_end, scope_kind, scope_value,
       CASE WHEN scope_value IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(scope_kind, scope_value) END AS scope,
       txn_count, approved_count, declined_count, error_count,
       approved_count::double precision / nullif(txn_count, 0) AS approval_rate,
       declined_count::double precision / nullif(txn_count, 0) AS decline_rate,
       error_count::double precision / nullif(txn_count, 0) AS error_rate,
       latency_ms_sum / nullif(txn_count, 0) AS latency_ms_mean
  FROM scoped;

COMMENT ON VIEW payment_approval_rates IS
  'Per grain (5m, 1h, 1d), window and scope (overall, merchant_id, country, card_brand, payment_method): counts, approval_rate, decline_rate and error_rate (shares of all transactions) and mean latency.';

-- Declines per decline code, from the default rules decline_count (merchant_id, decline_code)
-- and declines_by_card_brand (card_brand, decline_code). Hour and day grains are summed from the
-- 5-minute rule rows. decline_share is the code's share of the scope's declines; decline_rate its
-- share of all the scope's transactions.
CREATE VIEW decline_code_rates AS
WITH rule_rows AS (
  SELECT window_start, 'merchant_id'::text AS scope_kind, dimensions ->> 'merchant_id' AS scope_value,
         dimensions ->> 'decline_code' AS decline_code, value_count
    FROM dynamic_metrics WHERE metric_name = 'decline_count'
  UNION ALL
  SELECT window_start, 'overall', NULL, dimensions ->> 'decline_code', value_count
    FROM dynamic_metrics WHERE metric_name = 'decline_count'
  UNION ALL
  SELECT window_start, 'card_brand', dimensions ->> 'card_brand', dimensions ->> 'decline_code', value_count
    FROM dynamic_metrics WHERE metric_name = 'declines_by_card_brand'
), by_grain AS (
  SELECT '5m'::text AS grain, window_start, window_start + interval '5 minutes' AS window_end,
         scope_kind, scope_value, decline_code, sum(value_count) AS declined_count
    FROM rule_rows GROUP BY window_start, scope_kind, scope_value, decline_code
  UNION ALL
  SELECT '1h', date_trunc('hour', window_start, 'UTC'), date_trunc('hour', window_start, 'UTC') + interval '1 hour',
         scope_kind, scope_value, decline_code, sum(value_count)
    FROM rule_rows GROUP BY 2, scope_kind, scope_value, decline_code
  UNION ALL
  SELECT '1d', date_trunc('day', window_start, 'UTC'), date_trunc('day', window_start, 'UTC') + interval '1 day',
         scope_kind, scope_value, decline_code, sum(value_count)
    FROM rule_rows GROUP BY 2, scope_kind, scope_value, decline_code
)
SELECT d.grain, d.window_start, d.window_end, d.scope_kind, d.scope_value,
       CASE WHEN d.scope_value IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(d.scope_kind, d.scope_value) END AS scope,
       d.decline_code, d.declined_count, r.declined_count AS scope_declined_count, r.txn_count AS scope_txn_count,
       d.declined_count::double precision / nullif(r.declined_count, 0) AS decline_share,
       d.declined_count::double precision / nullif(r.txn_count, 0) AS decline_rate
  FROM by_grain d
  LEFT JOIN payment_approval_rates r
    ON r.grain = d.grain AND r.window_start = d.window_start AND r.scope_kind = d.scope_kind
   AND r.scope_value IS NOT DISTINCT FROM d.scope_value;

COMMENT ON VIEW decline_code_rates IS
  'Per grain, window, scope (overall, merchant_id, card_brand) and decline code: declines, their share of the scope''s declines (decline_share) and of its transactions (decline_rate).';

-- Latency quantiles from the sketches, per grain and window: per histogram dimensions
-- (merchant_id today; any single dimension the engine adds appears with its own scope_kind) and
-- for all traffic (merging every merchant's sketch).
CREATE VIEW latency_quantiles AS
WITH sketches AS (
  SELECT '5m'::text AS grain, window_start, window_start + interval '5 minutes' AS window_end, dimensions,
         count, sum, max, sketch
    FROM aggregate_histograms WHERE metric_name = 'processor_latency_ms'
  UNION ALL
  SELECT '1h', window_start, window_start + interval '1 hour', dimensions, count, sum, max, sketch
    FROM aggregate_histograms_1h WHERE metric_name = 'processor_latency_ms'
  UNION ALL
  SELECT '1d', window_start, window_start + interval '1 day', dimensions, count, sum, max, sketch
    FROM aggregate_histograms_1d WHERE metric_name = 'processor_latency_ms'
), scoped AS (
  SELECT grain, window_start, window_end, (SELECT min(k) FROM jsonb_object_keys(dimensions) AS k) AS scope_kind,
         dimensions AS scope, count, sum, max, sketch
    FROM sketches
  UNION ALL
  SELECT grain, window_start, window_end, 'overall', '{}'::jsonb, sum(count), sum(sum), max(max),
         paymetrics_sketch_merge(sketch)
    FROM sketches WHERE dimensions ? 'merchant_id'
   GROUP BY grain, window_start, window_end
)
SELECT grain, window_start, window_end, scope_kind, scope ->> scope_kind AS scope_value, scope,
       count AS txn_count,
       paymetrics_sketch_quantile(sketch, 0.5) AS p50_ms,
       paymetrics_sketch_quantile(sketch, 0.95) AS p95_ms,
       paymetrics_sketch_quantile(sketch, 0.99) AS p99_ms,
       sum::double precision / nullif(count, 0) AS mean_ms,
       max AS max_ms
  FROM scoped;

COMMENT ON VIEW latency_quantiles IS
  'Processor latency p50, p95 and p99 (within the sketches'' 1% relative error), mean and max per grain, window and scope (overall, or the histogram''s dimension: merchant_id).';

ALTER VIEW payment_metrics_grains OWNER TO paymetrics_owner;
ALTER VIEW payment_approval_rates OWNER TO paymetrics_owner;
ALTER VIEW decline_code_rates OWNER TO paymetrics_owner;
ALTER VIEW latency_quantiles OWNER TO paymetrics_owner;
REVOKE ALL ON payment_metrics_grains, payment_approval_rates, decline_code_rates, latency_quantiles FROM PUBLIC;
GRANT SELECT ON payment_metrics_grains, payment_approval_rates, decline_code_rates, latency_quantiles
  TO paymetrics_reader, paymetrics_writer;
