output "function_subnet_id" {
  description = "Subnet for the Function's VNet integration."
  value       = azurerm_subnet.function.id
}

output "postgres_subnet_id" {
  description = "Subnet delegated to PostgreSQL."
  value       = azurerm_subnet.postgres.id
}

output "postgres_private_dns_zone_id" {
  description = "Private DNS zone of PostgreSQL."
  value       = azurerm_private_dns_zone.postgres.id
  # The server must not be created before its name can resolve inside the network.
  depends_on = [azurerm_private_dns_zone_virtual_network_link.postgres]
}
