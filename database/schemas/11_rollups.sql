-- Hour and day rollups of payment_metrics_5m and aggregate_histograms, kept in the same
-- transaction as the 5-minute rows by statement-level triggers: whatever writes a 5-minute row
-- (the pipeline's batch writer, a repair script) moves its rollups by exactly the same change, so
-- a rollup row always equals the sum of its 5-minute rows (`pnpm reconcile` checks it).
-- Why triggers and not an incremental job: docs/analytics.md measures both designs' cost.

CREATE TABLE payment_metrics_1h (LIKE payment_metrics_5m INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
WITH (fillfactor = 70);
ALTER TABLE payment_metrics_1h
  ADD PRIMARY KEY (window_start, merchant_id, payment_method, card_brand, currency, country, channel);
CREATE INDEX payment_metrics_1h_merchant_recent ON payment_metrics_1h (merchant_id, window_start DESC);

CREATE TABLE payment_metrics_1d (LIKE payment_metrics_5m INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
WITH (fillfactor = 70);
ALTER TABLE payment_metrics_1d
  ADD PRIMARY KEY (window_start, merchant_id, payment_method, card_brand, currency, country, channel);
CREATE INDEX payment_metrics_1d_merchant_recent ON payment_metrics_1d (merchant_id, window_start DESC);

CREATE TABLE aggregate_histograms_1h (LIKE aggregate_histograms INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
WITH (fillfactor = 70);
ALTER TABLE aggregate_histograms_1h ADD PRIMARY KEY (window_start, metric_name, dimensions);

CREATE TABLE aggregate_histograms_1d (LIKE aggregate_histograms INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
WITH (fillfactor = 70);
ALTER TABLE aggregate_histograms_1d ADD PRIMARY KEY (window_start, metric_name, dimensions);

COMMENT ON TABLE payment_metrics_1h IS
  'payment_metrics_5m summed per UTC hour (window_start = the hour), same key and measures; kept by triggers in the 5-minute rows'' transaction.';
COMMENT ON TABLE payment_metrics_1d IS
  'payment_metrics_5m summed per UTC day (window_start = midnight UTC), same key and measures; kept by triggers in the 5-minute rows'' transaction.';
COMMENT ON TABLE aggregate_histograms_1h IS
  'aggregate_histograms merged per UTC hour: counts and sums added, sketches merged (paymetrics_sketch_merge), min and max folded.';
COMMENT ON TABLE aggregate_histograms_1d IS
  'aggregate_histograms merged per UTC day: counts and sums added, sketches merged (paymetrics_sketch_merge), min and max folded.';

-- Folds what a statement changed in payment_metrics_5m into both rollups. Inserted rows are
-- their own change; for updated rows the change is new minus old (the writer only adds, and
-- a minimum or maximum only moves outwards, so folding the new one in is exact).
CREATE FUNCTION paymetrics_rollup_payment_metrics() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changes text;
  grain record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    changes := 'SELECT * FROM new_rows';
  ELSE
    changes := $q$
      SELECT n.window_start, n.merchant_id, n.payment_method, n.card_brand, n.currency, n.country, n.channel,
             n.txn_count - o.txn_count AS txn_count, n.approved_count - o.approved_count AS approved_count,
             n.declined_count - o.declined_count AS declined_count, n.error_count - o.error_count AS error_count,
             n.amount_minor_sum - o.amount_minor_sum AS amount_minor_sum,
             n.approved_amount_minor_sum - o.approved_amount_minor_sum AS approved_amount_minor_sum,
             n.latency_ms_sum - o.latency_ms_sum AS latency_ms_sum, n.latency_ms_min, n.latency_ms_max
        FROM new_rows n
        JOIN old_rows o USING (window_start, merchant_id, payment_method, card_brand, currency, country, channel)$q$;
  END IF;
  FOR grain IN SELECT * FROM (VALUES ('payment_metrics_1h', 'hour'), ('payment_metrics_1d', 'day')) AS g(tbl, unit) LOOP
    -- Rows go in key order, the same lock order for every writer (see the batch writer).
    EXECUTE format($q$
      INSERT INTO %1$I AS r (
        window_start, merchant_id, payment_method, card_brand, currency, country, channel,
        txn_count, approved_count, declined_count, error_count, amount_minor_sum, approved_amount_minor_sum,
        latency_ms_sum, latency_ms_min, latency_ms_max)
      SELECT date_trunc(%2$L, c.window_start, 'UTC'), c.merchant_id, c.payment_method, c.card_brand,
             c.currency, c.country, c.channel,
             sum(c.txn_count), sum(c.approved_count), sum(c.declined_count), sum(c.error_count),
             sum(c.amount_minor_sum), sum(c.approved_amount_minor_sum),
             sum(c.latency_ms_sum), min(c.latency_ms_min), max(c.latency_ms_max)
        FROM (%3$s) AS c
       GROUP BY 1, 2, 3, 4, 5, 6, 7
       ORDER BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (window_start, merchant_id, payment_method, card_brand, currency, country, channel)
      DO UPDATE SET
        txn_count = r.txn_count + EXCLUDED.txn_count,
        approved_count = r.approved_count + EXCLUDED.approved_count,
        declined_count = r.declined_count + EXCLUDED.declined_count,
        error_count = r.error_count + EXCLUDED.error_count,
        amount_minor_sum = r.amount_minor_sum + EXCLUDED.amount_minor_sum,
        approved_amount_minor_sum = r.approved_amount_minor_sum + EXCLUDED.approved_amount_minor_sum,
        latency_ms_sum = r.latency_ms_sum + EXCLUDED.latency_ms_sum,
        latency_ms_min = LEAST(r.latency_ms_min, EXCLUDED.latency_ms_min),
        latency_ms_max = GREATEST(r.latency_ms_max, EXCLUDED.latency_ms_max),
        updated_at = now()$q$, grain.tbl, grain.unit, changes);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE FUNCTION paymetrics_rollup_histograms() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changes text;
  grain record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    changes := 'SELECT window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch FROM new_rows';
  ELSE
    changes := $q$
      SELECT n.window_start, n.metric_name, n.dimensions, n.relative_accuracy,
             n.count - o.count AS count, n.sum - o.sum AS sum, n.min, n.max,
             paymetrics_sketch_subtract(n.sketch, o.sketch) AS sketch
        FROM new_rows n JOIN old_rows o USING (window_start, metric_name, dimensions)$q$;
  END IF;
  FOR grain IN SELECT * FROM (VALUES ('aggregate_histograms_1h', 'hour'), ('aggregate_histograms_1d', 'day')) AS g(tbl, unit) LOOP
    EXECUTE format($q$
      INSERT INTO %1$I AS r (window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch)
      SELECT date_trunc(%2$L, c.window_start, 'UTC'), c.metric_name, c.dimensions, min(c.relative_accuracy),
             sum(c.count), sum(c.sum), min(c.min), max(c.max), paymetrics_sketch_merge(c.sketch)
        FROM (%3$s) AS c
       GROUP BY 1, 2, 3
       ORDER BY 1, 2, 3
      ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET
        count = r.count + EXCLUDED.count,
        sum = r.sum + EXCLUDED.sum,
        min = LEAST(r.min, EXCLUDED.min),
        max = GREATEST(r.max, EXCLUDED.max),
        sketch = paymetrics_merge_sketches(r.sketch, EXCLUDED.sketch),
        updated_at = now()$q$, grain.tbl, grain.unit, changes);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER payment_metrics_5m_rollup_insert AFTER INSERT ON payment_metrics_5m
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_rollup_payment_metrics();
CREATE TRIGGER payment_metrics_5m_rollup_update AFTER UPDATE ON payment_metrics_5m
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION paymetrics_rollup_payment_metrics();
CREATE TRIGGER aggregate_histograms_rollup_insert AFTER INSERT ON aggregate_histograms
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_rollup_histograms();
CREATE TRIGGER aggregate_histograms_rollup_update AFTER UPDATE ON aggregate_histograms
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION paymetrics_rollup_histograms();

-- A database that already holds 5-minute rows starts with rollups equal to them.
INSERT INTO payment_metrics_1h
SELECT date_trunc('hour', window_start, 'UTC'), merchant_id, payment_method, card_brand, currency, country, channel,
       sum(txn_count), sum(approved_count), sum(declined_count), sum(error_count), sum(amount_minor_sum),
       sum(approved_amount_minor_sum), sum(latency_ms_sum), min(latency_ms_min), max(latency_ms_max), now()
  FROM payment_metrics_5m GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO payment_metrics_1d
SELECT date_trunc('day', window_start, 'UTC'), merchant_id, payment_method, card_brand, currency, country, channel,
       sum(txn_count), sum(approved_count), sum(declined_count), sum(error_count), sum(amount_minor_sum),
       sum(approved_amount_minor_sum), sum(latency_ms_sum), min(latency_ms_min), max(latency_ms_max), now()
  FROM payment_metrics_5m GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO aggregate_histograms_1h
SELECT date_trunc('hour', window_start, 'UTC'), metric_name, dimensions, min(relative_accuracy), sum(count), sum(sum),
       min(min), max(max), paymetrics_sketch_merge(sketch), now()
  FROM aggregate_histograms GROUP BY 1, 2, 3;
INSERT INTO aggregate_histograms_1d
SELECT date_trunc('day', window_start, 'UTC'), metric_name, dimensions, min(relative_accuracy), sum(count), sum(sum),
       min(min), max(max), paymetrics_sketch_merge(sketch), now()
  FROM aggregate_histograms GROUP BY 1, 2, 3;

ALTER TABLE payment_metrics_1h OWNER TO paymetrics_owner;
ALTER TABLE payment_metrics_1d OWNER TO paymetrics_owner;
ALTER TABLE aggregate_histograms_1h OWNER TO paymetrics_owner;
ALTER TABLE aggregate_histograms_1d OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_rollup_payment_metrics() OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_rollup_histograms() OWNER TO paymetrics_owner;

REVOKE ALL ON payment_metrics_1h, payment_metrics_1d, aggregate_histograms_1h, aggregate_histograms_1d FROM PUBLIC;
-- The triggers run as the writing role, which therefore upserts the rollups too.
GRANT SELECT, INSERT, UPDATE ON payment_metrics_1h, payment_metrics_1d, aggregate_histograms_1h,
  aggregate_histograms_1d TO paymetrics_writer;
GRANT SELECT ON payment_metrics_1h, payment_metrics_1d, aggregate_histograms_1h, aggregate_histograms_1d
  TO paymetrics_reader;
