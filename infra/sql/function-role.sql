-- The Function's database role: its Entra identity, a member of paymetrics_writer (created by
-- `pnpm migrate`, database/schemas/06_roles.sql). Run by the deploy workflow after the migration,
-- as the server's Entra administrator, connected to the `postgres` database (Azure's
-- pgaadauth_* functions live there; roles and memberships belong to the whole server):
--
--   psql "host=<server>.postgres.database.azure.com dbname=postgres user=<administrator> sslmode=require" \
--     -v ON_ERROR_STOP=1 -v identity_name=<identity name> -v identity_object_id=<object id> \
--     -f infra/sql/function-role.sql
--
-- with PGPASSWORD set to an Entra token (az account get-access-token --resource-type oss-rdbms).
-- Running it again changes nothing.

-- A second run's "already a member" notice is not news.
SET client_min_messages = warning;

SELECT pgaadauth_create_principal_with_oid(:'identity_name', :'identity_object_id', 'service', false, false)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'identity_name');

GRANT paymetrics_writer TO :"identity_name";
