-- Reading and merging stored DDSketches in plain SQL (Azure's PostgreSQL has no sketch extension).
-- The stored form is the metric-engine's (packages/metric-engine/src/stored-sketch.ts):
--   {"relativeAccuracy": a, "zeroCount": n, "bins": {"<index>": count}}
-- with index = ceil(log_gamma(value)), gamma = (1 + a) / (1 - a). Merging adds counts per index, so
-- any number of merges is exact and a merged sketch answers within the same relative error a.

-- The aggregate's step: NULL inputs are skipped, so a merge over no rows (or only NULLs) is NULL.
CREATE FUNCTION paymetrics_sketch_merge_step(state jsonb, sketch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF sketch IS NULL THEN
    RETURN state;
  ELSIF state IS NULL THEN
    RETURN sketch;
  END IF;
  RETURN paymetrics_merge_sketches(state, sketch);
END;
$$;

CREATE AGGREGATE paymetrics_sketch_merge(jsonb) (
  SFUNC = paymetrics_sketch_merge_step,
  STYPE = jsonb,
  COMBINEFUNC = paymetrics_sketch_merge_step,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE paymetrics_sketch_merge(jsonb) IS
  'Merges stored DDSketches of one relative accuracy into one by adding bin counts: exact and order-independent, so a merged sketch reads the same quantiles as one sketch over all the values.';

-- The metric-engine's reading (storedSketchQuantile): the representative value of the bin holding
-- rank q * (count - 1), zeros first. The representative value 2 * gamma^i / (gamma + 1) is within
-- the relative accuracy of every value in bin i, so the answer is within it of the exact quantile.
CREATE FUNCTION paymetrics_sketch_quantile(sketch jsonb, q double precision) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  accuracy double precision;
  zero_count numeric;
  total numeric;
  target double precision;
  bin_index integer;
  gamma_mantissa double precision;
  multiplier double precision;
BEGIN
  IF sketch IS NULL THEN
    RETURN NULL;
  END IF;
  IF q IS NULL OR NOT (q >= 0 AND q <= 1) THEN
    RAISE EXCEPTION 'quantile must be between 0 and 1, got %', q USING ERRCODE = '22003';
  END IF;
  accuracy := (sketch ->> 'relativeAccuracy')::double precision;
  IF accuracy IS NULL OR NOT (accuracy > 0 AND accuracy < 1) THEN
    RAISE EXCEPTION 'sketch relativeAccuracy must be between 0 and 1, got %', sketch -> 'relativeAccuracy'
      USING ERRCODE = '22023';
  END IF;
  zero_count := coalesce((sketch ->> 'zeroCount')::numeric, 0);
  SELECT zero_count + coalesce(sum(value::numeric), 0) INTO total
    FROM jsonb_each_text(coalesce(sketch -> 'bins', '{}'::jsonb));
  IF total = 0 THEN
    RETURN NULL;
  END IF;
  target := q * (total - 1)::double precision;
  IF target < zero_count::double precision THEN
    RETURN 0;
  END IF;
  SELECT b.i INTO bin_index
    FROM (SELECT key::integer AS i,
                 zero_count + sum(value::numeric) OVER (ORDER BY key::integer) AS seen
            FROM jsonb_each_text(sketch -> 'bins')) AS b
   WHERE b.seen::double precision > target
   ORDER BY b.i
   LIMIT 1;
  IF bin_index IS NULL THEN
    -- Only through floating-point rounding of the rank: the last bin holds the maximum.
    SELECT max(key::integer) INTO bin_index FROM jsonb_each_text(sketch -> 'bins');
  END IF;
  -- The engine's arithmetic (sketch-mapping.ts): value = 2^(i / multiplier) * 2 / (1 + gamma).
  gamma_mantissa := 2 * accuracy / (1 - accuracy);
  multiplier := ln(2::double precision) / ln(1 + gamma_mantissa);
  RETURN power(2::double precision, bin_index / multiplier) * (2 / (1 + (1 + gamma_mantissa)));
END;
$$;

COMMENT ON FUNCTION paymetrics_sketch_quantile(jsonb, double precision) IS
  'Quantile q (0..1) of a stored DDSketch, within its relative accuracy of the exact value; NULL for an empty or NULL sketch. The same reading as the metric-engine''s storedSketchQuantile.';

-- Subtracts b's counts from a's (b must be contained in a): what an update added to a sketch,
-- so the rollup triggers can fold only the change into the hour and day rows.
CREATE FUNCTION paymetrics_sketch_subtract(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object(
    'relativeAccuracy', a -> 'relativeAccuracy',
    'zeroCount', (a ->> 'zeroCount')::bigint - coalesce((b ->> 'zeroCount')::bigint, 0),
    'bins', coalesce(
      (SELECT jsonb_object_agg(key, d)
         FROM (SELECT key, value::bigint - coalesce((b -> 'bins' ->> key)::bigint, 0) AS d
                 FROM jsonb_each_text(a -> 'bins')) AS x
        WHERE d <> 0),
      '{}'::jsonb))
$$;

COMMENT ON FUNCTION paymetrics_sketch_subtract(jsonb, jsonb) IS
  'The bins a holds beyond b (b contained in a): the change an update made to a stored sketch.';

ALTER FUNCTION paymetrics_sketch_merge_step(jsonb, jsonb) OWNER TO paymetrics_owner;
ALTER AGGREGATE paymetrics_sketch_merge(jsonb) OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_sketch_quantile(jsonb, double precision) OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_sketch_subtract(jsonb, jsonb) OWNER TO paymetrics_owner;
GRANT EXECUTE ON FUNCTION paymetrics_sketch_merge_step(jsonb, jsonb), paymetrics_sketch_quantile(jsonb, double precision),
  paymetrics_sketch_subtract(jsonb, jsonb), paymetrics_merge_sketches(jsonb, jsonb)
  TO paymetrics_writer, paymetrics_reader;
GRANT EXECUTE ON FUNCTION paymetrics_sketch_merge(jsonb) TO paymetrics_writer, paymetrics_reader;
