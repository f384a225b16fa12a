// secgroup/secgroup.hpp: the core of the library in one include.
//
// Includes only the dependency-light core: the model, JSON I/O, the reference evaluator, the
// header space, interval sets, the Boost.ICL decision map and the compiled evaluator. It never
// includes the optional backends (secgroup/verify/ needs Z3, secgroup/server/ needs
// cpp-httplib).
#pragma once

#include "address.hpp"
#include "box.hpp"
#include "check.hpp"
#include "compiled.hpp"
#include "config.hpp"
#include "decision.hpp"
#include "decision_map.hpp"
#include "default_rules.hpp"
#include "error.hpp"
#include "evaluator.hpp"
#include "format.hpp"
#include "interval_set.hpp"
#include "io/json.hpp"
#include "lower.hpp"
#include "packet.hpp"
#include "partition.hpp"
#include "port_range.hpp"
#include "protocol.hpp"
#include "reference.hpp"
#include "rule.hpp"
#include "security_group.hpp"
#include "space.hpp"
#include "version.hpp"
