-- How much would another storage form for histogram sketches save? (docs/performance.md, "Round
-- six: the histogram levers, measured"). Times the histogram upsert of one realistic batch in
-- today's jsonb form against sketches as arrays and against append-only partial rows plus their
-- compaction. Every variant runs in a subtransaction that is rolled back, so the data is left as
-- it was; the scratch tables are dropped at the end.
--
-- Run it against a database holding a realistic run written in 1,000-event batches:
--   DATABASE_URL=<scratch database> pnpm migrate
--   DATABASE_URL=<scratch database> pnpm simulate --sink local --count 100000 --batch-size 1000 --no-progress
--   psql <scratch database> -f tooling/bench/sql/histogram-forms.sql

\set ON_ERROR_STOP on
-- Left behind if an earlier run stopped half-way.
DROP TABLE IF EXISTS histograms_as_arrays, histogram_partials;

-- A batch's histogram deltas as the pipeline derives them from 1,000 realistic events: 320 keys
-- of the latest windows at random, each with a 2-bin delta taken from its own bins, and 80 new
-- keys (named after `tag`) with one bin.
CREATE FUNCTION pg_temp.draw_batch(tag text)
RETURNS TABLE (window_start timestamptz, metric_name text, dimensions jsonb, relative_accuracy double precision, sketch jsonb)
LANGUAGE sql VOLATILE AS $$
  WITH picked AS (
    SELECT h.*, row_number() OVER () AS n
      FROM (SELECT * FROM aggregate_histograms
             WHERE window_start >= (SELECT max(window_start) - interval '15 minutes' FROM aggregate_histograms)
             ORDER BY random() LIMIT 320) AS h
  )
  SELECT p.window_start, p.metric_name, p.dimensions, p.relative_accuracy,
         (SELECT jsonb_build_object('relativeAccuracy', p.relative_accuracy, 'zeroCount', 0,
                                    'bins', jsonb_object_agg(k, 1))
            FROM (SELECT k FROM jsonb_object_keys(p.sketch -> 'bins') AS k ORDER BY random() LIMIT 2) AS b)
    FROM picked p
  UNION ALL
  SELECT p.window_start, p.metric_name, jsonb_set(p.dimensions, '{merchant_id}', to_jsonb('new-' || tag || '-' || p.n)),
         p.relative_accuracy,
         jsonb_build_object('relativeAccuracy', p.relative_accuracy, 'zeroCount', 0,
                            'bins', jsonb_build_object((400 + p.n % 50)::text, 1))
    FROM picked p WHERE p.n <= 80
$$;

-- The batch under test, as the writer sends it: text arrays.
CREATE TEMP TABLE test_batch AS
SELECT array_agg(window_start::text ORDER BY window_start, metric_name, dimensions) AS w,
       array_agg(metric_name ORDER BY window_start, metric_name, dimensions) AS name,
       array_agg(dimensions::text ORDER BY window_start, metric_name, dimensions) AS dims,
       array_agg(relative_accuracy::text ORDER BY window_start, metric_name, dimensions) AS acc,
       array_agg(sketch::text ORDER BY window_start, metric_name, dimensions) AS sk,
       array_agg((SELECT string_agg(k, ',' ORDER BY k::int) FROM jsonb_object_keys(sketch -> 'bins') AS k)
                 ORDER BY window_start, metric_name, dimensions) AS bin_index,
       array_agg((SELECT string_agg(sketch -> 'bins' ->> k, ',' ORDER BY k::int) FROM jsonb_object_keys(sketch -> 'bins') AS k)
                 ORDER BY window_start, metric_name, dimensions) AS bin_count
  FROM pg_temp.draw_batch('test');

-- The same rows with the sketch as two arrays, sorted by bin index, and the same rollup marks.
CREATE TABLE histograms_as_arrays (
  window_start timestamptz NOT NULL, metric_name text NOT NULL, dimensions jsonb NOT NULL,
  relative_accuracy double precision NOT NULL, count bigint NOT NULL, sum numeric NOT NULL,
  min double precision NOT NULL, max double precision NOT NULL,
  zero_count bigint NOT NULL, bin_index integer[] NOT NULL, bin_count bigint[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (window_start, metric_name, dimensions)
) WITH (fillfactor = 70);
INSERT INTO histograms_as_arrays
SELECT window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max,
       (sketch ->> 'zeroCount')::bigint,
       coalesce((SELECT array_agg(k::int ORDER BY k::int) FROM jsonb_object_keys(sketch -> 'bins') AS k), '{}'),
       coalesce((SELECT array_agg((sketch -> 'bins' ->> k)::bigint ORDER BY k::int) FROM jsonb_object_keys(sketch -> 'bins') AS k), '{}'),
       updated_at
  FROM aggregate_histograms;
CREATE TRIGGER histograms_as_arrays_mark_insert AFTER INSERT ON histograms_as_arrays
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();
CREATE TRIGGER histograms_as_arrays_mark_update AFTER UPDATE ON histograms_as_arrays
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION paymetrics_mark_rollup_pending();

-- Append-only partial rows: no key, so no conflict check; a compaction merges them later.
CREATE TABLE histogram_partials (
  window_start timestamptz NOT NULL, metric_name text NOT NULL, dimensions jsonb NOT NULL,
  relative_accuracy double precision NOT NULL, count bigint NOT NULL, sum numeric NOT NULL,
  min double precision NOT NULL, max double precision NOT NULL, sketch jsonb NOT NULL
);
VACUUM ANALYZE histograms_as_arrays;
VACUUM ANALYZE aggregate_histograms;

CREATE TEMP TABLE timings (id serial, variant text, pass integer, ms double precision);

DO $$
DECLARE
  batch_rows constant text := $q$
    SELECT t.w::timestamptz AS w, t.name, t.dims::jsonb AS dims, t.acc::float8 AS acc, 2::bigint AS n,
           100::numeric AS s, 10::float8 AS lo, 90::float8 AS hi, t.sk::jsonb AS sk,
           string_to_array(t.bin_index, ',')::int[] AS bin_index,
           string_to_array(t.bin_count, ',')::bigint[] AS bin_count
      FROM test_batch b, unnest(b.w, b.name, b.dims, b.acc, b.sk, b.bin_index, b.bin_count)
        AS t(w, name, dims, acc, sk, bin_index, bin_count)$q$;
  measures constant text := $q$
    count = h.count + EXCLUDED.count, sum = h.sum + EXCLUDED.sum,
    min = LEAST(h.min, EXCLUDED.min), max = GREATEST(h.max, EXCLUDED.max), updated_at = now()$q$;
  -- Today's merge, as in packages/storage-adapters/src/sql/batch-writer.ts (without its check
  -- that both sketches have the same accuracy: they do here).
  jsonb_merge constant text := $q$
    sketch = jsonb_build_object(
      'relativeAccuracy', h.sketch -> 'relativeAccuracy',
      'zeroCount', (h.sketch ->> 'zeroCount')::bigint + (EXCLUDED.sketch ->> 'zeroCount')::bigint,
      'bins', coalesce(h.sketch -> 'bins', '{}'::jsonb) || coalesce(
        (SELECT jsonb_object_agg(key, value::bigint + coalesce((h.sketch -> 'bins' ->> key)::bigint, 0))
           FROM jsonb_each_text(EXCLUDED.sketch -> 'bins')), '{}'::jsonb))$q$;
  array_merge constant text := $q$
    zero_count = h.zero_count + EXCLUDED.zero_count,
    (bin_index, bin_count) = (
      SELECT array_agg(i ORDER BY i), array_agg(c ORDER BY i)
        FROM (SELECT i, sum(c)::bigint AS c
                FROM unnest(h.bin_index || EXCLUDED.bin_index, h.bin_count || EXCLUDED.bin_count) AS u(i, c)
               GROUP BY i) AS merged)$q$;
  jsonb_upsert constant text :=
    'INSERT INTO aggregate_histograms AS h (window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch) '
    || 'SELECT w, name, dims, acc, n, s, lo, hi, sk FROM (' || batch_rows || ') AS r '
    || 'ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET ';
  array_upsert constant text :=
    'INSERT INTO histograms_as_arrays AS h (window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, zero_count, bin_index, bin_count) '
    || 'SELECT w, name, dims, acc, n, s, lo, hi, 0, bin_index, bin_count FROM (' || batch_rows || ') AS r '
    || 'ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET ';
  append_partials constant text :=
    'INSERT INTO histogram_partials SELECT w, name, dims, acc, n, s, lo, hi, sk FROM (' || batch_rows || ') AS r';
  -- Folds every partial into the keyed table in one statement: bins summed per key, then merged
  -- into the stored sketch as the upsert does.
  compact constant text :=
    'WITH bins AS (SELECT p.window_start, p.metric_name, p.dimensions, b.key, sum(b.value::bigint) AS n '
    || '  FROM histogram_partials p, jsonb_each_text(p.sketch -> ''bins'') AS b GROUP BY 1, 2, 3, 4), '
    || 'sketches AS (SELECT window_start, metric_name, dimensions, jsonb_object_agg(key, n) AS bins FROM bins GROUP BY 1, 2, 3), '
    || 'totals AS (SELECT window_start, metric_name, dimensions, min(relative_accuracy) AS acc, sum(count) AS n, '
    || '  sum(sum) AS s, min(min) AS lo, max(max) AS hi, sum((sketch ->> ''zeroCount'')::bigint) AS z '
    || '  FROM histogram_partials GROUP BY 1, 2, 3) '
    || 'INSERT INTO aggregate_histograms AS h (window_start, metric_name, dimensions, relative_accuracy, count, sum, min, max, sketch) '
    || 'SELECT t.window_start, t.metric_name, t.dimensions, t.acc, t.n, t.s, t.lo, t.hi, '
    || '  jsonb_build_object(''relativeAccuracy'', t.acc, ''zeroCount'', t.z, ''bins'', coalesce(s.bins, ''{}'')) '
    || '  FROM totals t LEFT JOIN sketches s USING (window_start, metric_name, dimensions) ORDER BY 1, 2, 3 '
    || 'ON CONFLICT (window_start, metric_name, dimensions) DO UPDATE SET ';
  variants text[] := ARRAY[
    'jsonb, merged (today)', 'jsonb, overwritten (floor)', 'arrays, merged', 'arrays, overwritten (floor)',
    'append-only partials'];
  statements text[];
  started timestamptz;
  elapsed double precision;
BEGIN
  statements := ARRAY[
    jsonb_upsert || measures || ', ' || jsonb_merge,
    jsonb_upsert || measures || ', sketch = EXCLUDED.sketch',
    array_upsert || measures || ', ' || array_merge,
    array_upsert || measures || ', zero_count = EXCLUDED.zero_count, bin_index = EXCLUDED.bin_index, bin_count = EXCLUDED.bin_count',
    append_partials];
  -- 100 batches' partials for the compaction to fold, each drawn as the test batch was, so keys
  -- repeat across batches about as they do in a realistic stream. The append-only variant adds
  -- its own rows.
  FOR i IN 1..100 LOOP
    INSERT INTO histogram_partials
    SELECT d.window_start, d.metric_name, d.dimensions, d.relative_accuracy, 2, 100, 10, 90, d.sketch
      FROM pg_temp.draw_batch(i::text) AS d;
  END LOOP;
  ANALYZE histogram_partials;
  statements := statements || (compact || measures || ', ' || jsonb_merge);
  variants := variants || 'compacting 100 batches of partials'::text;
  -- Interleaved passes, each variant undone; pass 0 warms the caches and is not counted.
  FOR pass IN 0..10 LOOP
    FOR v IN 1..cardinality(statements) LOOP
      BEGIN
        started := clock_timestamp();
        EXECUTE statements[v];
        elapsed := extract(epoch FROM clock_timestamp() - started) * 1000;
        RAISE EXCEPTION 'undo' USING ERRCODE = 'P0001';
      EXCEPTION WHEN raise_exception THEN
        IF pass > 0 THEN
          INSERT INTO timings (variant, pass, ms) VALUES (variants[v], pass, elapsed);
        END IF;
      END;
    END LOOP;
  END LOOP;
END;
$$;

SELECT variant,
       round(min(ms)::numeric, 1) AS min_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms,
       count(*) AS passes
  FROM timings GROUP BY variant ORDER BY min(id);

DROP TABLE histograms_as_arrays;
DROP TABLE histogram_partials;
