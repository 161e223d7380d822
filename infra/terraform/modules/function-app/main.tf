# The Function App on Flex Consumption (Linux, Node 22). Every connection is identity-based: the
# app's user-assigned identity reads Event Hubs, writes the archive, keeps the host's checkpoints
# and logs in to PostgreSQL with an Entra token. No connection string or key is stored anywhere.

resource "azurerm_service_plan" "this" {
  name                = "${var.app_name}-plan"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = var.tags
}

locals {
  identity_settings = {
    credential = "managedidentity"
    clientId   = var.identity.client_id
  }

  app_settings = {
    # Host storage (checkpoints, leases, timer locks) by identity.
    AzureWebJobsStorage__accountName = var.host_storage_account_name
    AzureWebJobsStorage__credential  = local.identity_settings.credential
    AzureWebJobsStorage__clientId    = local.identity_settings.clientId

    # The trigger's `connection: 'EVENTHUB_CONNECTION'` resolves these (identity-based connection).
    EVENTHUB_CONNECTION__fullyQualifiedNamespace = var.eventhub_fully_qualified_namespace
    EVENTHUB_CONNECTION__credential              = local.identity_settings.credential
    EVENTHUB_CONNECTION__clientId                = local.identity_settings.clientId
    EVENTHUB_FULLY_QUALIFIED_NAMESPACE           = var.eventhub_fully_qualified_namespace
    EVENTHUB_NAME                                = var.eventhub_name
    EVENTHUB_CONSUMER_GROUP                      = var.eventhub_consumer_group

    # Raw archive by account URL; DefaultAzureCredential picks the identity named by AZURE_CLIENT_ID.
    AZURE_STORAGE_ACCOUNT_URL    = var.archive_account_url
    PAYMETRICS_ARCHIVE_CONTAINER = var.archive_container_name
    AZURE_CLIENT_ID              = var.identity.client_id

    # PostgreSQL: the user is the identity's database role; no password: the pool asks Entra ID
    # for a token (PAYMETRICS_DATABASE_AUTH=entra).
    DATABASE_URL             = "postgres://${urlencode(var.identity.name)}@${var.postgres_fqdn}:5432/${var.postgres_database_name}?sslmode=require"
    PAYMETRICS_DATABASE_AUTH = "entra"
    PAYMETRICS_PG_POOL_MAX   = tostring(var.pg_pool_max)

    # Stack traces point at the TypeScript sources of the bundle; a small young generation and a
    # capped old one that grows 1.5x its live set between full GCs keep peak memory and GC time where
    # docs/performance.md measured them (the same flags as pnpm simulate).
    languageWorkers__node__arguments = "--enable-source-maps --max-semi-space-size=8 --max-old-space-size=192 --heap-growing-percent=50"
  }
}

resource "azurerm_function_app_flex_consumption" "this" {
  name                = var.app_name
  resource_group_name = var.resource_group_name
  location            = var.location
  service_plan_id     = azurerm_service_plan.this.id

  runtime_name           = "node"
  runtime_version        = var.node_version
  maximum_instance_count = var.maximum_instance_count
  instance_memory_in_mb  = var.instance_memory_in_mb

  # The deployment package (the zip of `pnpm --filter @paymetrics/function package`) lives here.
  storage_container_type            = "blobContainer"
  storage_container_endpoint        = var.deployment_container_endpoint
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = var.identity.id

  identity {
    type         = "UserAssigned"
    identity_ids = [var.identity.id]
  }

  virtual_network_subnet_id = var.subnet_id

  # Publishing uses Entra ID (azure/login + Azure/functions-action), not basic-auth credentials.
  webdeploy_publish_basic_authentication_enabled = false

  app_settings = local.app_settings

  site_config {
    application_insights_connection_string = var.application_insights_connection_string
    minimum_tls_version                    = "1.2"
  }

  tags = var.tags
}
