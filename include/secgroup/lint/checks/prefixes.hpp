// secgroup/lint/checks/prefixes.hpp: SG015 (accept rule for a wide public range) and SG016
// (accept rule for a single public address).
//
// These read a rule's prefix length, but only fire when the rule actually decides packets from
// public addresses (effective_group::scan_rule), so a shadowed rule or a private range is never
// reported. /0 is left to the exposure checks.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "../../address.hpp"
#include "../../config.hpp"
#include "../catalogue.hpp"
#include "../context.hpp"
#include "../effective.hpp"
#include "../message.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// The checks check_prefixes() decides.
inline constexpr std::array<std::string_view, 2> prefix_checks{check_id::wide_prefix,
                                                               check_id::single_address};

/// SG015, SG016: accept rules naming a wide public prefix or a single public address.
inline void check_prefixes(check_context& cx) {
  const bool wide = cx.enabled(check_id::wide_prefix),
             single = cx.enabled(check_id::single_address);
  if (!wide && !single) return;
  for (std::uint32_t i = 0; i < cx.rules().size(); ++i) {
    const auto& r = cx.rules()[i];
    if (!r.editable || r.action != action::accept) continue;
    const auto f = r.ip_range.af();
    const unsigned bits = address_bits(f);
    const unsigned min = f == family::v4 ? cx.cfg.min_prefix_v4 : cx.cfg.min_prefix_v6;
    const unsigned p = r.ip_range.prefix;
    const bool is_single = single && p == bits;
    const bool is_wide = wide && p >= 1 && p < min;
    if (!is_single && !is_wide) continue;
    auto pub = ranges_of({r.ip_range}, f) & cx.net.of(f);
    if (pub.empty()) continue;
    auto s = cx.eg.scan_rule(i, pub);
    if (!s.accepted) continue;
    const std::string label = capitalized(describe_rule(r));
    auto fnd =
        is_single ? cx.make(check_id::single_address, r.id.empty() ? "#" + std::to_string(i) : r.id,
                            label + " accepts packets from a single public address")
                  : cx.make(check_id::wide_prefix, r.id.empty() ? "#" + std::to_string(i) : r.id,
                            label + " accepts a wide public range: prefix /" + std::to_string(p) +
                                " is shorter than /" + std::to_string(min) +
                                ", and the rule decides "
                                "packets from " +
                                count_text(s.accepted_addresses[index_of(f)].count()) +
                                " public addresses");
    fnd.witness = s.accepted;
    fnd.rules = {i};
    cx.emit(std::move(fnd));
  }
}

}  // namespace lint
SECGROUP_END_NAMESPACE
