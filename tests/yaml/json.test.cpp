// Tests of secgroup/yaml/json.hpp: YAML documents into JSON (the core schema's scalar types,
// positions of values) and its errors, which name file:line:column.
#include <catch2/catch.hpp>
#include <secgroup/yaml/json.hpp>
#include <string>

namespace yaml_json_test {

using secgroup::json;
namespace yaml = secgroup::yaml;

/// The error `text` raises, as what() reads, or "" when it is accepted.
std::string yaml_error(const std::string& text) {
  try {
    (void)yaml::parse_json(text, "doc.yaml");
  } catch (const secgroup::parse_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace yaml_json_test

using namespace yaml_json_test;

TEST_CASE("yaml json: mappings, sequences and the core schema's scalars") {
  const auto v = yaml::parse_json(R"(# a comment
text: hello world
quoted: "8080"
single: '010'
block: |
  two
  lines
folded: >
  one
  line
int: 8080
negative: -7
plus: +3
leading_zero: 010
hex: 0x1F
octal: 0o17
float: 1.5
exp: 1e3
dot: .5
true_lower: true
true_title: True
false_upper: FALSE
yes: yes
no: NO
on: on
tilde: ~
null_word: Null
empty:
tagged_str: !!str 42
tagged_int: !!int "42"
tagged_float: !!float 7
tagged_bool: !!bool "true"
list: [1, two, "3"]
nested:
  - a: 1
  - [x, y]
)",
                                  "doc.yaml");
  CHECK(v["text"] == "hello world");
  CHECK(v["quoted"] == "8080");
  CHECK(v["single"] == "010");
  CHECK(v["block"] == "two\nlines\n");
  CHECK(v["folded"] == "one line\n");
  CHECK(v["int"] == 8080);
  CHECK(v["int"].is_number_unsigned());
  CHECK(v["negative"] == -7);
  CHECK(v["plus"] == 3);
  CHECK(v["leading_zero"] == 10);  // YAML 1.2: decimal, not octal
  CHECK(v["hex"] == 31);
  CHECK(v["octal"] == 15);
  CHECK(v["float"] == 1.5);
  CHECK(v["exp"] == 1000.0);
  CHECK(v["exp"].is_number_float());
  CHECK(v["dot"] == 0.5);
  CHECK(v["true_lower"] == true);
  CHECK(v["true_title"] == true);
  CHECK(v["false_upper"] == false);
  // YAML 1.1's booleans are text in YAML 1.2 (the "Norway problem").
  CHECK(v["yes"] == "yes");
  CHECK(v["no"] == "NO");
  CHECK(v["on"] == "on");
  CHECK(v["tilde"].is_null());
  CHECK(v["null_word"].is_null());
  CHECK(v["empty"].is_null());
  CHECK(v["tagged_str"] == "42");
  CHECK(v["tagged_int"] == 42);
  CHECK(v["tagged_float"] == 7.0);
  CHECK(v["tagged_float"].is_number_float());
  CHECK(v["tagged_bool"] == true);
  CHECK(v["list"] == json::array({1, "two", "3"}));
  CHECK(v["nested"] == json::parse(R"([{"a": 1}, ["x", "y"]])"));
  // Keys keep the file's order.
  CHECK(v.begin().key() == "text");
  CHECK(std::prev(v.end()).key() == "nested");
}

TEST_CASE("yaml json: integers at the edges of 64 bits") {
  CHECK(yaml::parse_json("x: 18446744073709551615")["x"].get<std::uint64_t>() ==
        18446744073709551615u);
  CHECK(yaml::parse_json("x: -9223372036854775808")["x"].get<std::int64_t>() ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(yaml_error("x: 18446744073709551616") ==
        "[secgroup.parse.107] doc.yaml:1:4: integer 18446744073709551616 is out of range (64 bits)");
  CHECK(yaml_error("x: -9223372036854775809").find("secgroup.parse.107") != std::string::npos);
  CHECK(yaml::parse_json("x: 1e-400")["x"] == 0.0);  // underflow: zero, as JSON readers do
  CHECK(yaml_error("x: 1e400").find("[secgroup.parse.107] doc.yaml:1:4: number 1e400") == 0);
  CHECK(yaml_error("x: .inf").find("[secgroup.parse.107] doc.yaml:1:4: number .inf") == 0);
  CHECK(yaml_error("x: -.Inf").find("secgroup.parse.107") != std::string::npos);
  CHECK(yaml_error("x: .nan").find("secgroup.parse.107") != std::string::npos);
  CHECK(yaml::parse_json("x: '.inf'")["x"] == ".inf");
}

TEST_CASE("yaml json: the empty document is null, and aliases are expanded") {
  CHECK(yaml::parse_json("").is_null());
  CHECK(yaml::parse_json("# only a comment\n").is_null());
  CHECK(yaml::parse_json("---\n").is_null());
  const auto v = yaml::parse_json("base: &b {port: 22}\ncopy: *b\n");
  CHECK(v["copy"] == json{{"port", 22}});
}

TEST_CASE("yaml json: positions of values by path") {
  const auto doc = yaml::parse_located("a: 1\nb:\n  - x\n  - c: [5, 6]\nd:\n", "doc.yaml");
  CHECK(doc.find("") == yaml::position{1, 1});
  CHECK(doc.find("a") == yaml::position{1, 1});
  CHECK(doc.find("b") == yaml::position{2, 1});
  CHECK(doc.find("b[0]") == yaml::position{3, 5});
  CHECK(doc.find("b[1].c") == yaml::position{4, 5});
  CHECK(doc.find("b[1].c[1]") == yaml::position{4, 12});
  CHECK(doc.find("d") == yaml::position{5, 1});  // a null value sits at its key
  // A path with no value of its own falls back to the nearest enclosing one.
  CHECK(doc.find("b[1].c.nothing") == yaml::position{4, 5});
  CHECK(yaml::field_at(doc, "doc.yaml", "b[1].c") == "doc.yaml:4: b[1].c");
  CHECK(yaml::field_at(doc, "doc.yaml", "") == "doc.yaml:1");
}

TEST_CASE("yaml json: syntax errors name file:line:column") {
  CHECK(yaml_error("a: 1\nb: [1, 2\nc: 3\n").find("[secgroup.parse.115] doc.yaml:3:") == 0);
  CHECK(yaml_error("a: 1\n  b: 2\n") ==
        "[secgroup.parse.115] doc.yaml:2:4: invalid YAML: illegal map value");
  CHECK(yaml_error("a: [1, 2\n").find("[secgroup.parse.115] doc.yaml:") == 0);
  CHECK(yaml_error("a: *missing\n").find("[secgroup.parse.115] doc.yaml:1:") == 0);
  CHECK(yaml_error("a: 1\n---\nb: 2\n") ==
        "[secgroup.parse.115] doc.yaml:2:1: the text holds more than one YAML document; one is "
        "expected");
  // yaml-cpp 0.7's LoadAll loops, growing memory, on a ',' at the top level (found by the fuzz
  // target): refused, in bounded time.
  for (const std::string stray : {",", ", a", " ,", "\"x\",", "- a\n,"}) {
    INFO(stray);
    CHECK(yaml_error(stray).find("a token no document can start with (a stray ',')") !=
          std::string::npos);
  }
}

TEST_CASE("yaml json: what JSON cannot hold is refused, naming the line") {
  // Found by the fuzz target: yaml-cpp passes invalid UTF-8 through, and JSON text refuses it.
  CHECK(yaml_error("a: 1\nport\x90s: 2\n") ==
        "[secgroup.parse.115] doc.yaml:2:5: invalid YAML: byte 0x90 is not UTF-8");
  CHECK(yaml_error("a: \xc3\x28\n").find("doc.yaml:1:4: invalid YAML: byte 0xc3") != std::string::npos);
  CHECK(yaml::parse_json("a: \xc3\xa9t\xc3\xa9\n")["a"] == "\xc3\xa9t\xc3\xa9");  // "été"
  // Controls YAML text cannot hold; NUL bytes at the start would make yaml-cpp guess UTF-32
  // and decode the text into invalid UTF-8 (also found by the fuzz target).
  CHECK(yaml_error("a:\x01 b\n") ==
        "[secgroup.parse.115] doc.yaml:1:3: invalid YAML: byte 0x01 is a control character YAML "
        "text cannot hold");
  CHECK(yaml_error(std::string("\0\0\0<cks:\n", 9)) ==
        "[secgroup.parse.115] doc.yaml:1:1: invalid YAML: byte 0x00 is a control character YAML "
        "text cannot hold");
  CHECK(yaml::parse_json("a:\tb\r\n")["a"] == "b");
  // An escape can still write a NUL, which JSON holds.
  CHECK(yaml::parse_json("a: \"x\\0y\"\n")["a"] == std::string("x\0y", 3));
  CHECK(yaml_error("a: 1\nb: 2\na: 3\n") ==
        "[secgroup.parse.115] doc.yaml:3:1: key 'a' is repeated in its mapping");
  CHECK(yaml_error("? [1, 2]\n: x\n") ==
        "[secgroup.parse.115] doc.yaml:1:3: a mapping key must be a scalar (text), not a sequence");
  CHECK(yaml_error("a: !custom 1\n").find("[secgroup.parse.115] doc.yaml:1:4: unsupported tag") ==
        0);
  CHECK(yaml_error("a: !!int x\n") == "[secgroup.parse.115] doc.yaml:1:4: !!int 'x' is no integer");
  CHECK(yaml_error("a: !!bool yes\n").find("!!bool 'yes' is no boolean") != std::string::npos);
  CHECK(yaml_error("a: !!binary aGk=\n").find("unsupported tag") != std::string::npos);
}

TEST_CASE("yaml json: deep nesting and alias bombs are refused, not followed") {
  // yaml-cpp refuses these itself (secgroup.parse.115); the reader's own bound of
  // max_json_depth (secgroup.parse.114) is the backstop.
  for (const std::string open : {"[", "- ", "{a: "}) {
    std::string deep;
    for (int i = 0; i < 600; ++i) deep += open;
    deep += "x";
    const auto e = yaml_error(deep);
    INFO(e);
    CHECK((e.find("[secgroup.parse.114] doc.yaml:1:") == 0 ||
           e.find("[secgroup.parse.115] doc.yaml:1:") == 0));
  }
  // Well-formed nesting past the parser's limit is a nesting error (114), not a syntax one;
  // 450 levels still read.
  auto nested = [](int levels) {
    return "a: " + std::string(static_cast<std::size_t>(levels), '[') +
           std::string(static_cast<std::size_t>(levels), ']') + "\n";
  };
  CHECK(yaml_error(nested(600)).find("[secgroup.parse.114] doc.yaml:1:") == 0);
  CHECK_NOTHROW(yaml::parse_located(nested(450), "doc.yaml"));
  // Ten levels of ten aliases each: 10^10 values once expanded.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 10; ++i) {
    const auto prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
    bomb += "]\n";
  }
  CHECK(yaml_error(bomb).find("[secgroup.parse.114]") == 0);
  CHECK(yaml_error(bomb).find("expands to more than") != std::string::npos);
}
