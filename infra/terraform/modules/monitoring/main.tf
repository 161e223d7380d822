# Log Analytics + workspace-based Application Insights (where the telemetry contract's instruments
# land in `customMetrics`), the action group, the five alerts and the workbook.

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${var.name}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  daily_quota_gb      = var.log_daily_quota_gb
  tags                = var.tags
}

resource "azurerm_application_insights" "this" {
  name                = "${var.name}-insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = azurerm_log_analytics_workspace.this.id
  application_type    = "Node.JS"
  retention_in_days   = var.log_retention_days
  # Metrics are never sampled by the exporter; this applies to traces and requests only.
  sampling_percentage = 100
  tags                = var.tags
}

resource "azurerm_monitor_action_group" "this" {
  name                = "${var.name}-oncall"
  resource_group_name = var.resource_group_name
  short_name          = "paymetrics"
  tags                = var.tags

  dynamic "email_receiver" {
    for_each = toset(var.alert_emails)
    content {
      name                    = "email-${index(var.alert_emails, email_receiver.value)}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# The Azure-side dashboard; its queries read the same instruments as the alerts.
resource "azurerm_application_insights_workbook" "this" {
  name                = uuidv5("url", "https://paymetrics.invalid/workbooks/${var.name}")
  resource_group_name = var.resource_group_name
  location            = var.location
  display_name        = "paymetrics pipeline (${var.name})"
  source_id           = lower(azurerm_application_insights.this.id)
  category            = "workbook"
  data_json           = file("${path.module}/workbook.json")
  tags                = var.tags
}
