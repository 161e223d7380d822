output "name" {
  description = "Function App name."
  value       = azurerm_function_app_flex_consumption.this.name
}

output "id" {
  description = "Resource ID of the Function App."
  value       = azurerm_function_app_flex_consumption.this.id
}

output "default_hostname" {
  description = "Host name of the app."
  value       = azurerm_function_app_flex_consumption.this.default_hostname
}
