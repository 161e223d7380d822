variable "server_name" {
  description = "Server name (globally unique)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the server."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "tenant_id" {
  description = "Entra tenant of the administrator and the Function's identity."
  type        = string
}

variable "postgres_version" {
  description = "Major version of PostgreSQL."
  type        = string
}

variable "sku_name" {
  description = "Compute tier and size, e.g. GP_Standard_D4ds_v5."
  type        = string
}

variable "storage_mb" {
  description = "Initial storage in MB (it grows on its own)."
  type        = number
}

variable "storage_tier" {
  description = "Performance tier of the disk (P10 ... P80); null for the size's default."
  type        = string
}

variable "zone" {
  description = "Availability zone of the primary; null to let Azure pick."
  type        = string
}

variable "high_availability_mode" {
  description = "Disabled, SameZone or ZoneRedundant."
  type        = string
}

variable "backup_retention_days" {
  description = "Days of point-in-time restore."
  type        = number
}

variable "geo_redundant_backup_enabled" {
  description = "Keep backups in the paired region too."
  type        = bool
}

variable "administrator" {
  description = "The Entra principal that administers the server and runs migrations."
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })
}

variable "database_name" {
  description = "Name of the paymetrics database."
  type        = string
}

variable "server_parameters" {
  description = "Server parameters to set (name to value)."
  type        = map(string)
}

variable "delegated_subnet_id" {
  description = "Subnet delegated to the server for private access; null for public access with firewall rules."
  type        = string
}

variable "private_dns_zone_id" {
  description = "Private DNS zone (privatelink.postgres.database.azure.com) for private access."
  type        = string
}

variable "firewall_rules" {
  description = "Public access: named IPv4 ranges that may connect."
  type = map(object({
    start_ip_address = string
    end_ip_address   = string
  }))
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
