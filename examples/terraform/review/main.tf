# A change to review (`secgroup review terraform/review/plan.json`, run from examples/): plan.json,
# written by hand to the shapes of `terraform show -json`, is the plan of this configuration
# over a state where `web` had no SSH rule and resolved names through 10.0.0.0/8, and `db`
# listed its two rules in the other order. See ../README.md.

terraform {
  required_providers {
    scaleway = {
      source  = "scaleway/scaleway"
      version = "~> 2.60"
    }
  }
}

resource "scaleway_instance_security_group" "web" {
  name                    = "web"
  description             = "public web front"
  inbound_default_policy  = "drop"
  outbound_default_policy = "drop"

  inbound_rule {
    action   = "accept"
    port     = 443
    ip_range = "0.0.0.0/0"
  }

  inbound_rule {
    action   = "accept"
    port     = 443
    ip_range = "::/0"
  }

  # Added by this change: SSH from anywhere, "for debugging".
  inbound_rule {
    action   = "accept"
    port     = 22
    ip_range = "0.0.0.0/0"
  }

  outbound_rule {
    action   = "accept"
    port     = 443
    ip_range = "0.0.0.0/0"
  }

  # Removed by this change: DNS to the internal resolvers.
  # outbound_rule {
  #   action   = "accept"
  #   protocol = "UDP"
  #   port     = 53
  #   ip_range = "10.0.0.0/8"
  # }
}

resource "scaleway_instance_security_group" "db" {
  name                   = "db"
  description            = "database"
  inbound_default_policy = "drop"

  # Reordered by this change: no decision changes.
  inbound_rule {
    action   = "accept"
    port     = 6432
    ip_range = "10.0.0.0/16"
  }

  inbound_rule {
    action   = "accept"
    port     = 5432
    ip_range = "10.0.0.0/16"
  }
}
