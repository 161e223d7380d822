-- What anomaly detection (pnpm detect, the Function's timer) and segmentation (pnpm segment) record.

-- Per partition, the latest event time committed from it: a window is closed once every active
-- partition's watermark has passed its end plus the allowed lateness (packages/analytics).
ALTER TABLE source_positions ADD COLUMN event_time_watermark timestamptz;
COMMENT ON COLUMN source_positions.event_time_watermark IS
  'Latest event time (occurredAt) committed from this partition; with updated_at it tells detection which windows are closed.';

CREATE TABLE metric_anomalies (
  id           bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  metric       text             NOT NULL,
  scope        jsonb            NOT NULL,
  window_start timestamptz      NOT NULL,
  window_end   timestamptz      NOT NULL,
  observed     double precision NOT NULL,
  expected     double precision NOT NULL,
  score        double precision NOT NULL,
  severity     text             NOT NULL CHECK (severity IN ('warning', 'critical')),
  detector     text             NOT NULL,
  detected_at  timestamptz      NOT NULL DEFAULT now(),
  status       text             NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  details      jsonb            NOT NULL DEFAULT '{}'::jsonb,
  updated_at   timestamptz      NOT NULL DEFAULT now(),
  UNIQUE (metric, scope, window_start),
  CHECK (window_end > window_start)
);

CREATE INDEX metric_anomalies_recent ON metric_anomalies (window_end DESC);
CREATE INDEX metric_anomalies_open ON metric_anomalies (metric) WHERE status = 'open';

COMMENT ON TABLE metric_anomalies IS
  'Anomalies found by detection over closed 5-minute windows: one row per metric and scope per run of consecutive anomalous windows (window_start = start of the first, window_end = end of the last). scope is a jsonb object with sorted keys: {"merchant_id": ..}, {"country": ..}, {"region": ..}, {"card_brand": ..}, {"payment_method": ..} or {} for all traffic; metric decline_code_share carries the code in details.';
COMMENT ON COLUMN metric_anomalies.observed IS 'The metric over the anomalous windows (a rate, a share, milliseconds or transactions per window).';
COMMENT ON COLUMN metric_anomalies.expected IS 'The baseline the observation was tested against.';
COMMENT ON COLUMN metric_anomalies.score IS 'Strength of the evidence: -log10 of the smallest adjusted p-value of the run (approval, decline codes, volume) or the ratio to the baseline (latency).';
COMMENT ON COLUMN metric_anomalies.status IS 'open while the scope''s latest examined window is anomalous; resolved once a later examined window is normal.';

-- Which windows detection has examined and what they held then: a window whose count or last
-- update changed since (a late batch) is examined again; otherwise a rerun skips it.
CREATE TABLE analytics_examined_windows (
  window_start   timestamptz NOT NULL PRIMARY KEY,
  txn_count      bigint      NOT NULL,
  last_update_at timestamptz,
  examined_at    timestamptz NOT NULL DEFAULT now(),
  anomalous      integer     NOT NULL DEFAULT 0
);

COMMENT ON TABLE analytics_examined_windows IS
  'Closed 5-minute windows examined by anomaly detection, with the transaction count and latest row update they had then.';

CREATE TABLE merchant_segments (
  as_of       date             NOT NULL,
  merchant_id text             NOT NULL,
  segment     text             NOT NULL,
  distance    double precision NOT NULL,
  features    jsonb            NOT NULL,
  PRIMARY KEY (as_of, merchant_id)
);

CREATE INDEX merchant_segments_segment ON merchant_segments (as_of, segment);

COMMENT ON TABLE merchant_segments IS
  'Merchant segments per day (pnpm segment): a readable label named from the segment''s centroid and kept stable from day to day, the distance to that centroid in standardised feature space, and the features the merchant was clustered on.';

-- The centroids of each day's segmentation, so the next day's clusters can be matched to them.
CREATE TABLE merchant_segment_centroids (
  as_of    date    NOT NULL,
  segment  text    NOT NULL,
  size     integer NOT NULL,
  centroid jsonb   NOT NULL,
  PRIMARY KEY (as_of, segment)
);

COMMENT ON TABLE merchant_segment_centroids IS
  'Per day and segment: the centroid in original feature units and the number of merchants; the next day''s segmentation matches its clusters to these.';

ALTER TABLE metric_anomalies OWNER TO paymetrics_owner;
ALTER TABLE analytics_examined_windows OWNER TO paymetrics_owner;
ALTER TABLE merchant_segments OWNER TO paymetrics_owner;
ALTER TABLE merchant_segment_centroids OWNER TO paymetrics_owner;

REVOKE ALL ON metric_anomalies, analytics_examined_windows, merchant_segments, merchant_segment_centroids FROM PUBLIC;
-- Detection and segmentation run as the writer (the Function's identity, the ops commands).
GRANT SELECT, INSERT, UPDATE ON metric_anomalies, analytics_examined_windows TO paymetrics_writer;
-- Segmenting a day again replaces that day's rows.
GRANT SELECT, INSERT, UPDATE, DELETE ON merchant_segments, merchant_segment_centroids TO paymetrics_writer;
GRANT SELECT ON metric_anomalies, analytics_examined_windows, merchant_segments, merchant_segment_centroids
  TO paymetrics_reader;
