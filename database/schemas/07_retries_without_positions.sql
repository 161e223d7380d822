-- A dead-letter retry no longer commits a source position of its own (`retry:<source>`, one row
-- per retried item, kept forever). The retry resolves its failed item in the same transaction
-- that counts the event, and records there whether it was counted or was a duplicate: the item's
-- row makes a repeated retry change nothing, and reconcile adds the counted ones to the totals.
ALTER TABLE failed_items ADD COLUMN IF NOT EXISTS resolution text
  CHECK (resolution IN ('counted', 'duplicate'));

COMMENT ON COLUMN failed_items.resolution IS
  'How a retry resolved the item: counted (its metrics were added then) or duplicate (its eventId was counted before); null otherwise.';

-- What the retry positions recorded moves to their items (an item whose retry committed but was
-- never marked resolved is resolved now), then the positions go.
UPDATE failed_items f
   SET resolution = CASE WHEN p.events_counted > 0 THEN 'counted' ELSE 'duplicate' END,
       status = 'resolved',
       resolved_at = coalesce(f.resolved_at, p.updated_at),
       next_attempt_at = NULL
  FROM source_positions p
 WHERE p.source = 'retry:' || f.source
   AND p.partition_id = f.partition_id || '@' || f.sequence_number
   AND p.batches_committed > 0
   AND f.status <> 'discarded';

DELETE FROM source_positions WHERE source LIKE 'retry:%';
