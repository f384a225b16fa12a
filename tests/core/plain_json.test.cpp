// The events of JSON text written plainly (detail/plain_json.hpp): scan_plain_json() gives the
// first events nlohmann's parser gives for the same text, all of them when it reads the text to
// its end, on random documents and on those documents broken a byte at a time; it reads every
// document written plainly to its end; a consumer refusing an event stops it there.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <secgroup/detail/plain_json.hpp>
#include <secgroup/io/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/random_groups.hpp"

namespace plain_json_test {

using secgroup::json;
using secgroup::detail::plain_scan;
using secgroup::detail::scan_plain_json;
using secgroup_test::chance;
using secgroup_test::uniform;

/// A SAX consumer writing down every event; it refuses the `refuse_at`-th (1-based).
struct recorder {
  std::vector<std::string> events;
  std::size_t refuse_at = std::numeric_limits<std::size_t>::max();

  bool add(std::string e) {
    events.push_back(std::move(e));
    return events.size() != refuse_at;
  }
  bool null() { return add("null"); }
  bool boolean(bool v) { return add(v ? "true" : "false"); }
  bool number_integer(json::number_integer_t v) { return add("i" + std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add("u" + std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t& s) { return add("f" + s); }
  bool string(json::string_t& s) { return add("s" + s); }
  bool binary(json::binary_t&) { return add("binary"); }
  bool start_object(std::size_t n) { return add("{" + std::to_string(n)); }
  bool key(json::string_t& k) { return add("k" + k); }
  bool end_object() { return add("}"); }
  bool start_array(std::size_t n) { return add("[" + std::to_string(n)); }
  bool end_array() { return add("]"); }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    events.push_back("error");
    return false;
  }
};

/// nlohmann's events for `text` (strict, no comments), "error" last when it fails.
std::vector<std::string> nlohmann_events(const std::string& text) {
  recorder r;
  json::sax_parse(text.begin(), text.end(), &r, json::input_format_t::json, true, false);
  return r.events;
}

/// A random JSON value, `depth` levels down. Clears `plain` when what it makes is not written
/// plainly: a string with an escape or a byte beyond ASCII, a negative or fractional number,
/// an integer of 20 digits, nesting deeper than plain_json_depth.
json random_value(secgroup_test::rng_type& rng, std::size_t depth, bool& plain) {
  const auto kind = uniform(rng, 0, depth > 20 ? 5 : 7);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return chance(rng, 50);
    case 2: {
      const auto v = chance(rng, 20) ? rng() : uniform(rng, 0, chance(rng, 50) ? 9 : 70000);
      plain &= v < 10000000000000000000ull;
      return v;
    }
    case 3:
      plain = false;
      return chance(rng, 50) ? json(-static_cast<std::int64_t>(uniform(rng, 0, 1000)))
                             : json(static_cast<double>(uniform(rng, 0, 1000)) / 8);
    case 4:
    case 5: {
      static constexpr std::string_view plain_bytes = "aZ09 _-/:.{}[],";
      static constexpr std::string_view others[] = {"\"", "\\", "\t", "\n", "\x01", "\xc3\xa9"};
      std::string s;
      for (auto n = uniform(rng, 0, 8); n > 0; --n) {
        if (chance(rng, 80)) {
          s += plain_bytes[uniform(rng, 0, plain_bytes.size() - 1)];
        } else {
          s += others[uniform(rng, 0, std::size(others) - 1)];
          plain = false;
        }
      }
      return s;
    }
    default: {
      if (depth >= secgroup::detail::plain_json_depth) plain = false;
      const bool object = chance(rng, 50);
      json out = object ? json::object() : json::array();
      for (auto n = uniform(rng, 0, 4); n > 0; --n) {
        auto v = random_value(rng, depth + 1, plain);
        if (!object) {
          out.push_back(std::move(v));
        } else if (chance(rng, 10)) {
          out["k\xc3\xa9" + std::to_string(n)] = std::move(v);
          plain = false;
        } else {
          out["k" + std::to_string(n)] = std::move(v);
        }
      }
      return out;
    }
  }
}

/// `text` with one byte replaced, inserted or removed, from bytes that matter to JSON.
std::string broken(secgroup_test::rng_type& rng, std::string text) {
  static constexpr char bytes[] = "{}[],:\" \\0123456789.-eEtrufalsn\x01\x7f\xff";
  const char b = bytes[uniform(rng, 0, sizeof bytes - 2)];
  const std::size_t at = uniform(rng, 0, text.size());
  switch (uniform(rng, 0, 2)) {
    case 0:
      if (at < text.size()) text[at] = b;
      break;
    case 1:
      text.insert(at, 1, b);
      break;
    default:
      if (at < text.size()) text.erase(at, 1);
  }
  return text;
}

}  // namespace plain_json_test

TEST_CASE("scan_plain_json gives nlohmann's first events, all of them when it reads to the end") {
  using namespace plain_json_test;
  secgroup_test::rng_type rng(20261210);
  std::size_t done = 0, unsure = 0, stopped = 0, plain_read = 0;
  for (int round = 0; round < 6000; ++round) {
    bool plain = true;
    const json doc = random_value(rng, 0, plain);
    std::string text = doc.dump(chance(rng, 50) ? -1 : static_cast<int>(uniform(rng, 0, 3)));
    const bool intact = chance(rng, 50);
    if (!intact) text = broken(rng, text);
    CAPTURE(text);
    const auto want = nlohmann_events(text);
    recorder r;
    if (chance(rng, 20)) r.refuse_at = uniform(rng, 1, 8);
    const auto how = scan_plain_json(text, r);
    REQUIRE(r.events.size() <= want.size());
    CHECK(std::vector<std::string>(want.begin(), want.begin() + r.events.size()) == r.events);
    if (how == plain_scan::done) {
      CHECK(r.events == want);  // every event, and no error after them
      ++done;
    } else if (how == plain_scan::stopped) {
      CHECK(r.events.size() == r.refuse_at);
      ++stopped;
    } else {
      ++unsure;
    }
    if (intact && plain && r.refuse_at > want.size()) {
      CHECK(how == plain_scan::done);  // every plain document is read to its end
      ++plain_read;
    }
  }
  CAPTURE(done, unsure, stopped, plain_read);
  CHECK(done > 1000);
  CHECK(unsure > 1000);
  CHECK(stopped > 100);
  CHECK(plain_read > 1000);
}

TEST_CASE("scan_plain_json leaves every number, string and nesting it cannot read exactly") {
  using namespace plain_json_test;
  // Read to the end.
  for (const char* text :
       {"0", "9999999999999999999", " [1, 22 ,333]\n", "{\"a\":{\"b\":[true,false,null]}}", "\"\"",
        "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "{}", "[]", " \t\r\n\"x y/~\" "}) {
    CAPTURE(text);
    recorder r;
    CHECK(scan_plain_json(text, r) == plain_scan::done);
    CHECK(r.events == nlohmann_events(text));
  }
  // Left to nlohmann: fractions, exponents, signs, leading zeros, 20 digits, escapes, bytes
  // beyond ASCII, control bytes, 17 levels, literals cut short, trailing text, a BOM.
  // clang-format off
  const char* unsure_texts[] = {
      "1.0", "1e3", "1E3", "-0", "-1", "01", "10000000000000000000", "18446744073709551616",
      "\"a\\\"b\"", "\"\\u0041\"", "\"\xc3\xa9\"", "\"a\tb\"", "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]",
      "tru", "nul", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "[1] x", "", " ", "\xef\xbb\xbf[]"};
  // clang-format on
  for (const char* text : unsure_texts) {
    CAPTURE(text);
    recorder r;
    CHECK(scan_plain_json(text, r) == plain_scan::unsure);
    const auto want = nlohmann_events(text);
    REQUIRE(r.events.size() <= want.size());
    CHECK(std::vector<std::string>(want.begin(), want.begin() + r.events.size()) == r.events);
  }
}
