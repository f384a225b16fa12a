variable "office_cidr" {
  description = "The office network allowed to reach the bastion."
  type        = string
}

resource "scaleway_instance_security_group" "bastion" {
  count = 1

  name                    = "bastion"
  stateful                = false
  inbound_default_policy  = "drop"
  outbound_default_policy = "drop"
  external_rules          = true
}

resource "scaleway_instance_security_group_rules" "bastion" {
  security_group_id = scaleway_instance_security_group.bastion[0].id

  inbound_rule {
    action   = "accept"
    port     = 22
    ip_range = var.office_cidr
  }

  outbound_rule {
    action   = "accept"
    protocol = "UDP"
    port     = 53
    ip_range = "10.0.0.53/32"
  }

  outbound_rule {
    action     = "accept"
    port_range = "1-65535"
    ip_range   = "10.0.0.0/8"
  }
}

output "bastion_id" {
  value = scaleway_instance_security_group.bastion[0].id
}
