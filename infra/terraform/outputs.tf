output "resource_group_name" {
  description = "Resource group of the environment."
  value       = azurerm_resource_group.this.name
}

output "function_app_name" {
  description = "Function App name (Azure/functions-action app-name)."
  value       = module.function_app.name
}

output "function_app_hostname" {
  description = "Host name of the Function App."
  value       = module.function_app.default_hostname
}

output "function_identity_name" {
  description = "Name of the Function's identity: also its PostgreSQL role name (infra/sql/function-role.sql)."
  value       = azurerm_user_assigned_identity.function.name
}

output "function_identity_principal_id" {
  description = "Object ID of the Function's identity (pgaadauth_create_principal_with_oid)."
  value       = azurerm_user_assigned_identity.function.principal_id
}

output "function_identity_client_id" {
  description = "Client ID of the Function's identity (AZURE_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.function.client_id
}

output "eventhub_fully_qualified_namespace" {
  description = "Event Hubs namespace host name for producers (EVENTHUB_FULLY_QUALIFIED_NAMESPACE)."
  value       = module.event_hubs.fully_qualified_namespace
}

output "eventhub_name" {
  description = "Event hub name for producers (EVENTHUB_NAME)."
  value       = module.event_hubs.hub_name
}

output "archive_account_url" {
  description = "Blob endpoint of the raw archive (AZURE_STORAGE_ACCOUNT_URL)."
  value       = module.storage.archive_account_url
}

output "postgres_server_name" {
  description = "PostgreSQL server name (firewall rules, restores)."
  value       = module.postgres.server_name
}

output "postgres_fqdn" {
  description = "PostgreSQL host name."
  value       = module.postgres.fqdn
}

output "postgres_administrator_name" {
  description = "PostgreSQL user name of the Entra administrator (the deploy principal): the user `pnpm migrate` connects as."
  value       = var.postgres_administrator.principal_name
}

output "postgres_database_name" {
  description = "Name of the paymetrics database."
  value       = module.postgres.database_name
}

output "application_insights_connection_string" {
  description = "Application Insights connection string, for a local runner that should report to this environment."
  value       = module.monitoring.application_insights_connection_string
  sensitive   = true
}

output "alert_rule_ids" {
  description = "Resource IDs of the five alert rules."
  value       = module.monitoring.alert_rule_ids
}

output "workbook_id" {
  description = "Resource ID of the pipeline workbook."
  value       = module.monitoring.workbook_id
}
