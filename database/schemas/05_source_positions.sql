-- Exactly-once bookkeeping: committed source positions and the eventIds already counted.
CREATE TABLE source_positions (
  source               text        NOT NULL,
  partition_id         text        NOT NULL,
  first_sequence       bigint      NOT NULL,
  last_sequence        bigint      NOT NULL,
  events_received      bigint      NOT NULL DEFAULT 0,
  events_counted       bigint      NOT NULL DEFAULT 0,
  events_dead_lettered bigint      NOT NULL DEFAULT 0,
  events_duplicate     bigint      NOT NULL DEFAULT 0,
  batches_committed    bigint      NOT NULL DEFAULT 0,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, partition_id),
  CHECK (events_received = events_counted + events_dead_lettered + events_duplicate)
);

COMMENT ON TABLE source_positions IS
  'Highest committed sequence number per source (event hub or file content hash) and partition, written in the same transaction as the batch''s metrics. Positions at or below last_sequence are never counted again. The counters hold the conservation law per partition: received = counted + dead-lettered + duplicates.';

CREATE TABLE processed_events (
  event_id     uuid        NOT NULL PRIMARY KEY,
  window_start timestamptz NOT NULL
);

-- Old ids are pruned by window: events older than the lateness bound are refused anyway.
CREATE INDEX processed_events_window ON processed_events USING brin (window_start);

COMMENT ON TABLE processed_events IS
  'eventIds already counted, so a producer''s repeated event is counted once. Rows older than the lateness bound (7 days by default) may be deleted: such events are dead-lettered as too_late before this table is consulted.';
