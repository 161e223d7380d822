# ---------------------------------------------------------------------------------------------
# Where and what
# ---------------------------------------------------------------------------------------------

variable "subscription_id" {
  description = "Azure subscription to deploy into (also read from ARM_SUBSCRIPTION_ID by the workflow)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.subscription_id))
    error_message = "subscription_id must be a subscription GUID."
  }
}

variable "location" {
  description = "Azure region of every resource. Pick one with availability zones if PostgreSQL high availability is ZoneRedundant."
  type        = string
  default     = "westeurope"

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location must be a region name such as westeurope (lower case, no spaces)."
  }
}

variable "name_prefix" {
  description = "First part of every resource name: <name_prefix>-<environment>-..."
  type        = string
  default     = "paymetrics"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.name_prefix))
    error_message = "name_prefix must be 2-12 lower-case letters and digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod, ...): part of every name and a tag. One state file per environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "environment must be 2-8 lower-case letters and digits, starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags for every resource (application and environment are always set)."
  type        = map(string)
  default     = {}
}

variable "network_mode" {
  description = "public: PostgreSQL has a public endpoint guarded by firewall rules and Entra-only login. private: a virtual network, the Function integrated into it, PostgreSQL in a delegated subnet with no public endpoint (migrations then need a runner inside the network)."
  type        = string
  default     = "public"

  validation {
    condition     = contains(["public", "private"], var.network_mode)
    error_message = "network_mode must be public or private."
  }
}

variable "vnet_address_space" {
  description = "private mode: address space of the virtual network (a /24 or larger); its first quarter is the Function subnet, the second PostgreSQL's."
  type        = string
  default     = "10.40.0.0/24"

  validation {
    condition     = can(cidrhost(var.vnet_address_space, 0)) && tonumber(split("/", var.vnet_address_space)[1]) <= 24
    error_message = "vnet_address_space must be an IPv4 CIDR of /24 or larger, e.g. 10.40.0.0/24."
  }
}

# ---------------------------------------------------------------------------------------------
# Event Hubs
# ---------------------------------------------------------------------------------------------

variable "eventhub_sku" {
  description = "Event Hubs tier. Standard goes up to 40 throughput units (a unit takes in 1 MB/s or 1,000 events/s, whichever comes first: ~40,000 of these ~400-byte events/s); Premium for isolation and more partitions. Basic is not allowed: it has no consumer group of the Function's own."
  type        = string
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.eventhub_sku)
    error_message = "eventhub_sku must be Standard or Premium."
  }
}

variable "eventhub_capacity" {
  description = "Throughput units (Standard: 1 MB/s or 1,000 events/s in, 2 MB/s out each) or processing units (Premium) to start with."
  type        = number
  default     = 1

  validation {
    condition = (
      var.eventhub_sku == "Premium"
      ? contains([1, 2, 4, 8, 16], var.eventhub_capacity)
      : var.eventhub_capacity >= 1 && var.eventhub_capacity <= 40 && floor(var.eventhub_capacity) == var.eventhub_capacity
    )
    error_message = "eventhub_capacity must be a whole number from 1 to 40 (Standard) or 1, 2, 4, 8 or 16 (Premium)."
  }
}

variable "eventhub_auto_inflate_enabled" {
  description = "Standard only: let Event Hubs add throughput units under load, up to eventhub_maximum_throughput_units (it never scales back down on its own)."
  type        = bool
  default     = true
}

variable "eventhub_maximum_throughput_units" {
  description = "Standard with auto-inflate: the most throughput units Event Hubs may add (the cost ceiling). 10,000 events/s needs 10-12."
  type        = number
  default     = 20

  validation {
    condition     = var.eventhub_maximum_throughput_units >= var.eventhub_capacity && var.eventhub_maximum_throughput_units <= 40
    error_message = "eventhub_maximum_throughput_units must be at least eventhub_capacity and at most 40."
  }
}

variable "eventhub_name" {
  description = "Name of the event hub the producers publish to."
  type        = string
  default     = "payments"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$", var.eventhub_name))
    error_message = "eventhub_name must be 1-256 letters, digits, periods, hyphens and underscores, starting with a letter or digit."
  }
}

# Why 32: a partition is the unit of parallelism. The Event Hubs trigger runs at most one Function
# instance per partition and commits each partition's batches in order, so the partition count caps
# how far the pipeline scales out. On Standard the count is fixed when the hub is created and 32 is
# the most allowed, while partitions cost nothing extra: choose the ceiling up front rather than
# recreate the hub (and lose its retained events) later. With partitionKey = merchantId every
# aggregate row belongs to one partition, so more partitions do not add lock contention in
# PostgreSQL (docs/performance.md, "Scaling beyond one machine").
variable "eventhub_partition_count" {
  description = "Partitions of the hub: the most Function instances that can process in parallel. Fixed at creation on Standard (at most 32); Premium allows up to 100."
  type        = number
  default     = 32

  validation {
    condition = (
      floor(var.eventhub_partition_count) == var.eventhub_partition_count &&
      var.eventhub_partition_count >= 1 &&
      var.eventhub_partition_count <= (var.eventhub_sku == "Premium" ? 100 : 32)
    )
    error_message = "eventhub_partition_count must be a whole number from 1 to 32 on Standard (100 on Premium)."
  }
}

variable "eventhub_message_retention_days" {
  description = "Days the hub keeps events: how long the Function may be down before events are lost. 7 matches the pipeline's lateness bound (older events are dead-lettered as too_late)."
  type        = number
  default     = 7

  validation {
    condition     = var.eventhub_message_retention_days >= 1 && var.eventhub_message_retention_days <= (var.eventhub_sku == "Premium" ? 90 : 7)
    error_message = "eventhub_message_retention_days must be 1-7 on Standard (90 on Premium)."
  }
}

variable "eventhub_local_authentication_enabled" {
  description = "Allow shared access signatures (keys) on the namespace. Off: producers and the Function use Entra ID only."
  type        = bool
  default     = false
}

variable "eventhub_sender_principal_ids" {
  description = "Object IDs of the producers' identities (service principals, managed identities) that get Azure Event Hubs Data Sender on the hub."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.eventhub_sender_principal_ids : can(regex("^[0-9a-fA-F-]{36}$", id))])
    error_message = "eventhub_sender_principal_ids must be object IDs (GUIDs)."
  }
}

# ---------------------------------------------------------------------------------------------
# Raw archive
# ---------------------------------------------------------------------------------------------

variable "archive_retention_days" {
  description = "Days after which raw archive batches (raw/...) are deleted; they move to the cool tier after 30 days. Failed payloads (payloads/...) are never deleted by this rule."
  type        = number
  default     = 365

  validation {
    condition     = var.archive_retention_days > 30 && var.archive_retention_days <= 36500
    error_message = "archive_retention_days must be more than 30 (the move to cool) and at most 36500."
  }
}

variable "archive_tier_to_cool_enabled" {
  description = "Move archive blobs to the cool tier after 30 days. The move is billed per blob (one blob per batch), so with blobs under about 110 KB it costs more than the cool tier saves (docs/deployment.md, Cost)."
  type        = bool
  default     = true
}

variable "archive_replication_type" {
  description = "Replication of the archive account: LRS (one datacenter), ZRS (three zones), GRS/GZRS (plus the paired region)."
  type        = string
  default     = "ZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"], var.archive_replication_type)
    error_message = "archive_replication_type must be LRS, ZRS, GRS, GZRS, RAGRS or RAGZRS."
  }
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

variable "postgres_version" {
  description = "PostgreSQL major version (the schema needs 14 or later)."
  type        = string
  default     = "16"

  validation {
    condition     = contains(["14", "15", "16", "17"], var.postgres_version)
    error_message = "postgres_version must be 14, 15, 16 or 17."
  }
}

variable "postgres_sku_name" {
  description = "Compute of the server. General Purpose D2ds_v5 (2 vCores, 8 GiB) carries 1,000 events/s with room to spare; take D4ds_v5 or larger for 10,000 events/s (docs/deployment.md, Cost). Burstable (B_) only for trials: its credits run out under a steady write load."
  type        = string
  default     = "GP_Standard_D2ds_v5"

  validation {
    condition     = can(regex("^(B_Standard_B|GP_Standard_D|MO_Standard_E)[0-9a-z_]+$", var.postgres_sku_name))
    error_message = "postgres_sku_name must be a Flexible Server SKU such as GP_Standard_D4ds_v5."
  }
}

variable "postgres_storage_mb" {
  description = "Initial storage in MB; it grows on its own. processed_events keeps 7 days of event IDs (about 100 bytes each with its index): ~60 GB at 1,000 events/s."
  type        = number
  default     = 131072

  validation {
    condition     = contains([32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408], var.postgres_storage_mb)
    error_message = "postgres_storage_mb must be one of the sizes Flexible Server offers (32768 ... 33553408)."
  }
}

variable "postgres_storage_tier" {
  description = "Disk performance tier (P4 ... P80), null for the default of the size. A higher tier buys IOPS for WAL and checkpoints without buying space."
  type        = string
  default     = null

  validation {
    condition     = var.postgres_storage_tier == null || can(regex("^P(4|6|10|15|20|30|40|50|60|70|80)$", var.postgres_storage_tier))
    error_message = "postgres_storage_tier must be null or one of P4, P6, P10, P15, P20, P30, P40, P50, P60, P70, P80."
  }
}

variable "postgres_high_availability_mode" {
  description = "Disabled, SameZone or ZoneRedundant (a standby server in another zone: twice the compute cost, failover in 60-120 s; the pipeline retries the batches meanwhile)."
  type        = string
  default     = "Disabled"

  validation {
    condition     = contains(["Disabled", "SameZone", "ZoneRedundant"], var.postgres_high_availability_mode)
    error_message = "postgres_high_availability_mode must be Disabled, SameZone or ZoneRedundant."
  }
}

variable "postgres_zone" {
  description = "Availability zone of the primary (\"1\", \"2\", \"3\"), or null to let Azure choose."
  type        = string
  default     = null

  validation {
    condition     = var.postgres_zone == null || contains(["1", "2", "3"], coalesce(var.postgres_zone, "1"))
    error_message = "postgres_zone must be null, \"1\", \"2\" or \"3\"."
  }
}

variable "postgres_backup_retention_days" {
  description = "Days of point-in-time restore (the rollback of last resort for data)."
  type        = number
  default     = 14

  validation {
    condition     = var.postgres_backup_retention_days >= 7 && var.postgres_backup_retention_days <= 35
    error_message = "postgres_backup_retention_days must be 7-35."
  }
}

variable "postgres_geo_redundant_backup_enabled" {
  description = "Also keep backups in the paired region (fixed at creation)."
  type        = bool
  default     = false
}

variable "postgres_administrator" {
  description = "The Entra principal that administers PostgreSQL and runs `pnpm migrate`: normally the deploy workflow's service principal (principal_name = its display name), or a group it belongs to."
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })

  validation {
    condition     = contains(["User", "Group", "ServicePrincipal"], var.postgres_administrator.principal_type) && can(regex("^[0-9a-fA-F-]{36}$", var.postgres_administrator.object_id))
    error_message = "postgres_administrator needs an object_id GUID and a principal_type of User, Group or ServicePrincipal."
  }
}

variable "postgres_database_name" {
  description = "Name of the paymetrics database."
  type        = string
  default     = "paymetrics"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.postgres_database_name))
    error_message = "postgres_database_name must be a lower-case PostgreSQL identifier."
  }
}

# From docs/performance.md ("PostgreSQL settings for this load"): fewer checkpoints and so fewer
# full-page images (max_wal_size, min_wal_size, checkpoint_timeout; the upserts touch the same pages
# over and over), checkpoint I/O spread out, compressed WAL, a larger wal_buffers (in 8 kB pages:
# 8192 = 64 MB) for multi-MB batch commits, no JIT for short statements, SSD-priced index probes.
# Units are the server's: MB for the WAL sizes, seconds for checkpoint_timeout. wal_compression is
# `on` (pglz), valid on every allowed version; `lz4` needs PostgreSQL 15+. shared_buffers is
# already 25% of RAM on Flexible Server, so it is not set. Durability settings (fsync,
# synchronous_commit, full_page_writes) are never relaxed: exactly-once counting rests on a commit
# being durable before the Event Hubs checkpoint moves past it.
variable "postgres_server_parameters" {
  description = "Server parameters to set (name to value, in the server's units). Defaults are those docs/performance.md recommends for this write-heavy load; wal_buffers needs a server restart to take effect."
  type        = map(string)
  default = {
    max_wal_size                 = "8192"
    min_wal_size                 = "1024"
    checkpoint_timeout           = "900"
    checkpoint_completion_target = "0.9"
    wal_compression              = "on"
    wal_buffers                  = "8192"
    jit                          = "off"
    random_page_cost             = "1.1"
  }

  validation {
    condition     = length(setintersection(keys(var.postgres_server_parameters), ["fsync", "synchronous_commit", "full_page_writes"])) == 0
    error_message = "postgres_server_parameters must not change fsync, synchronous_commit or full_page_writes: exactly-once counting needs durable commits."
  }
}

variable "postgres_allow_azure_services" {
  description = "public mode: allow connections from Azure services (the 0.0.0.0 rule). Needed for the Function on Flex Consumption, which has no fixed outbound addresses; login still needs an Entra principal with a database role."
  type        = bool
  default     = true
}

variable "postgres_firewall_rules" {
  description = "public mode: extra named IPv4 ranges allowed to connect (an office, a self-hosted runner). GitHub-hosted runners connect from Azure addresses, which postgres_allow_azure_services admits."
  type = map(object({
    start_ip_address = string
    end_ip_address   = string
  }))
  default = {}

  validation {
    condition     = alltrue([for rule in values(var.postgres_firewall_rules) : can(cidrhost("${rule.start_ip_address}/32", 0)) && can(cidrhost("${rule.end_ip_address}/32", 0))])
    error_message = "postgres_firewall_rules need IPv4 start_ip_address and end_ip_address."
  }
}

# ---------------------------------------------------------------------------------------------
# Function App
# ---------------------------------------------------------------------------------------------

variable "function_node_version" {
  description = "Node.js major version of the Function runtime (the project targets Node 22+)."
  type        = string
  default     = "22"

  validation {
    condition     = contains(["22", "24"], var.function_node_version)
    error_message = "function_node_version must be 22 or 24."
  }
}

variable "function_maximum_instance_count" {
  description = "Most instances the Function may scale out to. The Event Hubs trigger uses at most one instance per partition, so more than eventhub_partition_count only helps the timers; lower it to cap cost and PostgreSQL connections (instances x function_pg_pool_max)."
  type        = number
  default     = 40

  validation {
    condition     = var.function_maximum_instance_count >= 1 && var.function_maximum_instance_count <= 1000
    error_message = "function_maximum_instance_count must be 1-1000."
  }
}

variable "function_instance_memory_in_mb" {
  description = "Memory per Function instance. 2048 holds a 1,000-event batch with room (the pipeline peaks near 300 MB in the benchmark)."
  type        = number
  default     = 2048

  validation {
    condition     = contains([512, 2048, 4096], var.function_instance_memory_in_mb)
    error_message = "function_instance_memory_in_mb must be 512, 2048 or 4096."
  }
}

variable "function_pg_pool_max" {
  description = "PostgreSQL connections per Function instance (PAYMETRICS_PG_POOL_MAX): an instance that owns several partitions commits their batches concurrently, one connection each."
  type        = number
  default     = 8

  validation {
    condition     = var.function_pg_pool_max >= 1 && var.function_pg_pool_max <= 100
    error_message = "function_pg_pool_max must be 1-100."
  }
}

# ---------------------------------------------------------------------------------------------
# Monitoring and alerts
# ---------------------------------------------------------------------------------------------

variable "log_retention_days" {
  description = "Days Log Analytics and Application Insights keep telemetry (30 are included in the ingestion price)."
  type        = number
  default     = 30

  validation {
    condition     = contains([30, 60, 90, 120, 180, 270, 365, 550, 730], var.log_retention_days)
    error_message = "log_retention_days must be one of 30, 60, 90, 120, 180, 270, 365, 550, 730."
  }
}

variable "log_daily_quota_gb" {
  description = "Daily ingestion cap of the workspace in GB (-1: none). A cap stops telemetry, and so the alerts, for the rest of the day once reached."
  type        = number
  default     = -1

  validation {
    condition     = var.log_daily_quota_gb == -1 || var.log_daily_quota_gb >= 0.023
    error_message = "log_daily_quota_gb must be -1 or at least 0.023."
  }
}

variable "alert_emails" {
  description = "E-mail addresses of the action group every alert notifies."
  type        = list(string)

  validation {
    condition     = length(var.alert_emails) > 0 && alltrue([for email in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alert_emails must hold at least one e-mail address."
  }
}

# The alerts of docs/observability.md, each with the defaults that document explains. Set only what
# differs, e.g. alerts = { error_rate = { threshold = 1, severity = 1 } }. severity: 0 critical ...
# 4 verbose; windows and frequencies are ISO 8601 durations (PT5M, PT1H, P1D); a threshold is in
# the unit of its query's measure column.
variable "alerts" {
  description = "Per alert: severity, window_duration, evaluation_frequency, threshold, enabled. dead_letter_size: items pending or retrying (maximum over the window). processing_latency: mean enqueue-to-commit lag in ms (average). error_rate: dead-lettered share of received events in percent (average). storage_failures: failed operations of one store (total). stalled_partition: events received while none counted in every 5-minute bin (minimum, per partition)."
  type = object({
    dead_letter_size = optional(object({
      severity             = optional(number, 3)
      window_duration      = optional(string, "PT15M")
      evaluation_frequency = optional(string, "PT15M")
      threshold            = optional(number, 1000)
      enabled              = optional(bool, true)
    }), {})
    processing_latency = optional(object({
      severity             = optional(number, 2)
      window_duration      = optional(string, "PT15M")
      evaluation_frequency = optional(string, "PT5M")
      threshold            = optional(number, 30000)
      enabled              = optional(bool, true)
    }), {})
    error_rate = optional(object({
      severity             = optional(number, 2)
      window_duration      = optional(string, "PT15M")
      evaluation_frequency = optional(string, "PT5M")
      threshold            = optional(number, 2)
      enabled              = optional(bool, true)
    }), {})
    storage_failures = optional(object({
      severity             = optional(number, 1)
      window_duration      = optional(string, "PT15M")
      evaluation_frequency = optional(string, "PT5M")
      threshold            = optional(number, 10)
      enabled              = optional(bool, true)
    }), {})
    stalled_partition = optional(object({
      severity             = optional(number, 1)
      window_duration      = optional(string, "PT15M")
      evaluation_frequency = optional(string, "PT5M")
      threshold            = optional(number, 0)
      enabled              = optional(bool, true)
    }), {})
  })
  default = {}

  validation {
    condition = alltrue([
      for alert in values(var.alerts) :
      alert.severity >= 0 && alert.severity <= 4 && alert.threshold >= 0 &&
      can(regex("^(PT[0-9]+[MH]|P1D)$", alert.window_duration)) &&
      can(regex("^(PT[0-9]+[MH]|P1D)$", alert.evaluation_frequency))
    ])
    error_message = "alerts: each severity 0-4, threshold >= 0, window_duration and evaluation_frequency as PT<n>M, PT<n>H or P1D."
  }

  validation {
    condition     = var.alerts.error_rate.threshold < 100
    error_message = "alerts.error_rate.threshold is a percentage: below 100."
  }
}
