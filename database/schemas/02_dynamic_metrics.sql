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
);

CREATE INDEX dynamic_metrics_metric_recent ON dynamic_metrics (metric_name, window_start DESC);

COMMENT ON TABLE dynamic_metrics IS
  'Rule-defined metrics per 5-minute window: one row per rule (metric_name) and distinct dimension values. dimensions is a jsonb object of string values; its keys are sorted.';
