-- Metrics defined by rules (CEL condition, value and dimensions) at run time.
CREATE TABLE dynamic_metrics (
  window_start timestamptz      NOT NULL,
  metric_name  text             NOT NULL,
  dimensions   jsonb            NOT NULL,
  value_count  bigint           NOT NULL,
  value_sum    double precision NOT NULL,
  value_min    double precision NOT NULL,
  value_max    double precision NOT NULL,
  updated_at   timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (window_start, metric_name, dimensions)
)
-- Rows are updated in place by every batch that touches their window: free space on each page
-- lets PostgreSQL update them without touching the indexes (HOT updates).
WITH (fillfactor = 70);

-- Queries go by window range first, which the primary key serves; no secondary index to maintain.

COMMENT ON TABLE dynamic_metrics IS
  'Rule-defined metrics per 5-minute window: one row per rule (metric_name) and distinct dimension values. dimensions is a jsonb object of string values; its keys are sorted.';
