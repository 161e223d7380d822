-- A rollup refresh bounded in size. 21_'s refresh took every pending mark at once: after a long
-- replay or an outage's backlog (days of windows marked), one call would rebuild days of hours in
-- one transaction, run past the pool's statement_timeout (60 s), roll back, and do the same on
-- every timer run, so the rollups would never catch up. Now a call takes the oldest `max_hours`
-- marked hours only; refreshRollups() calls again until nothing is left, each call its own short
-- transaction.

-- The refresh and the *_current views find marks by window range.
CREATE INDEX rollup_pending_window ON rollup_pending (window_start);

DROP FUNCTION paymetrics_refresh_rollups();

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

ALTER FUNCTION paymetrics_refresh_rollups(integer) OWNER TO paymetrics_owner;
REVOKE ALL ON FUNCTION paymetrics_refresh_rollups(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION paymetrics_refresh_rollups(integer) TO paymetrics_writer;
