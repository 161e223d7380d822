output "host_account_id" {
  description = "Resource ID of the Function host's account."
  value       = azurerm_storage_account.host.id
}

output "host_account_name" {
  description = "Name of the Function host's account (AzureWebJobsStorage__accountName)."
  value       = azurerm_storage_account.host.name
}

output "deployment_container_endpoint" {
  description = "URL of the deployment container."
  value       = "${azurerm_storage_account.host.primary_blob_endpoint}${azurerm_storage_container.deployment.name}"
}

output "archive_account_id" {
  description = "Resource ID of the archive account (scope of the Function's Storage Blob Data Contributor role)."
  value       = azurerm_storage_account.archive.id
}

output "archive_account_url" {
  description = "Blob endpoint of the archive account, without a trailing slash (AZURE_STORAGE_ACCOUNT_URL)."
  value       = trimsuffix(azurerm_storage_account.archive.primary_blob_endpoint, "/")
}

output "archive_container_name" {
  description = "Container of the raw archive (PAYMETRICS_ARCHIVE_CONTAINER)."
  value       = azurerm_storage_container.archive.name
}
