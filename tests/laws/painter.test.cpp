// Laws of the painting parts (detail/painter.hpp), the machinery under the partition and the
// anomaly analysis, put together as a painter of whole port classes, checked on every point of
// a tiny space: its address segments tile each rule's interval; its port classes tile the port
// axis; after painting a port class, owner layer l of each address segment is the (l+1)-th
// rule holding the point, for every point of the segment and of the port class; `holding`
// lists exactly the rules with a point in the port class.
#include <catch2/catch.hpp>
#include <cstdint>
#include <secgroup/detail/painter.hpp>
#include <secgroup/secgroup.hpp>
#include <string>
#include <vector>

#include "laws/law_check.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::rng_type;

// Everything in a named namespace: the suite may be compiled as one unit (SECGROUP_UNITY).
namespace painter_laws {

using S = space<4, 3>;

/// The parts of detail/painter.hpp put together the plain way: every port class painted over
/// the whole address axis, recording the first `Layers` (1 or 2) matching rules of each address
/// segment. Keeps a reference to the policy.
template <std::size_t Layers>
class painter {
 public:
  using address_type = typename S::address_type;
  using port_type = typename S::port_type;

  explicit painter(const policy<S>& pol) : pol_(pol), axis_(pol) {}

  // -- The address axis ---------------------------------------------------------------------

  /// The first addresses of the segments, ascending; the first is 0.
  const std::vector<address_type>& address_starts() const { return axis_.starts; }
  /// Moves the segment starts out, leaving the painter unusable.
  std::vector<address_type> take_address_starts() && { return std::move(axis_.starts); }
  /// The number of address segments.
  std::uint32_t segment_count() const { return axis_.size(); }
  /// The segments [first, second) of rule `i`'s addresses; {0, 0} when it has none.
  std::pair<std::uint32_t, std::uint32_t> segments_of(std::uint32_t i) const {
    return axis_.ranges[i];
  }
  /// The addresses of segments [from, to).
  interval<address_type> addresses(std::uint32_t from, std::uint32_t to) const {
    return axis_.addresses(from, to);
  }

  // -- The port classes of one protocol class -----------------------------------------------

  /// Turns to protocol class `c`: lists its candidates and cuts its port axis.
  void start_class(proto_class c) { class_.start(pol_, axis_, c); }
  /// The number of elementary port classes of the current protocol class (1 without ports).
  std::size_t port_class_count() const { return class_.port_class_count(); }
  /// The ports of elementary port class `j` ([0, 0] for classes without ports).
  interval<port_type> port_class(std::size_t j) const { return class_.port_class(j); }

  // -- Painting -----------------------------------------------------------------------------

  /// Paints port class `j` of the current protocol class: afterwards owner(l)[k] is the
  /// (l+1)-th rule holding segment k and the port class, or decision::no_rule. With `holding`,
  /// also appends every candidate holding the port class to it, in priority order.
  void paint(std::size_t j, std::vector<std::uint32_t>* holding = nullptr) {
    owners_.reset(segment_count());
    bool free = segment_count() > 0;
    const bool ports = has_ports(class_.cls);
    const port_type port = class_.port_starts[j];
    for (auto i : class_.rules) {
      if (ports && !pol_.rules[i].match.ports.contains(port)) continue;
      if (holding) holding->push_back(i);
      if (free) {
        free = owners_.take(i, axis_.ranges[i].first, axis_.ranges[i].second);
      } else if (!holding) {
        break;
      }
    }
  }
  /// The owners of the segments in layer `l` (0: the first-matching rule) after paint().
  const std::vector<std::uint32_t>& owner(std::size_t l = 0) const { return owners_.owner(l); }

 private:
  const policy<S>& pol_;
  detail::address_axis<S> axis_;
  detail::class_candidates<S> class_;
  detail::layered_owners<Layers> owners_;
};

/// The rules of `pol` holding point `x`, in priority order.
std::vector<std::uint32_t> matching(const policy<S>& pol, const point<S>& x) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i)
    if (pol.rules[i].match.contains(x)) out.push_back(i);
  return out;
}

/// The rules of `pol` with a point of class `c` on port `port`.
std::vector<std::uint32_t> holding(const policy<S>& pol, proto_class c, S::port_type port) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i) {
    const auto& m = pol.rules[i].match;
    if ((m.protocols & mask_of(c)) && !m.addresses.empty() &&
        (has_ports(c) ? m.ports.contains(port) : true))
      out.push_back(i);
  }
  return out;
}

struct tally {
  std::uint64_t law_checks = 0;  // checks made (SECGROUP_LAW_CHECK counts them here)
  std::uint64_t points = 0;      // points whose owners were checked, per layer count
  std::uint64_t expected = 0;    // checks the loops below must make
  std::uint64_t second_owners = 0;
};

template <std::size_t Layers>
void check_painter(const policy<S>& pol, std::uint64_t seed, int n, tally& t) {
  auto& law_checks = t.law_checks;
  auto context = [&] {
    return "seed " + std::to_string(seed) + ", policy " + std::to_string(n) + ", " +
           std::to_string(Layers) + " layer(s):\n" + secgroup_test::describe(pol);
  };
#define LAW_CHECK(cond) SECGROUP_LAW_CHECK(cond, context())
  painter<Layers> painter(pol);
  const auto& starts = painter.address_starts();
  LAW_CHECK(starts.front() == 0u);
  LAW_CHECK(painter.segment_count() == starts.size());
  t.expected += 2;
  for (std::uint32_t i = 0; i < pol.rules.size(); ++i) {  // rule i covers segments [lo, hi)
    const auto& a = pol.rules[i].match.addresses;
    const auto [lo, hi] = painter.segments_of(i);
    LAW_CHECK(a.empty() ? hi == 0u : painter.addresses(lo, hi) == a);
    ++t.expected;
  }
  for (auto c : all_proto_classes) {
    painter.start_class(c);
    const S::port_type top = has_ports(c) ? S::max_port : 0;
    LAW_CHECK(painter.port_class(0).lo == 0u);
    LAW_CHECK(painter.port_class(painter.port_class_count() - 1).hi == top);
    t.expected += 2;
    for (std::size_t j = 0; j < painter.port_class_count(); ++j) {
      const auto ports = painter.port_class(j);
      if (j > 0) {
        LAW_CHECK(ports.lo == painter.port_class(j - 1).hi + 1);
        ++t.expected;
      }
      std::vector<std::uint32_t> listed;
      painter.paint(j, j % 2 ? &listed : nullptr);  // both ways: with and without the listing
      if (j % 2) {
        LAW_CHECK(listed == holding(pol, c, ports.lo));
        ++t.expected;
      }
      for (auto port = ports.lo; port <= ports.hi; ++port) {
        for (std::uint32_t k = 0; k < painter.segment_count(); ++k) {
          const auto addresses = painter.addresses(k, k + 1);
          for (auto a = addresses.lo; a <= addresses.hi; ++a) {
            const auto m = matching(pol, point<S>{c, a, port});
            for (std::size_t l = 0; l < Layers; ++l)
              LAW_CHECK(painter.owner(l)[k] == (l < m.size() ? m[l] : decision::no_rule));
            t.expected += Layers;
            ++t.points;
            if (Layers == 2 && m.size() > 1) ++t.second_owners;
          }
        }
      }
    }
  }
#undef LAW_CHECK
}

TEST_CASE("law: the painter's owners are the first matching rules", "[laws][painter]") {
  const std::uint64_t seed = 81;
  constexpr int policies = 300;
  rng_type rng(seed);
  tally t;
  for (int n = 0; n < policies; ++n) {
    const auto pol = secgroup_test::random_policy<S>(rng);
    check_painter<1>(pol, seed, n, t);
    check_painter<2>(pol, seed, n, t);
  }
  // Every point of the space is checked once per policy and layer count.
  CHECK(t.points == 2 * policies * secgroup_test::all_points<S>().size());
  CHECK(t.law_checks == t.expected);
  CHECK(t.second_owners > 10000);
}

}  // namespace painter_laws
