variable "app_name" {
  description = "Function App name (globally unique, at most 32 characters)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the app."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "node_version" {
  description = "Node.js major version of the runtime."
  type        = string
}

variable "maximum_instance_count" {
  description = "Instances the app may scale out to."
  type        = number
}

variable "instance_memory_in_mb" {
  description = "Memory per instance: 2048 or 4096."
  type        = number
}

variable "identity" {
  description = "The app's user-assigned identity."
  type = object({
    id        = string
    client_id = string
    name      = string
  })
}

variable "host_storage_account_name" {
  description = "Storage account of the Function host."
  type        = string
}

variable "deployment_container_endpoint" {
  description = "URL of the container holding the deployment package."
  type        = string
}

variable "eventhub_fully_qualified_namespace" {
  description = "Host name of the Event Hubs namespace."
  type        = string
}

variable "eventhub_name" {
  description = "Event hub the trigger reads."
  type        = string
}

variable "eventhub_consumer_group" {
  description = "The app's consumer group."
  type        = string
}

variable "archive_account_url" {
  description = "Blob endpoint of the archive account."
  type        = string
}

variable "archive_container_name" {
  description = "Container of the raw archive."
  type        = string
}

variable "postgres_fqdn" {
  description = "Host name of the PostgreSQL server."
  type        = string
}

variable "postgres_database_name" {
  description = "Name of the paymetrics database."
  type        = string
}

variable "pg_pool_max" {
  description = "PostgreSQL connections per instance."
  type        = number
}

variable "application_insights_connection_string" {
  description = "Connection string of Application Insights (where telemetry goes; not a credential for anything else)."
  type        = string
  sensitive   = true
}

variable "subnet_id" {
  description = "Subnet for VNet integration (private network mode); null for none."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
