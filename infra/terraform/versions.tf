terraform {
  # 1.9: a variable's validation may refer to other variables (partition count against the tier).
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.x: azurerm_function_app_flex_consumption, storage containers by storage_account_id.
      version = "~> 4.40"
    }
  }

  # Partial configuration: the state account is given at `terraform init -backend-config=...`
  # (docs/deployment.md, "First deployment"); Entra auth, no access key.
  backend "azurerm" {
    use_azuread_auth = true
  }
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
  # Shared keys are disabled on every storage account, so data-plane calls use Entra ID too.
  storage_use_azuread = true
}
