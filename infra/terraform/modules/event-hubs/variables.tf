variable "namespace_name" {
  description = "Event Hubs namespace name (globally unique)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the namespace."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "sku" {
  description = "Namespace tier: Standard or Premium (Basic has no consumer groups of its own)."
  type        = string
}

variable "capacity" {
  description = "Throughput units (Standard) or processing units (Premium)."
  type        = number
}

variable "auto_inflate_enabled" {
  description = "Standard only: let Event Hubs add throughput units up to maximum_throughput_units."
  type        = bool
}

variable "maximum_throughput_units" {
  description = "Standard with auto-inflate: the ceiling of throughput units."
  type        = number
}

variable "local_authentication_enabled" {
  description = "Allow shared access signatures; false means Entra ID only."
  type        = bool
}

variable "hub_name" {
  description = "Event hub name."
  type        = string
}

variable "partition_count" {
  description = "Partitions of the hub (fixed at creation on Standard)."
  type        = number
}

variable "message_retention_days" {
  description = "Days the hub keeps events."
  type        = number
}

variable "consumer_group_name" {
  description = "The Function's consumer group."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
