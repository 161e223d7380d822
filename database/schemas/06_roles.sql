-- Least-privilege roles. They are group roles (NOLOGIN): an administrator creates login users
-- and makes them members, e.g.
--   CREATE ROLE payments_function LOGIN PASSWORD '...' IN ROLE paymetrics_writer;
--   CREATE ROLE grafana LOGIN PASSWORD '...' IN ROLE paymetrics_reader;
-- Roles belong to the whole cluster, so they are created only when missing; privileges are
-- granted per database, here.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'paymetrics_owner') THEN
    CREATE ROLE paymetrics_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'paymetrics_writer') THEN
    CREATE ROLE paymetrics_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'paymetrics_reader') THEN
    CREATE ROLE paymetrics_reader NOLOGIN;
  END IF;
END;
$$;

COMMENT ON ROLE paymetrics_owner IS 'paymetrics: owns the schema and runs migrations (pnpm migrate).';
COMMENT ON ROLE paymetrics_writer IS 'paymetrics: the pipeline (Azure Function, local runner): inserts and updates metrics, failed items and positions; cannot delete, truncate or change the schema.';
COMMENT ON ROLE paymetrics_reader IS 'paymetrics: dashboards and reports: read only.';

-- The migrator keeps running migrations as a member of the owner role.
GRANT paymetrics_owner TO CURRENT_USER;
ALTER TABLE payment_metrics_5m OWNER TO paymetrics_owner;
ALTER TABLE dynamic_metrics OWNER TO paymetrics_owner;
ALTER TABLE aggregate_histograms OWNER TO paymetrics_owner;
ALTER TABLE failed_items OWNER TO paymetrics_owner;
ALTER TABLE source_positions OWNER TO paymetrics_owner;
ALTER TABLE processed_events OWNER TO paymetrics_owner;
ALTER FUNCTION paymetrics_merge_sketches(jsonb, jsonb) OWNER TO paymetrics_owner;

REVOKE ALL ON payment_metrics_5m, dynamic_metrics, aggregate_histograms, failed_items, source_positions,
  processed_events FROM PUBLIC;

-- SELECT is needed by upserts (ON CONFLICT ... DO UPDATE reads the row) and RETURNING.
GRANT SELECT, INSERT, UPDATE ON payment_metrics_5m, dynamic_metrics, aggregate_histograms, failed_items,
  source_positions TO paymetrics_writer;
GRANT SELECT, INSERT ON processed_events TO paymetrics_writer;
GRANT EXECUTE ON FUNCTION paymetrics_merge_sketches(jsonb, jsonb) TO paymetrics_writer;

GRANT SELECT ON payment_metrics_5m, dynamic_metrics, aggregate_histograms, failed_items, source_positions
  TO paymetrics_reader;

-- kysely's bookkeeping tables exist when the schema is applied by `pnpm migrate`.
DO $$
BEGIN
  IF to_regclass('kysely_migration') IS NOT NULL THEN
    ALTER TABLE kysely_migration OWNER TO paymetrics_owner;
  END IF;
  IF to_regclass('kysely_migration_lock') IS NOT NULL THEN
    ALTER TABLE kysely_migration_lock OWNER TO paymetrics_owner;
  END IF;
END;
$$;
