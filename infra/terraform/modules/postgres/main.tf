# PostgreSQL Flexible Server with Microsoft Entra authentication only: no password exists. The
# deployer's identity is the Entra administrator (it runs `pnpm migrate`); the Function's identity
# gets a database role in the deploy workflow (infra/sql/function-role.sql).

resource "azurerm_postgresql_flexible_server" "this" {
  name                = var.server_name
  resource_group_name = var.resource_group_name
  location            = var.location
  version             = var.postgres_version
  sku_name            = var.sku_name
  storage_mb          = var.storage_mb
  storage_tier        = var.storage_tier
  auto_grow_enabled   = true
  zone                = var.zone

  backup_retention_days        = var.backup_retention_days
  geo_redundant_backup_enabled = var.geo_redundant_backup_enabled

  # Private access: the server lives in a delegated subnet and resolves through a private DNS zone.
  public_network_access_enabled = var.delegated_subnet_id == null
  delegated_subnet_id           = var.delegated_subnet_id
  private_dns_zone_id           = var.private_dns_zone_id

  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = false
    tenant_id                     = var.tenant_id
  }

  dynamic "high_availability" {
    for_each = var.high_availability_mode == "Disabled" ? [] : [var.high_availability_mode]
    content {
      mode = high_availability.value
    }
  }

  tags = var.tags

  lifecycle {
    # Azure moves the primary to the standby's zone on a failover; that is not drift to undo.
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }
}

resource "azurerm_postgresql_flexible_server_active_directory_administrator" "deployer" {
  server_name         = azurerm_postgresql_flexible_server.this.name
  resource_group_name = var.resource_group_name
  tenant_id           = var.tenant_id
  object_id           = var.administrator.object_id
  principal_name      = var.administrator.principal_name
  principal_type      = var.administrator.principal_type
}

resource "azurerm_postgresql_flexible_server_database" "paymetrics" {
  name      = var.database_name
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

resource "azurerm_postgresql_flexible_server_configuration" "parameter" {
  for_each  = var.server_parameters
  name      = each.key
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = each.value
}

# Public access only: who may open a connection at all (Entra ID still decides who may log in).
resource "azurerm_postgresql_flexible_server_firewall_rule" "rule" {
  for_each         = var.delegated_subnet_id == null ? var.firewall_rules : {}
  name             = each.key
  server_id        = azurerm_postgresql_flexible_server.this.id
  start_ip_address = each.value.start_ip_address
  end_ip_address   = each.value.end_ip_address
}
