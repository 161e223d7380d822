-- The hour and day rollups move out of the batch's transaction. Keeping them there (11_rollups.sql)
-- cost two thirds of the database time of every batch: per 1,000 realistic events about 87 ms of
-- rollup upserts (most of it merging and subtracting jsonb sketches) against 40 ms for the batch's
-- own writes (docs/performance.md, "Rollups"). Now a batch only records which 5-minute windows
-- it changed, and paymetrics_refresh_rollups() rebuilds the hours and days of those windows from
-- the 5-minute rows: an incremental job with a watermark (the pending marks), run by a timer in
-- the Function and at the end of a local run.
-- A rollup row therefore equals the sum of its 5-minute rows once refreshed; `pnpm reconcile`
-- checks every hour and day that has no refresh pending. Readers never see the lag: the
-- *_current views (and the views for people from 13_analytics_views.sql) sum the few hours and
-- days awaiting a refresh from the rows below them.

DROP TRIGGER payment_metrics_5m_rollup_insert ON payment_metrics_5m;
DROP TRIGGER payment_metrics_5m_rollup_update ON payment_metrics_5m;
DROP TRIGGER aggregate_histograms_rollup_insert ON aggregate_histograms;
DROP TRIGGER aggregate_histograms_rollup_update ON aggregate_histograms;
DROP FUNCTION paymetrics_rollup_payment_metrics();
DROP FUNCTION paymetrics_rollup_histograms();

-- Append-only and without a key: concurrent partitions never wait on each other's marks.
CREATE TABLE rollup_pending (
  window_start timestamptz NOT NULL,
  marked_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE rollup_pending IS
  '5-minute windows whose payment_metrics_5m or aggregate_histograms rows changed since the hour and day rollups were last rebuilt; paymetrics_refresh_rollups() consumes them.';

-- Whatever writes a 5-minute row (the batch writer, a repair script) marks its windows in the
-- same transaction, so no change can miss its refresh.
CREATE FUNCTION paymetrics_mark_rollup_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_pending (window_start) SELECT DISTINCT window_start FROM new_rows;
  RETURN NULL;
END;
$$;

CREATE TRIGGER payment_metrics_5m_mark_insert AFTER INSERT ON payment_metrics_5m
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();
CREATE TRIGGER payment_metrics_5m_mark_update AFTER UPDATE ON payment_metrics_5m
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();
CREATE TRIGGER aggregate_histograms_mark_insert AFTER INSERT ON aggregate_histograms
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();
CREATE TRIGGER aggregate_histograms_mark_update AFTER UPDATE ON aggregate_histograms
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();

-- The refresh and the *_current views find marks by window range.
CREATE INDEX rollup_pending_window ON rollup_pending (window_start);

-- Rebuilds the oldest `max_hours` hours with a pending mark, and every day holding one of them,
-- from the rows below; returns the number of hours rebuilt (fewer than max_hours: none are left).
-- Bounded, so that a backlog of days (a long replay, the end of an outage) is caught up by
-- refreshRollups() in short transactions, each well inside the pool's statement_timeout, not by
-- one that times out on every run. Correct under concurrent batches: the marks it deletes were
-- committed before it deleted them, so the rows it then reads include their changes; a batch
-- committing meanwhile leaves its own mark for the next call. One refresh at a time (an advisory
-- lock), and each call is one transaction, so readers see whole hours and days.
CREATE FUNCTION paymetrics_refresh_rollups(max_hours integer DEFAULT 24) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  hours timestamptz[];
  days timestamptz[];
  grain record;
BEGIN
  IF max_hours IS NULL OR max_hours < 1 THEN
    RAISE EXCEPTION 'max_hours must be at least 1, got %', max_hours USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('paymetrics_refresh_rollups'));
  SELECT array_agg(hour ORDER BY hour) INTO hours
    FROM (SELECT DISTINCT date_trunc('hour', window_start, 'UTC') AS hour
            FROM rollup_pending ORDER BY 1 LIMIT max_hours) AS oldest;
  IF hours IS NULL THEN
    RETURN 0;
  END IF;
  -- The marks deleted were committed before this statement, so the rebuilds below, which read
  -- later, include their changes; a mark committed after it stays for the next call.
  DELETE FROM rollup_pending p USING unnest(hours) AS h(hour)
   WHERE p.window_start >= h.hour AND p.window_start < h.hour + interval '1 hour';
  SELECT array_agg(DISTINCT date_trunc('day', h, 'UTC')) INTO days FROM unnest(hours) AS h;

  -- Hours from the 5-minute rows, then days from the hour rows (a day whose other hours are
  -- still marked is rebuilt again when they are).
  FOR grain IN
    SELECT * FROM (VALUES ('payment_metrics_1h', 'payment_metrics_5m', interval '1 hour', hours),
                          ('payment_metrics_1d', 'payment_metrics_1h', interval '1 day', days))
      AS g(target, source, span, periods)
  LOOP
    EXECUTE format('DELETE FROM %I WHERE window_start = ANY ($1)', grain.target) USING grain.periods;
    EXECUTE format($q$
      INSERT INTO %1$I (
        window_start, merchant_id, payment_method, card_brand, currency, country, channel,
        txn_count, approved_count, declined_count, error_count, amount_minor_sum, approved_amount_minor_sum,
        latency_ms_sum, latency_ms_min, latency_ms_max)
      SELECT p.period, m.merchant_id, m.payment_method, m.card_brand, m.currency, m.country, m.channel,
             sum(m.txn_count), sum(m.approved_count), sum(m.declined_count), sum(m.error_count),
             sum(m.amount_minor_sum), sum(m.approved_amount_minor_sum),
             sum(m.latency_ms_sum), min(m.latency_ms_min), max(m.latency_ms_max)
        FROM unnest($1) AS p(period)
        JOIN %2$I m ON m.window_start >= p.period AND m.window_start < p.period + $2
       GROUP BY 1, 2, 3, 4, 5, 6, 7$q$, grain.target, grain.source) USING grain.periods, grain.span;
  END LOOP;

  FOR grain IN
    SELECT * FROM (VALUES ('aggregate_histograms_1h', 'aggregate_histograms', interval '1 hour', hours),
                          ('aggregate_histograms_1d', 'aggregate_histograms_1h', interval '1 day', days))
      AS g(target, source, span, periods)
  LOOP
    EXECUTE format('DELETE FROM %I WHERE window_start = ANY ($1)', grain.target) USING grain.periods;
    EXECUTE format($q$
      INSERT INTO %1$I (window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch)
      SELECT p.period, a.metric_name, a.dimensions, min(a.relative_accuracy), sum(a.count), sum(a.sum),
             min(a.min), max(a.max), paymetrics_sketch_merge(a.sketch)
        FROM unnest($1) AS p(period)
        JOIN %2$I a ON a.window_start >= p.period AND a.window_start < p.period + $2
       GROUP BY 1, 2, 3$q$, grain.target, grain.source) USING grain.periods, grain.span;
  END LOOP;

  RETURN cardinality(hours);
END;
$$;

COMMENT ON FUNCTION paymetrics_refresh_rollups(integer) IS
  'Rebuilds the hour and day rollups of the oldest max_hours hours marked in rollup_pending from the rows below them; returns the hours rebuilt (fewer than max_hours: nothing is left). Safe to run at any time and concurrently with the pipeline.';

COMMENT ON TABLE payment_metrics_1h IS
  'payment_metrics_5m summed per UTC hour (window_start = the hour), same key and measures; rebuilt by paymetrics_refresh_rollups() for the hours in rollup_pending.';
COMMENT ON TABLE payment_metrics_1d IS
  'payment_metrics_5m summed per UTC day (window_start = midnight UTC), same key and measures; rebuilt by paymetrics_refresh_rollups() from the hour rows.';

-- What readers use for hours (the dashboard's 24-hour and 7-day views): the hour rollup where
-- it is current, and the 5-minute rows summed on the fly for the few hours awaiting a refresh, so
-- a reader never sees an hour behind its 5-minute rows.
CREATE VIEW payment_metrics_1h_current AS
WITH pending AS (SELECT DISTINCT date_trunc('hour', window_start, 'UTC') AS hour FROM rollup_pending)
SELECT r.window_start, r.merchant_id, r.payment_method, r.card_brand, r.currency, r.country, r.channel,
       r.txn_count, r.approved_count, r.declined_count, r.error_count, r.amount_minor_sum,
       r.approved_amount_minor_sum, r.latency_ms_sum, r.latency_ms_min, r.latency_ms_max
  FROM payment_metrics_1h r
 WHERE r.window_start NOT IN (SELECT hour FROM pending)
UNION ALL
SELECT p.hour, m.merchant_id, m.payment_method, m.card_brand, m.currency, m.country, m.channel,
       sum(m.txn_count)::bigint, sum(m.approved_count)::bigint, sum(m.declined_count)::bigint,
       sum(m.error_count)::bigint, sum(m.amount_minor_sum), sum(m.approved_amount_minor_sum),
       sum(m.latency_ms_sum), min(m.latency_ms_min), max(m.latency_ms_max)
  FROM pending p
  JOIN payment_metrics_5m m ON m.window_start >= p.hour AND m.window_start < p.hour + interval '1 hour'
 GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE VIEW aggregate_histograms_1h_current AS
WITH pending AS (SELECT DISTINCT date_trunc('hour', window_start, 'UTC') AS hour FROM rollup_pending)
SELECT r.window_start, r.metric_name, r.dimensions, r.relative_accuracy, r.count, r.sum, r.min, r.max, r.sketch
  FROM aggregate_histograms_1h r
 WHERE r.window_start NOT IN (SELECT hour FROM pending)
UNION ALL
SELECT p.hour, a.metric_name, a.dimensions, min(a.relative_accuracy), sum(a.count)::bigint, sum(a.sum),
       min(a.min), max(a.max), paymetrics_sketch_merge(a.sketch)
  FROM pending p
  JOIN aggregate_histograms a ON a.window_start >= p.hour AND a.window_start < p.hour + interval '1 hour'
 GROUP BY 1, 2, 3;

COMMENT ON VIEW payment_metrics_1h_current IS
  'payment_metrics_1h, with the hours awaiting paymetrics_refresh_rollups() summed from payment_metrics_5m: always equal to the 5-minute rows.';
COMMENT ON VIEW aggregate_histograms_1h_current IS
  'aggregate_histograms_1h, with the hours awaiting paymetrics_refresh_rollups() merged from aggregate_histograms: always equal to the 5-minute rows.';

CREATE VIEW payment_metrics_1d_current AS
WITH pending AS (SELECT DISTINCT date_trunc('day', window_start, 'UTC') AS day FROM rollup_pending)
SELECT r.window_start, r.merchant_id, r.payment_method, r.card_brand, r.currency, r.country, r.channel,
       r.txn_count, r.approved_count, r.declined_count, r.error_count, r.amount_minor_sum,
       r.approved_amount_minor_sum, r.latency_ms_sum, r.latency_ms_min, r.latency_ms_max
  FROM payment_metrics_1d r
 WHERE r.window_start NOT IN (SELECT day FROM pending)
UNION ALL
SELECT p.day, m.merchant_id, m.payment_method, m.card_brand, m.currency, m.country, m.channel,
       sum(m.txn_count)::bigint, sum(m.approved_count)::bigint, sum(m.declined_count)::bigint,
       sum(m.error_count)::bigint, sum(m.amount_minor_sum), sum(m.approved_amount_minor_sum),
       sum(m.latency_ms_sum), min(m.latency_ms_min), max(m.latency_ms_max)
  FROM pending p
  JOIN payment_metrics_1h_current m ON m.window_start >= p.day AND m.window_start < p.day + interval '1 day'
 GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE VIEW aggregate_histograms_1d_current AS
WITH pending AS (SELECT DISTINCT date_trunc('day', window_start, 'UTC') AS day FROM rollup_pending)
SELECT r.window_start, r.metric_name, r.dimensions, r.relative_accuracy, r.count, r.sum, r.min, r.max, r.sketch
  FROM aggregate_histograms_1d r
 WHERE r.window_start NOT IN (SELECT day FROM pending)
UNION ALL
SELECT p.day, a.metric_name, a.dimensions, min(a.relative_accuracy), sum(a.count)::bigint, sum(a.sum),
       min(a.min), max(a.max), paymetrics_sketch_merge(a.sketch)
  FROM pending p
  JOIN aggregate_histograms_1h_current a ON a.window_start >= p.day AND a.window_start < p.day + interval '1 day'
 GROUP BY 1, 2, 3;

COMMENT ON VIEW payment_metrics_1d_current IS
  'payment_metrics_1d, with the days awaiting paymetrics_refresh_rollups() summed from payment_metrics_1h_current.';
COMMENT ON VIEW aggregate_histograms_1d_current IS
  'aggregate_histograms_1d, with the days awaiting paymetrics_refresh_rollups() merged from aggregate_histograms_1h_current.';

-- The views for people (13_analytics_views.sql) read the current forms, so they never lag.
CREATE OR REPLACE VIEW payment_metrics_grains AS
SELECT '5m'::text AS grain, window_start, window_start + interval '5 minutes' AS window_end,
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_5m
UNION ALL
SELECT '1h', window_start, window_start + interval '1 hour',
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_1h_current
UNION ALL
SELECT '1d', window_start, window_start + interval '1 day',
       merchant_id, payment_method, card_brand, currency, country, channel, txn_count, approved_count, declined_count,
       error_count, amount_minor_sum, approved_amount_minor_sum, latency_ms_sum, latency_ms_min, latency_ms_max
  FROM payment_metrics_1d_current;

CREATE OR REPLACE VIEW latency_quantiles AS
WITH sketches AS (
  SELECT '5m'::text AS grain, window_start, window_start + interval '5 minutes' AS window_end, dimensions,
         count, sum, max, sketch
    FROM aggregate_histograms WHERE metric_name = 'processor_latency_ms'
  UNION ALL
  SELECT '1h', window_start, window_start + interval '1 hour', dimensions, count, sum, max, sketch
    FROM aggregate_histograms_1h_current WHERE metric_name = 'processor_latency_ms'
  UNION ALL
  SELECT '1d', window_start, window_start + interval '1 day', dimensions, count, sum, max, sketch
    FROM aggregate_histograms_1d_current WHERE metric_name = 'processor_latency_ms'
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

ALTER TABLE rollup_pending OWNER TO paymetrics_owner;
ALTER VIEW payment_metrics_1h_current OWNER TO paymetrics_owner;
ALTER VIEW aggregate_histograms_1h_current OWNER TO paymetrics_owner;
ALTER VIEW payment_metrics_1d_current OWNER TO paymetrics_owner;
ALTER VIEW aggregate_histograms_1d_current OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_mark_rollup_pending() OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_refresh_rollups(integer) OWNER TO paymetrics_owner;
REVOKE ALL ON rollup_pending FROM PUBLIC;
REVOKE ALL ON FUNCTION paymetrics_refresh_rollups(integer) FROM PUBLIC;
-- The marking triggers run as the writing role; the refresh runs as the owner (SECURITY DEFINER),
-- so the writer may rebuild rollups without the right to delete anything itself.
GRANT INSERT ON rollup_pending TO paymetrics_writer;
GRANT SELECT ON rollup_pending, payment_metrics_1h_current, aggregate_histograms_1h_current,
  payment_metrics_1d_current, aggregate_histograms_1d_current TO paymetrics_reader, paymetrics_writer;
GRANT EXECUTE ON FUNCTION paymetrics_refresh_rollups(integer) TO paymetrics_writer;
REVOKE INSERT, UPDATE ON payment_metrics_1h, payment_metrics_1d, aggregate_histograms_1h, aggregate_histograms_1d
  FROM paymetrics_writer;
