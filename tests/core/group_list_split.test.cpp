// Reading one `{"security_groups": [...]}` export on several threads (io/group_list_split.hpp):
// split_group_list() finds the list's elements (strings holding brackets, quotes and escapes,
// nested values, other top-level keys) and gives up on every document it must not split; and
// parse_group_input(text, path, jobs) gives what the serial read gives, groups and errors alike
// (same type, id, field and message), on a generated export of many groups and on that export
// broken in each way the serial read reports. scan_brackets(), which finds each element's
// extent and bounds the nesting, finds what a byte loop finds on random texts.
#include <catch2/catch.hpp>

#include <secgroup/detail/json_brackets.hpp>
#include <secgroup/io/group_list_split.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/io/source.hpp>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "support/random_groups.hpp"

namespace group_list_split_test {

using namespace secgroup;
using secgroup::detail::json_io::split_group_list;

/// What reading `text` as a group file on `jobs` threads gives (jobs 0: the serial read,
/// parse_group_input_serially): the groups written back, or the error's type, id, field and
/// message.
std::string outcome(const std::string& text, unsigned jobs) {
  try {
    const auto in = jobs ? parse_group_input(text, "e.json", jobs)
                         : secgroup::detail::json_io::parse_group_input_serially(text, "e.json");
    return groups_to_json(in.groups).dump();
  } catch (const error& e) {
    return std::string("error ") + typeid(e).name() + " " + e.id() + " [" + e.field() + "] " +
           e.message();
  }
}

/// `{"security_groups": [...]}` with the given element texts.
std::string export_of(const std::vector<std::string>& elements) {
  std::string out = "{\"security_groups\": [";
  for (std::size_t k = 0; k < elements.size(); ++k) out += (k ? ",\n  " : "\n  ") + elements[k];
  return out + "\n]}";
}

/// `count` random groups with ids, names and descriptions full of JSON's special characters,
/// each written as one element text.
std::vector<std::string> random_elements(std::size_t count) {
  secgroup_test::rng_type rng(20261205);
  std::vector<std::string> out;
  for (std::size_t k = 0; k < count; ++k) {
    secgroup_test::group_options o;
    o.max_rules = 15;
    o.default_id_percent = 0;
    auto g = secgroup_test::random_group(rng, o);
    g.id = "group-" + std::to_string(k);
    g.name = "n\"],[{\"security_groups\": [" + std::to_string(k);
    g.description = "a \\\"quoted\\\" ] } [ { \\\\ back\n\ttab \xc3\xa9 \"}";
    g.tags = {"[", "]", "{\"x\"}", "\\"};
    g.servers = {{"s-" + std::to_string(k), "server ]"}};
    for (std::size_t i = 0; i < g.rules.size(); ++i)
      g.rules[i].id = "rule-" + std::to_string(k) + "-" + std::to_string(i);
    json item = group_to_json(g);
    json rules = json::array();
    for (const auto& r : ordered_rules(g)) rules.push_back(rule_to_json(r));
    item["rules"] = std::move(rules);
    out.push_back(item.dump(k % 2 ? 2 : -1));
  }
  return out;
}

/// The brackets outside strings of `text` from `from`, as (offset, opens): a byte loop, as
/// nesting_overflow() read every text before scan_brackets().
std::vector<std::pair<std::size_t, bool>> brackets_by_bytes(std::string_view text,
                                                            std::size_t from) {
  std::vector<std::pair<std::size_t, bool>> out;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '[' || c == '{' || c == ']' || c == '}') {
      out.emplace_back(i, c == '[' || c == '{');
    }
  }
  return out;
}

/// A random text of `size` bytes: plain bytes, with quotes, backslashes and brackets as often
/// as `density` of 8 (so that some windows of 64 bytes hold no backslash, and some strings
/// run across windows).
std::string random_json_bytes(secgroup_test::rng_type& rng, std::size_t size, unsigned density) {
  static constexpr char special[] = {'"', '\\', '[', ']', '{', '}', ' ', ':'};
  std::string out(size, 'a');
  for (auto& c : out) {
    if (rng() % 8 < density)
      c = special[rng() % 8];
    else if (rng() % 4 == 0)
      c = "\"[{"[rng() % 3];  // no backslash: texts with few of them
  }
  return out;
}

}  // namespace group_list_split_test

TEST_CASE("scan_brackets finds the brackets a byte loop finds, and stops where told") {
  using namespace group_list_split_test;
  secgroup_test::rng_type rng(20261207);
  for (int round = 0; round < 20000; ++round) {
    const std::string text = random_json_bytes(rng, rng() % 400, static_cast<unsigned>(rng() % 8));
    const std::size_t from = rng() % (text.size() + 1);
    CAPTURE(text, from);
    auto want = brackets_by_bytes(text, from);
    const std::size_t stop = rng() % (want.size() + 2);  // stop at the stop-th; 0: never
    std::vector<std::pair<std::size_t, bool>> got;
    const auto at = secgroup::detail::scan_brackets(text, from, [&](std::size_t i, bool opens) {
      got.emplace_back(i, opens);
      return got.size() != stop;
    });
    if (stop >= 1 && stop <= want.size()) {
      want.resize(stop);
      CHECK(at == want.back().first);
    } else {
      CHECK(at == std::string_view::npos);
    }
    REQUIRE(got == want);
    // The nesting bound reads the same brackets, with comments (the byte loop) or without.
    const std::size_t limit = rng() % 6;
    REQUIRE(secgroup::detail::json_io::nesting_overflow(text, false, limit) ==
            secgroup::detail::json_io::nesting_overflow(text, true, limit));
  }
  // A string's backslash as the last byte of a window takes the first byte of the next.
  std::string text = "[\"" + std::string(61, 'x') + "\\\"]\"]" + std::string(64, ' ');
  CHECK(brackets_by_bytes(text, 0) ==
        std::vector<std::pair<std::size_t, bool>>{{0, true}, {67, false}});
  std::vector<std::size_t> found;
  secgroup::detail::scan_brackets(text, 0, [&](std::size_t i, bool) {
    found.push_back(i);
    return true;
  });
  CHECK(found == std::vector<std::size_t>{0, 67});
}

TEST_CASE("split_group_list finds the elements of the list and nothing else") {
  using group_list_split_test::split_group_list;
  auto parts = split_group_list(R"( {"security_groups": []} )");
  REQUIRE(parts);
  CHECK(parts->elements.empty());
  parts = split_group_list(
      "{\"total_count\": 3,\n\"security_groups\" : [ {\"name\": \"a]}\\\"[\"}, "
      "{\"tags\": [[], {\"k\": [\"}\"]}]} ,7 , \"s\\\\\", null\t],\r\n\"x\": {\"a\": \"]\"}}");
  REQUIRE(parts);
  CHECK(parts->elements == std::vector<std::string_view>{"{\"name\": \"a]}\\\"[\"}",
                                                         "{\"tags\": [[], {\"k\": [\"}\"]}]}", "7",
                                                         "\"s\\\\\"", "null"});
  CHECK(parts->others == std::vector<std::string_view>{"3", "{\"a\": \"]\"}"});
  // Every document the split must leave to the serial read.
  // 510 levels in an element, 512 with the object and the list: max_json_depth, split.
  const std::string deep = std::string(510, '[') + std::string(510, ']');
  CHECK(split_group_list("{\"security_groups\": [" + deep + "]}"));
  const char* unsplit[] = {
      "[{\"security_groups\": []}]",
      "{}",
      "{\"security_group\": {}, \"security_groups\": []}",
      "{\"security_groups\": [], \"security_group\": {}}",
      "{\"security_groups\": [], \"security_groups\": []}",
      "{\"x\": 1, \"security_groups\": [], \"x\": 2}",
      "{\"security\\u005fgroups\": []}",
      "{\"security_groups\": 3}",
      "{\"security_groups\": [{}]} x",
      "{\"security_groups\": [{}]",
      "{\"security_groups\": [{\"a\": \"}]}",
      "{\"security_groups\": [{},]}",
      "{\"security_groups\": [,]}",
      "{\"format_version\": \"1.2\", \"security_groups\": []}",
      "{\"version\": 4, \"security_groups\": []}",
      "\xef\xbb\xbf{\"security_groups\": []}",
      "{\"security_groups\": []} // c",
      "{\"caf\xc3\xa9\": 1, \"security_groups\": []}",
  };
  for (const char* text : unsplit) {
    CAPTURE(text);
    CHECK_FALSE(split_group_list(text));
  }
  CHECK_FALSE(split_group_list("{\"security_groups\": [[" + deep + "]]}"));  // 513
  CHECK_FALSE(split_group_list("{\"x\": " + std::string(512, '[') + std::string(512, ']') +
                               ", \"security_groups\": []}"));
}

TEST_CASE("an export read on several threads gives the groups the serial read gives") {
  using group_list_split_test::outcome;
  using group_list_split_test::split_group_list;
  using secgroup::json;
  const auto elements = group_list_split_test::random_elements(400);
  const auto text = group_list_split_test::export_of(elements);
  REQUIRE(split_group_list(text));
  CHECK(split_group_list(text)->elements.size() == 400);
  const auto serial = outcome(text, 0);
  REQUIRE(serial.find("error") != 0);
  CHECK(json::parse(serial).at("security_groups").size() == 400);
  for (unsigned jobs : {1u, 2u, 4u, 7u}) {
    CAPTURE(jobs);
    CHECK(outcome(text, jobs) == serial);
  }
  // With other top-level keys beside the list, and an empty list.
  const std::string beside =
      "{\"total_count\": 400, \"links\": {\"next\": \"?page=2]\"}," + text.substr(1);
  REQUIRE(split_group_list(beside));
  CHECK(outcome(beside, 2) == serial);
  CHECK(outcome("{\"security_groups\": []}", 2) == outcome("{\"security_groups\": []}", 0));
}

TEST_CASE("an export read on several threads fails as the serial read fails") {
  using group_list_split_test::export_of;
  using group_list_split_test::outcome;
  using group_list_split_test::split_group_list;
  using secgroup::json;
  const auto elements = group_list_split_test::random_elements(120);
  // Element k with field `key` set to `value` (a JSON text), written as the others are.
  auto set = [&](std::vector<std::string> e, std::size_t k, const char* key,
                 const std::string& value) {
    json item = json::parse(e[k]);
    item[key] = json::parse(value);
    e[k] = item.dump();
    return e;
  };
  // The export with `inserted` after element k's opening brace (an unknown key, ignored).
  auto with = [&](std::size_t k, const std::string& inserted) {
    auto e = elements;
    e[k].insert(1, inserted);
    return export_of(e);
  };
  struct broken {
    std::string text;
    bool split;     // split_group_list splits it
    bool reported;  // read_group_list reports the error itself (else the serial read does)
  };
  const auto both_bad = set(set(elements, 90, "inbound_default_policy", "\"maybe\""), 40, "rules",
                            R"([{"protocol": "TCP", "direction": "in"}])");
  const std::vector<broken> cases = {
      {export_of(both_bad), true, true},  // the first bad group by position, not by thread
      {export_of(set(elements, 100, "id", "\"group-7\"")), true, true},  // named at the later group
      {export_of(set(elements, 60, "stateful", "3")), true, true},
      {export_of(set(elements, 119, "servers", "[1]")), true, true},
      {export_of(set(elements, 0, "security_groups", "[]")), true, true},
      {with(70, "\"x\": tru, "), true, false},       // syntax: line and column
      {with(70, "\"x\": 1e999, "), true, false},     // a number no double holds
      {with(70, "\"x\": \"\x01\", "), true, false},  // a control character
      {with(70, "\"x\": \"\xff\", "), true, false},  // not UTF-8
      {with(70, "\"x\": " + std::string(600, '[') + std::string(600, ']') + ", "), false, false},
      {export_of(elements) + ",", false, false},
      {"{\"total_count\": 1e999," + export_of(elements).substr(1), true, false},
      {"{\"security_group\": {}," + export_of(elements).substr(1), false, false},
      // A repeated key: in an element, beside the list, in a value beside it.
      {with(70, "\"name\": \"other\", "), true, false},
      {with(70, "\"x\": {\"y\": 1, \"y\": 2}, "), true, false},
      {"{\"x\": 1, \"x\": 2," + export_of(elements).substr(1), false, false},
      {"{\"x\": {\"y\": 1, \"y\": 2}," + export_of(elements).substr(1), true, false},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    const std::string& text = c.text;
    CAPTURE(n++);
    CHECK(split_group_list(text).has_value() == c.split);
    bool reported = false;
    try {
      const bool read = secgroup::detail::json_io::read_group_list(text, "e.json", 2).has_value();
      CHECK_FALSE(read);  // an error: the groups are never returned
    } catch (const secgroup::error&) {
      reported = true;
    }
    CHECK(reported == c.reported);
    const auto serial = outcome(text, 0);
    CHECK(serial.rfind("error ", 0) == 0);
    CHECK(outcome(text, 1) == serial);
    CHECK(outcome(text, 2) == serial);
    CHECK(outcome(text, 5) == serial);
  }
  // The first case names group 40, not 90; a repeated key in group 70 is named there.
  CHECK(outcome(cases[0].text, 2).find("security_groups[40].rules[0]") != std::string::npos);
  CHECK(outcome(cases[cases.size() - 4].text, 2)
            .find("[e.json: security_groups[70].name] duplicate key 'name'") != std::string::npos);
}
