variable "name" {
  description = "Prefix of the monitoring resources' names (<prefix>-<environment>)."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the monitoring resources."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "log_retention_days" {
  description = "Days Log Analytics and Application Insights keep data."
  type        = number
}

variable "log_daily_quota_gb" {
  description = "Daily ingestion cap of the workspace in GB; -1 for none."
  type        = number
}

variable "alert_emails" {
  description = "Addresses the action group mails."
  type        = list(string)
}

variable "alerts" {
  description = "Per alert (the keys of local.alert_queries): severity, window, frequency, threshold, enabled."
  type = map(object({
    severity             = number
    window_duration      = string
    evaluation_frequency = string
    threshold            = number
    enabled              = bool
  }))
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
