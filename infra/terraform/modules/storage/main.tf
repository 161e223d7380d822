# Two accounts, so that each grant stays narrow: the Function host's account (its deployment
# package, Event Hubs checkpoints and leases, timer locks) and the raw archive (batches as
# received, failed payloads) with its lifecycle rule. Shared keys are off on both: every client
# authenticates with Entra ID.

resource "azurerm_storage_account" "host" {
  name                            = var.host_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
  allow_nested_items_to_be_public = false
  tags                            = var.tags
}

resource "azurerm_storage_container" "deployment" {
  name                  = var.deployment_container_name
  storage_account_id    = azurerm_storage_account.host.id
  container_access_type = "private"
}

resource "azurerm_storage_account" "archive" {
  name                            = var.archive_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = var.archive_replication_type
  access_tier                     = "Hot"
  min_tls_version                 = "TLS1_2"
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
  allow_nested_items_to_be_public = false
  tags                            = var.tags

  blob_properties {
    # A retry overwrites a batch's blob under the same name; soft delete keeps a deleted one a week.
    delete_retention_policy {
      days = 7
    }
  }
}

resource "azurerm_storage_container" "archive" {
  name                  = var.archive_container_name
  storage_account_id    = azurerm_storage_account.archive.id
  container_access_type = "private"
}

resource "azurerm_storage_management_policy" "archive" {
  storage_account_id = azurerm_storage_account.archive.id

  # Raw batches are read when someone replays or audits, rarely after the first month. The move to
  # cool is billed per blob: docs/deployment.md ("Cost") says when it costs more than it saves.
  rule {
    name    = "raw-to-cool-then-delete"
    enabled = true
    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.archive.name}/raw/"]
    }
    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = var.archive_tier_to_cool_enabled ? 30 : null
        delete_after_days_since_modification_greater_than       = var.archive_retention_days
      }
    }
  }

  # Failed payloads back `failed_items.payload_ref`: they go cool but are never deleted here, because
  # a pending item would lose its payload; `pnpm dlq` resolves or discards items first.
  rule {
    name    = "payloads-to-cool"
    enabled = var.archive_tier_to_cool_enabled
    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.archive.name}/payloads/"]
    }
    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = 30
      }
    }
  }
}
