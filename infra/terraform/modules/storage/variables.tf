variable "resource_group_name" {
  description = "Resource group of the accounts."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "host_account_name" {
  description = "Storage account of the Function host (globally unique, 3-24 lower-case letters and digits)."
  type        = string
}

variable "deployment_container_name" {
  description = "Container that holds the Function's deployment package (Flex Consumption)."
  type        = string
}

variable "archive_account_name" {
  description = "Storage account of the raw archive (globally unique, 3-24 lower-case letters and digits)."
  type        = string
}

variable "archive_container_name" {
  description = "Container of the raw archive."
  type        = string
}

variable "archive_replication_type" {
  description = "Replication of the archive account (LRS, ZRS, GRS, ...)."
  type        = string
}

variable "archive_retention_days" {
  description = "Days after which raw archive blobs are deleted."
  type        = number
}

variable "archive_tier_to_cool_enabled" {
  description = "Move archive blobs to the cool tier 30 days after they were written."
  type        = bool
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
