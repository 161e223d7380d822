output "namespace_id" {
  description = "Resource ID of the namespace."
  value       = azurerm_eventhub_namespace.this.id
}

output "fully_qualified_namespace" {
  description = "Host name of the namespace (<name>.servicebus.windows.net)."
  value       = "${azurerm_eventhub_namespace.this.name}.servicebus.windows.net"
}

output "hub_id" {
  description = "Resource ID of the event hub (scope of the receiver and sender roles)."
  value       = azurerm_eventhub.payments.id
}

output "hub_name" {
  description = "Event hub name."
  value       = azurerm_eventhub.payments.name
}

output "consumer_group_name" {
  description = "The Function's consumer group."
  value       = azurerm_eventhub_consumer_group.function.name
}
