-- The dead-letter table: every event that could not be counted, with the reason.
CREATE TABLE failed_items (
  id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  failed_at        timestamptz NOT NULL DEFAULT now(),
  stage            text        NOT NULL,
  error_code       text        NOT NULL,
  error_message    text        NOT NULL,
  payload          text,
  payload_encoding text        NOT NULL DEFAULT 'utf8' CHECK (payload_encoding IN ('utf8', 'base64')),
  payload_bytes    integer     NOT NULL,
  payload_ref      text,
  source           text        NOT NULL,
  partition_id     text        NOT NULL,
  sequence_number  bigint      NOT NULL,
  event_id         text,
  attempts         integer     NOT NULL DEFAULT 0,
  status           text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'retrying', 'resolved', 'discarded')),
  next_attempt_at  timestamptz,
  resolved_at      timestamptz,
  last_error       text,
  UNIQUE (source, partition_id, sequence_number),
  CHECK (payload IS NOT NULL OR payload_ref IS NOT NULL)
);

-- The retry timer's query: pending items whose next attempt is due, and claims whose lease ran out.
CREATE INDEX failed_items_due ON failed_items (next_attempt_at) WHERE status IN ('pending', 'retrying');
-- Operators list items by code and time.
CREATE INDEX failed_items_code_time ON failed_items (error_code, failed_at);

COMMENT ON TABLE failed_items IS
  'Dead-lettered events, one row per source position (a replayed batch parks nothing twice). payload is the body as received with PAN-like digit runs masked; base64 when the body was not valid UTF-8 text; in the archive (payload_ref) when larger than 64 KB.';
COMMENT ON COLUMN failed_items.stage IS 'decode, validate or bounds: where the event was rejected.';
COMMENT ON COLUMN failed_items.error_code IS 'Stable reason code, e.g. invalid_json, invalid_amount, too_late.';
COMMENT ON COLUMN failed_items.next_attempt_at IS 'When the retry timer may try the item again (for a retrying item: when its claim expires); null when retrying cannot help until someone acts.';
