// JSON sinks (io/json_sink.hpp): json_text writes what nlohmann's dump(2) writes and json_builder
// makes the value itself, for fixed-seed random documents whose strings hold every kind of byte
// nlohmann escapes; both reject invalid UTF-8 as dump() does; fragments put again are the same.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <secgroup/io/json_sink.hpp>
#include <string>
#include <vector>

using namespace secgroup;

namespace json_sink_test {

// A string of plain ASCII, quotes, backslashes, control characters, DEL and UTF-8 sequences.
std::string random_string(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a",    "Z",    " ",    "0",        "\"",           "\\",
      "/",    "\n",   "\t",   "\r",       "\b",           "\f",
      "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x92",
      "[]",   "{}",   ": ",   ",",        "\\u0000",      "\"items\": []"};
  std::string s;
  for (auto n = rng() % 6; n-- > 0;) s += pieces[rng() % pieces.size()];
  return s;
}

// A random value of at most `depth` levels of containers.
json random_value(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 0 ? 9 : 6)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<std::int64_t>(rng()) - (std::int64_t{1} << 31);
    case 3:
      return std::uint64_t{rng()} << 32 | rng();
    case 4:
      return random_string(rng);
    case 5:
      return static_cast<double>(rng() % 1000) / 8.0;
    case 6:
    case 7: {
      json object = json::object();
      for (auto n = rng() % 4; n-- > 0;) object[random_string(rng)] = random_value(rng, depth - 1);
      return object;
    }
    default: {
      json array = json::array();
      for (auto n = rng() % 4; n-- > 0;) array.push_back(random_value(rng, depth - 1));
      return array;
    }
  }
}

// `text`'s lines, each indented by `indent` more spaces.
std::string indented(const std::string& text, std::size_t indent) {
  std::string out(indent, ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(indent, ' ');
  }
  return out;
}

}  // namespace json_sink_test

using namespace json_sink_test;

TEST_CASE("json_text: what dump(2) writes, for random documents at any indent") {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 2000; ++round) {
    const json value = random_value(rng, 4);
    for (std::size_t indent : {0, 2, 8}) {
      std::string text;
      json_text sink(text, indent);
      write_json_value(sink, value);
      REQUIRE(text == indented(value.dump(2), indent));
      CHECK(sink.count() == 1);
    }
  }
}

TEST_CASE("json_text: top-level values are elements, joined as dump(2) joins an array's") {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    json array = json::array();
    for (auto n = rng() % 4; n-- > 0;) array.push_back(random_value(rng, 3));
    // dump(2) of {"k": array}: the elements' lines are indented by 4, between "[\n" and "\n  ]".
    const json doc = {{"k", array}};
    const std::string expected = array.empty() ? std::string() : [&] {
      const std::string whole = doc.dump(2);
      const auto open = whole.find("[\n") + 2;
      return whole.substr(open, whole.rfind("\n  ]") - open);
    }();
    std::string four;
    json_text elements(four, 4);
    for (const auto& element : array) write_json_value(elements, element);
    REQUIRE(four == expected);
    CHECK(elements.count() == array.size());
  }
}

TEST_CASE("json_builder: makes the value the calls describe") {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const json value = random_value(rng, 4);
    json_builder sink;
    write_json_value(sink, value);
    REQUIRE(sink.take() == value);
  }
  // Fields, optionals and string forms.
  json_builder b;
  b.begin_object();
  b.field("some", std::optional<int>(3));
  b.field("none", std::optional<int>());
  b.field("literal", "text");
  b.field("view", std::string_view("v"));
  array_field(b, "empty", [] {});
  object_field(b, "object", [&] { b.field("x", 1); });
  b.end_object();
  CHECK(b.take().dump() ==
        R"({"some":3,"none":null,"literal":"text","view":"v","empty":[],"object":{"x":1}})");
}

TEST_CASE("json_text: scalars of every kind are written as dump() writes them") {
  std::string text;
  json_text sink(text, 0);
  sink.begin_array();
  sink.value(2.5);
  sink.value(-0.0);
  sink.value(1e300);
  sink.value(std::uint16_t{65535});
  sink.value(-7);
  sink.value(std::uint64_t{18446744073709551615u});
  sink.value(true);
  sink.value("c");
  sink.value(std::string("s"));
  sink.value(std::optional<double>(0.125));
  sink.end_array();
  const json expected = {2.5, -0.0, 1e300, 65535, -7, 18446744073709551615u, true, "c", "s", 0.125};
  CHECK(text == expected.dump(2));
}

TEST_CASE("json sinks: a fragment put again is what was written the first time") {
  for (std::size_t indent : {0, 6}) {
    const json rule = {{"id", "r1"}, {"line", nullptr}, {"ports", {22, 80}}};
    const json expected = {{"rules", {rule, rule}}, {"related", {rule}}};
    std::optional<json_text::fragment> kept_text;
    std::optional<json_builder::fragment> kept_dom;
    int made = 0;
    auto make = [&](auto& sink) {
      ++made;
      write_json_value(sink, rule);
    };
    std::string text;
    json_text t(text, indent);
    json_builder b;
    auto write = [&](auto& sink, auto& kept) {
      sink.begin_object();
      array_field(sink, "rules", [&] {
        sink.fragment_value(kept, make);
        sink.fragment_value(kept, make);
      });
      array_field(sink, "related", [&] { sink.fragment_value(kept, make); });
      sink.end_object();
    };
    write(t, kept_text);
    write(b, kept_dom);
    CHECK(made == 2);  // once per sink
    CHECK(text == indented(expected.dump(2), indent));
    CHECK(b.take() == expected);
  }
}

TEST_CASE("json_text: invalid UTF-8 is rejected as dump() rejects it") {
  for (const std::string bad : {"\xff", "ok\xc3", "\xed\xa0\x80", "a\x80z"}) {
    CHECK_THROWS_AS(json(bad).dump(), json::type_error);
    std::string text;
    json_text sink(text, 0);
    sink.begin_object();
    CHECK_THROWS_AS(sink.field("name", bad), json::type_error);
    CHECK_THROWS_AS(sink.key(bad), json::type_error);
  }
}
