# The event hub the producers publish to and the Function reads from, with a consumer group of the
# Function's own. No shared access policies: senders and the Function authenticate with Entra ID.

resource "azurerm_eventhub_namespace" "this" {
  name                          = var.namespace_name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  sku                           = var.sku
  capacity                      = var.capacity
  auto_inflate_enabled          = var.sku == "Standard" ? var.auto_inflate_enabled : false
  maximum_throughput_units      = var.sku == "Standard" && var.auto_inflate_enabled ? var.maximum_throughput_units : null
  local_authentication_enabled  = var.local_authentication_enabled
  public_network_access_enabled = true
  minimum_tls_version           = "1.2"
  tags                          = var.tags
}

resource "azurerm_eventhub" "payments" {
  name              = var.hub_name
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = var.partition_count
  message_retention = var.message_retention_days
}

resource "azurerm_eventhub_consumer_group" "function" {
  name                = var.consumer_group_name
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.payments.name
  resource_group_name = var.resource_group_name
  user_metadata       = "paymetrics Function App: its own checkpoints and partition leases"
}
