# The five alerts of docs/observability.md ("Alerts"). Each query is that document's query,
# character for character (tooling/infra-checks compares them): change both in the same commit.
# The rule runs the query over its window, aggregates `measure` over the rows (per `split_by`
# value) and compares it with the threshold.

locals {
  alert_queries = {
    dead_letter_size = {
      description = "Items waiting in failed_items (pending or retrying) exceed the threshold."
      measure     = "DeadLetterItems"
      aggregation = "Maximum"
      split_by    = null
      query       = <<-KQL
        customMetrics
        | where name == "paymetrics.dead_letter.pending"
        | extend status = tostring(customDimensions["status"])
        | summarize items = max(value) by status, timestamp = bin(timestamp, 5m)
        | summarize DeadLetterItems = sum(items) by timestamp
      KQL
    }

    processing_latency = {
      description = "Mean time from enqueue to commit (paymetrics.event.lag) exceeds the threshold."
      measure     = "LagMsMean"
      aggregation = "Average"
      split_by    = null
      query       = <<-KQL
        customMetrics
        | where name == "paymetrics.event.lag"
        | summarize events = sum(valueCount), lagMsSum = sum(valueSum), LagMsMax = max(valueMax) by timestamp = bin(timestamp, 5m)
        | where events > 0
        | project timestamp, LagMsMean = lagMsSum / events, LagMsMax
      KQL
    }

    error_rate = {
      description = "Share of received events that were dead-lettered, in percent, exceeds the threshold."
      measure     = "ErrorRatePercent"
      aggregation = "Average"
      split_by    = null
      query       = <<-KQL
        customMetrics
        | where name in ("paymetrics.events.received", "paymetrics.events.dead_lettered")
        | summarize received = sumif(valueSum, name == "paymetrics.events.received"), deadLettered = sumif(valueSum, name == "paymetrics.events.dead_lettered") by timestamp = bin(timestamp, 5m)
        | where received >= 100
        | project timestamp, ErrorRatePercent = 100.0 * deadLettered / received, received, deadLettered
      KQL
    }

    storage_failures = {
      description = "Failed PostgreSQL or archive operations of one store exceed the threshold."
      measure     = "StorageFailures"
      aggregation = "Total"
      split_by    = "store"
      query       = <<-KQL
        customMetrics
        | where name == "paymetrics.storage.failures"
        | extend store = tostring(customDimensions["store"])
        | summarize StorageFailures = sum(valueSum) by store, timestamp = bin(timestamp, 5m)
      KQL
    }

    stalled_partition = {
      description = "A partition keeps receiving events while it commits none (its batches fail and are retried)."
      measure     = "UncommittedEvents"
      aggregation = "Minimum"
      split_by    = "partition"
      query       = <<-KQL
        customMetrics
        | where name in ("paymetrics.events.received", "paymetrics.events.counted")
        | where tostring(customDimensions["source_kind"]) == "eventhub"
        | extend partition = tostring(customDimensions["partition"])
        | where partition matches regex @"^\d+$"
        | summarize received = sumif(valueSum, name == "paymetrics.events.received"), counted = sumif(valueSum, name == "paymetrics.events.counted") by partition, timestamp = bin(timestamp, 5m)
        | where received > 0
        | project timestamp, partition, UncommittedEvents = iff(counted == 0, received, 0.0)
      KQL
    }
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "alert" {
  for_each = local.alert_queries

  name                 = "${var.name}-${replace(each.key, "_", "-")}"
  display_name         = "paymetrics ${replace(each.key, "_", " ")} (${var.name})"
  description          = "${each.value.description} See docs/observability.md, Alerts."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [azurerm_application_insights.this.id]
  severity             = var.alerts[each.key].severity
  window_duration      = var.alerts[each.key].window_duration
  evaluation_frequency = var.alerts[each.key].evaluation_frequency
  enabled              = var.alerts[each.key].enabled
  # Resolve on its own once the condition no longer holds, so the inbox shows what is still wrong.
  auto_mitigation_enabled = true
  tags                    = var.tags

  criteria {
    query                   = each.value.query
    time_aggregation_method = each.value.aggregation
    metric_measure_column   = each.value.measure
    operator                = "GreaterThan"
    threshold               = var.alerts[each.key].threshold

    dynamic "dimension" {
      for_each = each.value.split_by == null ? [] : [each.value.split_by]
      content {
        name     = dimension.value
        operator = "Include"
        values   = ["*"]
      }
    }

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}
