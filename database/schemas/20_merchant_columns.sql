-- A merchant column on every metric row that belongs to one merchant, the cheap first step
-- towards distributing the metric tables by merchant_id (Azure Database for PostgreSQL elastic
-- clusters / Citus; docs/performance.md, "Scaling beyond one machine"). A distribution column
-- must be a plain column of every row: rule and histogram rows carry the merchant inside
-- `dimensions`, so it is copied out here. Rows without a merchant (a rule by country, say) get
-- '' and would all live on one shard, as a small "global" group.
-- Generated columns fill existing rows when added (the table is rewritten once) and every
-- write after, so no code writes them.
ALTER TABLE dynamic_metrics
  ADD COLUMN merchant_id text GENERATED ALWAYS AS (coalesce(dimensions ->> 'merchant_id', '')) STORED;
ALTER TABLE aggregate_histograms
  ADD COLUMN merchant_id text GENERATED ALWAYS AS (coalesce(dimensions ->> 'merchant_id', '')) STORED;

COMMENT ON COLUMN dynamic_metrics.merchant_id IS
  'dimensions ->> ''merchant_id'', or '''' for rows of rules without a merchant dimension: the future distribution column.';
COMMENT ON COLUMN aggregate_histograms.merchant_id IS
  'dimensions ->> ''merchant_id'', or '''' for histograms without a merchant dimension: the future distribution column.';
