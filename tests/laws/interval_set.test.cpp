// Laws of interval_set (interval_set.hpp), checked against brute force on tiny universes: a
// window of n consecutive values of each unsigned type, placed at the bottom of the domain, at
// its top (where max + 1 overflows) and, for uint128, across the 2^64 carry. Sets of a window
// are bit vectors; every operation must agree with the bitwise one and return the normal form
// (sorted, disjoint, non-adjacent runs), built here independently from the bits. On 6 values
// every pair of sets is enumerated; on wider windows random sets with overlapping, adjacent and
// empty pieces. The algebraic laws (a - a = 0, De Morgan within the universe, commutativity,
// associativity, inclusion as empty difference, inclusion-exclusion of counts, idempotent
// normalisation) are checked as such too, so they hold even where the oracle is not consulted.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <secgroup/interval_set.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "laws/law_check.hpp"
#include "support/random_groups.hpp"

using namespace secgroup;
using secgroup_test::rng_type;
using secgroup_test::uniform;

namespace {

using bits = std::vector<bool>;

/// The largest value of T.
template <class T>
constexpr T top_of() {
  return static_cast<T>(~T{0});
}

template <class T>
std::string text_of(const T& v) {
  if constexpr (std::is_same_v<T, uint128>)
    return to_string(v);
  else
    return std::to_string(v);
}

template <class T>
std::string text_of(const interval_set<T>& s) {
  std::string out = "{";
  for (const auto& r : s) out += " [" + text_of(r.lo) + ", " + text_of(r.hi) + "]";
  return out + " }";
}

/// n consecutive values of T from `base`: the universe the brute force enumerates.
template <class T>
struct window {
  T base{};
  std::size_t n = 0;

  T at(std::size_t k) const { return static_cast<T>(base + static_cast<T>(k)); }
  std::size_t index(const T& v) const {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(static_cast<T>(v - base)));
  }
  interval<T> universe() const { return {base, at(n - 1)}; }

  /// The runs of `b`, found by scanning the bits: the normal form, built independently.
  std::vector<interval<T>> runs_of(const bits& b) const {
    std::vector<interval<T>> out;
    for (std::size_t k = 0; k < n;) {
      if (!b[k]) {
        ++k;
        continue;
      }
      std::size_t end = k;
      while (end + 1 < n && b[end + 1]) ++end;
      out.push_back({at(k), at(end)});
      k = end + 1;
    }
    return out;
  }

  /// The bits of `s`, which must lie in the window.
  bits bits_of(const interval_set<T>& s) const {
    bits out(n, false);
    for (const auto& r : s)
      for (auto k = index(r.lo); k <= index(r.hi); ++k) out[k] = true;
    return out;
  }

  /// The set of mask `m` (bit k = value at(k)), from single values in scrambled order, so that
  /// construction merges adjacent runs.
  interval_set<T> set_of_mask(std::uint64_t m, rng_type& rng) const {
    std::vector<interval<T>> pieces;
    for (std::size_t k = 0; k < n; ++k)
      if ((m >> k) & 1) pieces.push_back({at(k), at(k)});
    std::shuffle(pieces.begin(), pieces.end(), rng);
    return interval_set<T>(std::move(pieces));
  }

  /// Random pieces of the window: overlapping, adjacent, and some empty (hi < lo).
  std::vector<interval<T>> random_pieces(rng_type& rng) const {
    std::vector<interval<T>> out;
    const auto count = uniform(rng, 0, 6);
    for (std::uint64_t i = 0; i < count; ++i) {
      auto a = uniform(rng, 0, n - 1), b = uniform(rng, 0, n - 1);
      if (secgroup_test::chance(rng, 10))
        out.push_back({at(std::max(a, b)), at(std::min(a, b))});  // empty unless a == b
      else if (secgroup_test::chance(rng, 30))
        out.push_back({at(a), at(std::min<std::uint64_t>(a + uniform(rng, 0, 2), n - 1))});
      else
        out.push_back({at(std::min(a, b)), at(std::max(a, b))});
    }
    return out;
  }

  /// The bits of `pieces`.
  bits bits_of(const std::vector<interval<T>>& pieces) const {
    bits out(n, false);
    for (const auto& r : pieces)
      if (!(r.hi < r.lo))
        for (auto k = index(r.lo); k <= index(r.hi); ++k) out[k] = true;
    return out;
  }
};

bits operator|(const bits& a, const bits& b) {
  bits out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k] = a[k] || b[k];
  return out;
}
bits operator&(const bits& a, const bits& b) {
  bits out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k] = a[k] && b[k];
  return out;
}
bits operator~(const bits& a) {
  bits out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k] = !a[k];
  return out;
}
std::uint64_t count_of(const bits& a) {
  return static_cast<std::uint64_t>(std::count(a.begin(), a.end(), true));
}
bool subset(const bits& a, const bits& b) {
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k] && !b[k]) return false;
  return true;
}

/// The windows a type is checked on: its bottom, its top, and for uint128 the 2^64 carry.
template <class T>
std::vector<window<T>> windows_of(std::size_t n) {
  std::vector<window<T>> out{{T{}, n}, {static_cast<T>(top_of<T>() - static_cast<T>(n - 1)), n}};
  if constexpr (std::is_same_v<T, uint128>) out.push_back({uint128{1, 0} - n / 2, n});
  return out;
}

/// Checks every operation on (a, b) against the bits (A, B), and the laws relating them; adds
/// the number of checks to `law_checks`.
template <class T>
void check_pair(const window<T>& w, const interval_set<T>& a, const bits& A,
                const interval_set<T>& b, const bits& B, std::uint64_t& law_checks) {
  const auto U = w.universe();
#define LAW_CHECK(cond) \
  SECGROUP_LAW_CHECK(   \
      cond, "window from " << text_of(w.base) << ": a = " << text_of(a) << ", b = " << text_of(b))
  // Agreement with brute force, in normal form.
  LAW_CHECK(a.runs() == w.runs_of(A));
  LAW_CHECK((a | b).runs() == w.runs_of(A | B));
  LAW_CHECK((a & b).runs() == w.runs_of(A & B));
  LAW_CHECK((a - b).runs() == w.runs_of(A & ~B));
  LAW_CHECK(complement(a, U).runs() == w.runs_of(~A));
  LAW_CHECK(b.includes(a) == subset(A, B));
  LAW_CHECK(a.count() == typename interval_set<T>::count_type(count_of(A)));
  bool members = true;
  for (std::size_t k = 0; k < w.n; ++k) members = members && a.contains(w.at(k)) == A[k];
  LAW_CHECK(members);
  // The algebra.
  LAW_CHECK((a - a).empty());
  LAW_CHECK(complement(a | b, U) == (complement(a, U) & complement(b, U)));
  LAW_CHECK(complement(a & b, U) == (complement(a, U) | complement(b, U)));
  LAW_CHECK(complement(complement(a, U), U) == a);
  LAW_CHECK((a | b) == (b | a));
  LAW_CHECK((a & b) == (b & a));
  LAW_CHECK(b.includes(a) == (a - b).empty());
  LAW_CHECK((a | b).count() + (a & b).count() == a.count() + b.count());
  LAW_CHECK(((a - b) | (a & b)) == a);
  // Building: adding b's runs one by one (last first, so they land before others) is a | b,
  // and so are the compound assignments.
  auto added = a;
  for (auto it = b.runs().rbegin(); it != b.runs().rend(); ++it) added.add(*it);
  LAW_CHECK(added == (a | b));
  auto u = a, i = a, d = a;
  u |= b;
  i &= b;
  d -= b;
  LAW_CHECK(u == (a | b) && i == (a & b) && d == (a - b));
  // Intervals: contains(interval) is inclusion of a one-run set (every interval of a small
  // window, a grid of them on a wide one).
  bool intervals = true;
  const std::size_t step = std::max<std::size_t>(1, w.n / 12);
  for (std::size_t k = 0; k < w.n; k += step)
    for (std::size_t l = k; l < w.n; l += step) {
      const interval<T> r{w.at(k), w.at(l)};
      intervals = intervals && a.contains(r) == a.includes(interval_set<T>{r});
    }
  LAW_CHECK(intervals);
#undef LAW_CHECK
}
constexpr std::uint64_t checks_per_pair = 20;

/// Checks the laws of three sets that no pair can show.
template <class T>
void check_triple(const window<T>& w, const interval_set<T>& a, const interval_set<T>& b,
                  const interval_set<T>& c, std::uint64_t& law_checks) {
#define LAW_CHECK(cond)                                                                \
  SECGROUP_LAW_CHECK(cond, "window from " << text_of(w.base) << ": a = " << text_of(a) \
                                          << ", b = " << text_of(b) << ", c = " << text_of(c))
  LAW_CHECK(((a | b) | c) == (a | (b | c)));
  LAW_CHECK(((a & b) & c) == (a & (b & c)));
  LAW_CHECK((a & (b | c)) == ((a & b) | (a & c)));
  LAW_CHECK((a | (b & c)) == ((a | b) & (a | c)));
  LAW_CHECK((a - (b | c)) == ((a - b) & (a - c)));
#undef LAW_CHECK
}
constexpr std::uint64_t checks_per_triple = 5;

}  // namespace

TEMPLATE_TEST_CASE("law: interval_set agrees with brute force on every pair of a 6-value universe",
                   "[laws][interval_set]", std::uint8_t, std::uint16_t, std::uint32_t,
                   std::uint64_t, uint128) {
  using T = TestType;
  rng_type rng(71);
  std::uint64_t law_checks = 0;
  const auto windows = windows_of<T>(6);
  for (const auto& w : windows) {
    std::vector<interval_set<T>> sets;
    std::vector<bits> masks;
    for (std::uint64_t m = 0; m < 64; ++m) {
      sets.push_back(w.set_of_mask(m, rng));
      bits b(6);
      for (std::size_t k = 0; k < 6; ++k) b[k] = ((m >> k) & 1) != 0;
      masks.push_back(b);
    }
    for (std::size_t i = 0; i < 64; ++i)
      for (std::size_t j = 0; j < 64; ++j)
        check_pair(w, sets[i], masks[i], sets[j], masks[j], law_checks);
    for (int n = 0; n < 4000; ++n)
      check_triple(w, sets[uniform(rng, 0, 63)], sets[uniform(rng, 0, 63)],
                   sets[uniform(rng, 0, 63)], law_checks);
  }
  CHECK(law_checks == windows.size() * (64 * 64 * checks_per_pair + 4000 * checks_per_triple));
}

TEMPLATE_TEST_CASE("law: interval_set agrees with brute force on random sets of 200 values",
                   "[laws][interval_set]", std::uint8_t, std::uint16_t, std::uint32_t,
                   std::uint64_t, uint128) {
  using T = TestType;
  const std::uint64_t seed = GENERATE(72, 73);
  rng_type rng(seed);
  std::uint64_t law_checks = 0;
  const auto windows = windows_of<T>(200);
  for (const auto& w : windows) {
    for (int n = 0; n < 600; ++n) {
      const auto pa = w.random_pieces(rng), pb = w.random_pieces(rng), pc = w.random_pieces(rng);
      const interval_set<T> a(pa), b(pb), c(pc);
      check_pair(w, a, w.bits_of(pa), b, w.bits_of(pb), law_checks);
      check_triple(w, a, b, c, law_checks);
    }
  }
  CHECK(law_checks == windows.size() * 600 * (checks_per_pair + checks_per_triple));
}

TEMPLATE_TEST_CASE("law: normalisation is idempotent and merges adjacent and overlapping runs",
                   "[laws][interval_set]", std::uint8_t, std::uint16_t, std::uint32_t,
                   std::uint64_t, uint128) {
  using T = TestType;
  rng_type rng(74);
  std::uint64_t law_checks = 0;
  const auto windows = windows_of<T>(40);
  for (const auto& w : windows) {
    for (int n = 0; n < 500; ++n) {
      auto pieces = w.random_pieces(rng);
      const interval_set<T> once(pieces);
#define LAW_CHECK(cond) \
  SECGROUP_LAW_CHECK(cond, "window from " << text_of(w.base) << ": " << text_of(once))
      // The normal form: sorted, disjoint, not adjacent, no empty run.
      bool normal = true;
      for (std::size_t k = 0; k < once.size(); ++k) {
        const auto& r = once.runs()[k];
        normal = normal && !(r.hi < r.lo);
        if (k > 0)
          normal = normal && once.runs()[k - 1].hi < r.lo &&
                   static_cast<T>(once.runs()[k - 1].hi + T{1}) != r.lo;
      }
      LAW_CHECK(normal);
      LAW_CHECK(once.runs() == w.runs_of(w.bits_of(pieces)));
      LAW_CHECK(interval_set<T>(once.runs()) == once);  // normalising twice = once
      // Any order, any way of building: the same set.
      std::shuffle(pieces.begin(), pieces.end(), rng);
      interval_set<T> added;
      for (const auto& r : pieces) added.add(r);
      LAW_CHECK(interval_set<T>(pieces) == once && added == once);
      // Splitting every run into adjacent halves and overlapping copies changes nothing.
      std::vector<interval<T>> split;
      for (const auto& r : once) {
        const auto mid = w.at((w.index(r.lo) + w.index(r.hi)) / 2);
        split.push_back({r.lo, mid});
        if (mid < r.hi) split.push_back({static_cast<T>(mid + T{1}), r.hi});
        split.push_back(r);
      }
      std::shuffle(split.begin(), split.end(), rng);
      LAW_CHECK(interval_set<T>(split) == once);
#undef LAW_CHECK
    }
  }
  CHECK(law_checks == windows.size() * 500 * 5);
}

TEMPLATE_TEST_CASE("interval_set: the whole domain, its top value and its count",
                   "[laws][interval_set]", std::uint8_t, std::uint16_t, std::uint32_t,
                   std::uint64_t, uint128) {
  using T = TestType;
  using count_type = typename interval_set<T>::count_type;
  constexpr T top = top_of<T>();
  const interval<T> all{T{}, top};
  const interval_set<T> whole{all};
  const interval_set<T> last{{top, top}};
  // The count of the whole domain: 2^bits, exact below 128 bits, 0 (wrapped) for uint128.
  count_type expected{};
  if constexpr (std::is_same_v<T, uint128>)
    expected = uint128{};
  else if constexpr (sizeof(T) == 8)
    expected = uint128{1, 0};
  else
    expected = count_type{1} << (sizeof(T) * 8);
  CHECK(whole.count() == expected);
  CHECK(last.count() == count_type{1});
  CHECK(whole.contains(top));
  CHECK(last.contains(top));
  CHECK_FALSE(last.contains(static_cast<T>(top - T{1})));
  // The top value joins the run below it, and splits off cleanly.
  CHECK((interval_set<T>{{T{}, static_cast<T>(top - T{1})}} | last) == whole);
  CHECK((whole - last) == interval_set<T>{{T{}, static_cast<T>(top - T{1})}});
  CHECK((whole - interval_set<T>{{T{}, T{}}}) == interval_set<T>{{T{1}, top}});
  CHECK(complement(last, all) == interval_set<T>{{T{}, static_cast<T>(top - T{1})}});
  CHECK(complement(whole, all).empty());
  CHECK(complement(interval_set<T>{}, all) == whole);
  CHECK(whole.includes(last));
  CHECK_FALSE(last.includes(whole));
  auto grown = last;
  grown.add({T{}, T{0}}).add({T{1}, static_cast<T>(top - T{1})});
  CHECK(grown == whole);
  CHECK(grown.size() == 1u);
}
