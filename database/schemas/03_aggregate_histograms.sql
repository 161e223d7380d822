-- Mergeable distributions (DDSketch) per window and dimensions, with exact count, sum, min, max.
-- A sketch is stored as jsonb {"relativeAccuracy": 0.01, "zeroCount": n, "bins": {"<index>": count}}:
-- bins are the logarithmic indexes of the DDSketch mapping, so merging two sketches is adding
-- counts per index, which paymetrics_merge_sketches does inside the upsert.
CREATE FUNCTION paymetrics_merge_sketches(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF (a ->> 'relativeAccuracy') IS DISTINCT FROM (b ->> 'relativeAccuracy') THEN
    RAISE EXCEPTION 'cannot merge sketches with relative accuracy % and %',
      a ->> 'relativeAccuracy', b ->> 'relativeAccuracy';
  END IF;
  RETURN jsonb_build_object(
    'relativeAccuracy', a -> 'relativeAccuracy',
    'zeroCount', (a ->> 'zeroCount')::bigint + (b ->> 'zeroCount')::bigint,
    -- Walk only the incoming bins and add the existing count for the same index: cheaper than
    -- regrouping both sides, and jsonb key order carries no meaning.
    'bins', coalesce(a -> 'bins', '{}'::jsonb) || coalesce(
      (SELECT jsonb_object_agg(key, value::bigint + coalesce((a -> 'bins' ->> key)::bigint, 0))
         FROM jsonb_each_text(b -> 'bins')),
      '{}'::jsonb));
END;
$$;

COMMENT ON FUNCTION paymetrics_merge_sketches(jsonb, jsonb) IS
  'Merges two stored DDSketches of the same relative accuracy by adding bin counts; exact, order-independent.';

CREATE TABLE aggregate_histograms (
  window_start      timestamptz      NOT NULL,
  metric_name       text             NOT NULL,
  dimensions        jsonb            NOT NULL,
  relative_accuracy double precision NOT NULL,
  count             bigint           NOT NULL,
  sum               numeric          NOT NULL,
  min               double precision NOT NULL,
  max               double precision NOT NULL,
  sketch            jsonb            NOT NULL,
  updated_at        timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (window_start, metric_name, dimensions)
)
-- Rows are updated in place by every batch that touches their window: free space on each page
-- lets PostgreSQL update them without touching the indexes (HOT updates).
WITH (fillfactor = 70);

-- Queries go by window range first, which the primary key serves; no secondary index to maintain.

COMMENT ON TABLE aggregate_histograms IS
  'DDSketch histograms (relative error relative_accuracy, 1%) of processor_latency_ms per window and merchant, and of amount_minor per window, merchant and currency. count, sum, min and max are exact; quantiles come from the sketch. Rows roll up to hours or days by merging sketches (paymetrics_merge_sketches) with the same quantiles as one sketch over all the data.';
