# A small Scaleway configuration whose plan and state (plan.json, state.json, terraform.tfstate,
# written by hand to the shapes of `terraform show -json`) are read by secgroup's tests and
# docs. See README.md.

terraform {
  required_providers {
    scaleway = {
      source  = "scaleway/scaleway"
      version = "~> 2.60"
    }
  }
}

provider "scaleway" {
  zone = "fr-par-1"
}

variable "apps" {
  description = "Application groups and the port each one serves."
  type        = map(number)
  default = {
    api    = 8080
    worker = 9000
  }
}

# The public front: inline rules in every form the provider accepts.
resource "scaleway_instance_security_group" "web" {
  name                    = "web"
  inbound_default_policy  = "drop"
  outbound_default_policy = "accept"

  # SSH from the office only.
  inbound_rule {
    action   = "accept"
    port     = 22
    ip_range = "203.0.113.0/24"
  }

  # No ip_range: the provider sends 0.0.0.0/0, so this is IPv4 only.
  inbound_rule {
    action = "accept"
    port   = 80
  }

  inbound_rule {
    action     = "accept"
    port_range = "443-443"
    ip_range   = "::/0"
  }

  inbound_rule {
    action     = "accept"
    port_range = "443-443"
    ip_range   = "0.0.0.0/0"
  }

  inbound_rule {
    action   = "accept"
    protocol = "ICMP"
  }

  # Added by the plan in plan.json. `ip` is deprecated: the provider sends 198.51.100.7/32.
  inbound_rule {
    action     = "accept"
    ip         = "198.51.100.7"
    port_range = "8000-8080"
  }
}

# The database: its rules live in a separate resource.
resource "scaleway_instance_security_group" "db" {
  name                   = "db"
  inbound_default_policy = "drop"
  external_rules         = true
}

resource "scaleway_instance_security_group_rules" "db" {
  security_group_id = scaleway_instance_security_group.db.id

  # The quarantined subnet first: rules match in order.
  inbound_rule {
    action   = "drop"
    protocol = "ANY"
    ip_range = "10.0.66.0/24"
  }

  inbound_rule {
    action   = "accept"
    port     = 5432
    ip_range = "10.0.0.0/16"
  }
}

# The load balancer's address: known only once it exists.
resource "scaleway_instance_ip" "lb" {}

resource "scaleway_instance_security_group" "app" {
  for_each = var.apps

  name                    = "app-${each.key}"
  inbound_default_policy  = "drop"
  enable_default_security = each.key != "worker"

  inbound_rule {
    action   = "accept"
    port     = each.value
    ip_range = "10.0.0.0/16"
  }

  inbound_rule {
    action   = "accept"
    port     = each.value
    ip_range = "${scaleway_instance_ip.lb.address}/32"
  }
}

module "net" {
  source      = "./modules/net"
  office_cidr = "203.0.113.0/24"
}
