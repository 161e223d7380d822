output "application_insights_id" {
  description = "Resource ID of Application Insights."
  value       = azurerm_application_insights.this.id
}

output "application_insights_connection_string" {
  description = "Connection string of Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING)."
  value       = azurerm_application_insights.this.connection_string
  sensitive   = true
}

output "log_analytics_workspace_id" {
  description = "Resource ID of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}

output "action_group_id" {
  description = "Resource ID of the action group."
  value       = azurerm_monitor_action_group.this.id
}

output "alert_rule_ids" {
  description = "Resource IDs of the scheduled query rules, by alert."
  value       = { for key, rule in azurerm_monitor_scheduled_query_rules_alert_v2.alert : key => rule.id }
}

output "workbook_id" {
  description = "Resource ID of the workbook."
  value       = azurerm_application_insights_workbook.this.id
}
