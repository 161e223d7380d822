# The Function's user-assigned identity and everything it may do. User-assigned rather than
# system-assigned: it exists before the app, so the grants are in place when the host first starts
# (the deployment container is read at creation), and its name is the PostgreSQL role's name.

resource "azurerm_user_assigned_identity" "function" {
  name                = "${local.name}-function"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_role_assignment" "function_eventhub_receiver" {
  scope                = module.event_hubs.hub_id
  role_definition_name = "Azure Event Hubs Data Receiver"
  principal_id         = azurerm_user_assigned_identity.function.principal_id
  principal_type       = "ServicePrincipal"
}

# Checkpoints and partition leases are blobs the host creates, leases and deletes: Owner, on the
# host's own account only. The deployment package is read from the same account.
resource "azurerm_role_assignment" "function_host_storage" {
  scope                = module.storage.host_account_id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.function.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "function_archive" {
  scope                = module.storage.archive_account_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.function.principal_id
  principal_type       = "ServicePrincipal"
}

# Producers (the simulator, payment services) publish with their own identities.
resource "azurerm_role_assignment" "eventhub_sender" {
  for_each             = toset(var.eventhub_sender_principal_ids)
  scope                = module.event_hubs.hub_id
  role_definition_name = "Azure Event Hubs Data Sender"
  principal_id         = each.value
}

# PostgreSQL: the identity's database role (a member of paymetrics_writer) is created by the
# deploy workflow with infra/sql/function-role.sql, as the Entra administrator, after
# `pnpm migrate`. Terraform cannot do it without a provisioner or a PostgreSQL provider that
# would need network access to the server from wherever `terraform apply` runs.
