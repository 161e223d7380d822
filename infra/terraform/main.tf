# The paymetrics estate for one environment: Event Hubs -> Function App (Flex Consumption) ->
# PostgreSQL, the raw archive in Blob Storage, Application Insights with alerts and a workbook.
# Every connection is identity-based; no password, key or connection string is stored.

data "azurerm_client_config" "current" {}

locals {
  name = "${var.name_prefix}-${var.environment}"
  # Globally unique names get a suffix that is stable for a subscription and environment.
  suffix = substr(sha1("${var.subscription_id}/${local.name}"), 0, 6)
  # Storage account names: 3-24 lower-case letters and digits.
  compact_name = substr(replace(lower(local.name), "/[^a-z0-9]/", ""), 0, 14)

  tags = merge({ application = "paymetrics", environment = var.environment }, var.tags)
}

resource "azurerm_resource_group" "this" {
  name     = "${local.name}-rg"
  location = var.location
  tags     = local.tags
}

module "network" {
  source = "./modules/network"
  count  = var.network_mode == "private" ? 1 : 0

  name                = "${local.name}-vnet"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  address_space       = var.vnet_address_space
  tags                = local.tags
}

module "event_hubs" {
  source = "./modules/event-hubs"

  namespace_name               = "${local.name}-${local.suffix}"
  resource_group_name          = azurerm_resource_group.this.name
  location                     = var.location
  sku                          = var.eventhub_sku
  capacity                     = var.eventhub_capacity
  auto_inflate_enabled         = var.eventhub_auto_inflate_enabled
  maximum_throughput_units     = var.eventhub_maximum_throughput_units
  local_authentication_enabled = var.eventhub_local_authentication_enabled
  hub_name                     = var.eventhub_name
  partition_count              = var.eventhub_partition_count
  message_retention_days       = var.eventhub_message_retention_days
  consumer_group_name          = "paymetrics-function"
  tags                         = local.tags
}

module "storage" {
  source = "./modules/storage"

  resource_group_name          = azurerm_resource_group.this.name
  location                     = var.location
  host_account_name            = "${local.compact_name}fn${local.suffix}"
  deployment_container_name    = "function-deployment"
  archive_account_name         = "${local.compact_name}ar${local.suffix}"
  archive_container_name       = "paymetrics-archive"
  archive_replication_type     = var.archive_replication_type
  archive_retention_days       = var.archive_retention_days
  archive_tier_to_cool_enabled = var.archive_tier_to_cool_enabled
  tags                         = local.tags
}

module "postgres" {
  source = "./modules/postgres"

  server_name                  = "${local.name}-${local.suffix}"
  resource_group_name          = azurerm_resource_group.this.name
  location                     = var.location
  tenant_id                    = data.azurerm_client_config.current.tenant_id
  postgres_version             = var.postgres_version
  sku_name                     = var.postgres_sku_name
  storage_mb                   = var.postgres_storage_mb
  storage_tier                 = var.postgres_storage_tier
  zone                         = var.postgres_zone
  high_availability_mode       = var.postgres_high_availability_mode
  backup_retention_days        = var.postgres_backup_retention_days
  geo_redundant_backup_enabled = var.postgres_geo_redundant_backup_enabled
  administrator                = var.postgres_administrator
  database_name                = var.postgres_database_name
  server_parameters            = var.postgres_server_parameters
  delegated_subnet_id          = var.network_mode == "private" ? module.network[0].postgres_subnet_id : null
  private_dns_zone_id          = var.network_mode == "private" ? module.network[0].postgres_private_dns_zone_id : null
  firewall_rules = merge(
    var.postgres_allow_azure_services ? {
      # 0.0.0.0 is Azure's notation for "connections from Azure services": Flex Consumption has no
      # fixed outbound addresses. Only Entra principals with a database role can log in.
      AllowAllAzureServicesAndResourcesWithinAzureIps = { start_ip_address = "0.0.0.0", end_ip_address = "0.0.0.0" }
    } : {},
    var.postgres_firewall_rules,
  )
  tags = local.tags
}

module "monitoring" {
  source = "./modules/monitoring"

  name                = local.name
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  log_retention_days  = var.log_retention_days
  log_daily_quota_gb  = var.log_daily_quota_gb
  alert_emails        = var.alert_emails
  alerts              = var.alerts
  tags                = local.tags
}

module "function_app" {
  source = "./modules/function-app"

  app_name               = "${local.name}-${local.suffix}"
  resource_group_name    = azurerm_resource_group.this.name
  location               = var.location
  node_version           = var.function_node_version
  maximum_instance_count = var.function_maximum_instance_count
  instance_memory_in_mb  = var.function_instance_memory_in_mb
  identity = {
    id        = azurerm_user_assigned_identity.function.id
    client_id = azurerm_user_assigned_identity.function.client_id
    name      = azurerm_user_assigned_identity.function.name
  }
  host_storage_account_name              = module.storage.host_account_name
  deployment_container_endpoint          = module.storage.deployment_container_endpoint
  eventhub_fully_qualified_namespace     = module.event_hubs.fully_qualified_namespace
  eventhub_name                          = module.event_hubs.hub_name
  eventhub_consumer_group                = module.event_hubs.consumer_group_name
  archive_account_url                    = module.storage.archive_account_url
  archive_container_name                 = module.storage.archive_container_name
  postgres_fqdn                          = module.postgres.fqdn
  postgres_database_name                 = module.postgres.database_name
  pg_pool_max                            = var.function_pg_pool_max
  application_insights_connection_string = module.monitoring.application_insights_connection_string
  subnet_id                              = var.network_mode == "private" ? module.network[0].function_subnet_id : null
  tags                                   = local.tags

  # The host reads its storage and the hub as soon as it starts: grant first.
  depends_on = [
    azurerm_role_assignment.function_host_storage,
    azurerm_role_assignment.function_eventhub_receiver,
    azurerm_role_assignment.function_archive,
  ]
}
