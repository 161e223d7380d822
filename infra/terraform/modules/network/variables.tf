variable "name" {
  description = "Virtual network name."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the network."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "address_space" {
  description = "Address space of the network, at least a /24: the first quarter is the Function subnet, the second the PostgreSQL subnet."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
}
