// secgroup/yaml/json.hpp: YAML documents read into secgroup's JSON value, with the line and
// column of every value. Part of the optional secgroup::yaml (yaml-cpp); the core never
// includes it.
//
// One YAML document becomes one nlohmann::ordered_json value (secgroup::json): mappings become
// objects (keys in file order), sequences arrays, scalars are typed by the YAML 1.2 core schema:
//   - quoted ('…', "…") and block (|, >) scalars are strings, always: "8080" stays a string;
//   - plain scalars: `null`, `Null`, `NULL`, `~` and nothing are null; `true`/`True`/`TRUE`,
//     `false`/`False`/`FALSE` are booleans; `[-+]?[0-9]+`, `0x…` and `0o…` are integers;
//     `[-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?` are floats; anything else is a string.
//     NOTE: YAML 1.1's `yes`, `no`, `on`, `off`, `y`, `n` are strings here (as in YAML 1.2), so a
//     country code `NO` stays "NO"; `.inf` and `.nan` have no JSON value and are refused;
//   - explicit tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq` are
//     honoured (`!!int "8"` is 8, `!!str 8` is "8"); any other tag is refused.
// Keys are the text of scalar keys (`1: x` has the key "1"); a collection or null key and a
// repeated key are errors (YAML forbids repeats; JSON readers would keep the last silently).
// Aliases are expanded; `<<` merge keys are plain keys (yaml-cpp does not merge).
//
// Errors are parse_error naming `file:line:column` of the fault as their field:
//   [secgroup.parse.115] lint.yaml:3:9: invalid YAML: illegal map value
// secgroup.parse.115 for YAML syntax, text that is not UTF-8, a second document, a repeated or
// non-scalar key, an unsupported tag; secgroup.parse.107 for a number no JSON value holds
// (`1e400`, `.inf`, `!!int 99999999999999999999`); secgroup.parse.114 for nesting deeper than
// max_json_depth (or than yaml-cpp's parser allows, about 500 levels) or aliases expanding to
// more values than max_yaml_values + 8 per byte of text ("billion laughs").
// Cost: yaml-cpp builds its node tree, then one pass copies it; memory is a few times the text.
#pragma once

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../io/read.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace yaml {

/// Where a value starts in its document; 1-based, 0 when unknown.
struct position {
  std::size_t line = 0;
  std::size_t column = 0;
  friend bool operator==(const position&, const position&) = default;
};

/// The most values a document of n bytes may expand to, aliases included, is
/// max_yaml_values + 8n: a bound on memory and time for documents that reuse an anchor
/// exponentially ("billion laughs"). Documents without aliases stay below it (each value takes
/// at least two bytes of text).
inline constexpr std::size_t max_yaml_values = std::size_t{1} << 16;

/// A document read into JSON, with the position of every value by its path: "" for the root,
/// then keys joined by "." and indices as "[i]" ("checks.SG001.severity", "suppressions[2]"),
/// as secgroup's readers name fields.
struct located_json {
  json value;
  std::map<std::string, position, std::less<>> positions;

  /// The position of the value at `path`, or of its nearest enclosing value that has one
  /// ("checks.SG001.severity" falls back to "checks.SG001", then "checks", then the root).
  position find(std::string_view path) const {
    for (;;) {
      if (auto it = positions.find(path); it != positions.end()) return it->second;
      if (path.empty()) return {};
      const auto cut = path.find_last_of(".[");
      path = cut == std::string_view::npos ? std::string_view{} : path.substr(0, cut);
    }
  }
};

}  // namespace yaml

/// \cond
namespace detail::yaml_io {

using yaml::located_json;
using yaml::max_yaml_values;
using yaml::position;

inline position position_of(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0 || m.column < 0) return {};
  return {static_cast<std::size_t>(m.line) + 1, static_cast<std::size_t>(m.column) + 1};
}

/// "file:line:column" (or the parts known) for error fields.
inline std::string where(const std::string& source, position at) {
  std::string out = source;
  if (at.line == 0) return out;
  out += (out.empty() ? "" : ":") + std::to_string(at.line);
  if (at.column) out += ":" + std::to_string(at.column);
  return out;
}

inline constexpr const char* tag_prefix = "tag:yaml.org,2002:";

/// What a scalar's tag asks for.
enum class scalar_kind { resolve, string, integer, floating, boolean, null };

inline bool is_digits(std::string_view s, bool hex = false, bool octal = false) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = octal ? (c >= '0' && c <= '7')
                          : (c >= '0' && c <= '9') ||
                                (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!ok) return false;
  }
  return true;
}

/// True iff `s` matches the core schema's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
inline bool is_core_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (int_digits == 0 && !dot) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!is_digits(s.substr(i))) return false;
    return true;
  }
  return i == s.size();
}

inline bool is_core_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

inline std::optional<bool> core_bool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

inline bool is_special_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s == ".inf" || s == ".Inf" || s == ".INF" || s == ".nan" || s == ".NaN" || s == ".NAN";
}

/// True iff `s` is valid UTF-8.
inline bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
    } else if (auto n = secgroup::detail::escape_detail::utf8_sequence(s, i, cp)) {
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

/// An event handler that records where each document starts and ignores the rest.
struct document_starts final : YAML::EventHandler {
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// Reads the nodes of one document into JSON, recording positions.
class converter {
 public:
  converter(const std::string& source, located_json& out, std::size_t text_size)
      : source_(source), out_(out), limit_(max_yaml_values + 8 * text_size) {}

  json convert(const YAML::Node& node, const std::string& path, std::size_t depth) {
    const position at = position_of(node.Mark());
    if (at.line) out_.positions.emplace(path, at);
    if (++values_ > limit_)
      SECGROUP_THROW(parse_error(errc::too_large, where(source_, at),
                                 "the YAML document expands to more than " +
                                     std::to_string(limit_) +
                                     " values (aliases of aliases?)"));
    if (depth > max_json_depth)
      SECGROUP_THROW(parse_error(errc::too_large, where(source_, at),
                                 "YAML nests mappings and sequences deeper than " +
                                     std::to_string(max_json_depth) + " levels"));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        check_collection_tag(node, at, "null");
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node, at);
      case YAML::NodeType::Sequence: {
        check_collection_tag(node, at, "seq");
        json arr = json::array();
        std::size_t i = 0;
        for (const auto& item : node)
          arr.push_back(convert(item, path + "[" + std::to_string(i++) + "]", depth + 1));
        return arr;
      }
      case YAML::NodeType::Map: {
        check_collection_tag(node, at, "map");
        json obj = json::object();
        for (const auto& kv : node) {
          const position key_at = position_of(kv.first.Mark());
          if (!kv.first.IsScalar())
            fail(key_at.line ? key_at : at, "a mapping key must be a scalar (text), not " +
                                                std::string(kv.first.IsNull() ? "null"
                                                            : kv.first.IsMap() ? "a mapping"
                                                                               : "a sequence"));
          const std::string& key = kv.first.Scalar();
          if (!is_utf8(key)) fail(key_at, "the key decodes to text that is not UTF-8");
          if (obj.contains(key))
            fail(key_at, "key " + secgroup::detail::quoted(key) + " is repeated in its mapping");
          const std::string child = path.empty() ? key : path + "." + key;
          obj[key] = convert(kv.second, child, depth + 1);
          // A value is placed at its key: a null value has no mark, and an alias has the mark
          // of its anchor.
          if (key_at.line) out_.positions[child] = key_at;
        }
        return obj;
      }
    }
    return nullptr;
  }

 private:
  [[noreturn]] void fail(position at, const std::string& message,
                         const char* id = errc::bad_yaml) const {
    SECGROUP_THROW(parse_error(id, where(source_, at), message));
  }

  void check_collection_tag(const YAML::Node& node, position at, std::string_view allowed) {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return;
    if (tag == std::string(tag_prefix) + std::string(allowed)) return;
    fail(at, "unsupported tag " + secgroup::detail::quoted(tag) + " on a " +
                 std::string(allowed == "map" ? "mapping" : allowed == "seq" ? "sequence" : "null"));
  }

  scalar_kind kind_of(const YAML::Node& node, position at) const {
    const std::string& tag = node.Tag();
    if (tag == "?" || tag.empty()) return scalar_kind::resolve;
    if (tag == "!") return scalar_kind::string;  // quoted or block scalar
    const std::string_view t(tag);
    if (t.substr(0, std::string_view(tag_prefix).size()) == tag_prefix) {
      const auto name = t.substr(std::string_view(tag_prefix).size());
      if (name == "str") return scalar_kind::string;
      if (name == "int") return scalar_kind::integer;
      if (name == "float") return scalar_kind::floating;
      if (name == "bool") return scalar_kind::boolean;
      if (name == "null") return scalar_kind::null;
    }
    fail(at, "unsupported tag " + secgroup::detail::quoted(tag) +
                 " (supported: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)");
  }

  json scalar(const YAML::Node& node, position at) const {
    const std::string& text = node.Scalar();
    // A YAML escape ("\\ud800") can write what UTF-8 cannot hold; JSON strings must be UTF-8.
    if (!is_utf8(text)) fail(at, "the scalar decodes to text that is not UTF-8");
    switch (kind_of(node, at)) {
      case scalar_kind::string:
        return text;
      case scalar_kind::null:
        if (!is_core_null(text)) fail(at, "!!null " + secgroup::detail::quoted(text) + " is no null");
        return nullptr;
      case scalar_kind::boolean:
        if (auto b = core_bool(text)) return *b;
        fail(at, "!!bool " + secgroup::detail::quoted(text) +
                     " is no boolean (expected true or false)");
      case scalar_kind::integer:
        if (auto v = integer(text, at)) return *v;
        fail(at, "!!int " + secgroup::detail::quoted(text) + " is no integer");
      case scalar_kind::floating:
        if (is_core_float(text) || is_core_integer(text)) return floating(text, at);
        if (is_special_float(text)) no_json_number(text, at);
        fail(at, "!!float " + secgroup::detail::quoted(text) + " is no number");
      case scalar_kind::resolve:
        break;
    }
    if (is_core_null(text)) return nullptr;
    if (auto b = core_bool(text)) return *b;
    if (auto v = integer(text, at)) return *v;
    if (is_core_float(text)) return floating(text, at);
    if (is_special_float(text)) no_json_number(text, at);
    return text;
  }

  static bool is_core_integer(std::string_view s) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o'))
      return is_digits(s.substr(2), s[1] == 'x', s[1] == 'o');
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return is_digits(s);
  }

  /// The integer `text` writes, or nullopt when it is no core-schema integer; throws for one
  /// beyond 64 bits.
  std::optional<json> integer(std::string_view text, position at) const {
    if (!is_core_integer(text)) return std::nullopt;
    std::string_view digits = text;
    int base = 10;
    bool negative = false;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
      base = digits[1] == 'x' ? 16 : 8;
      digits.remove_prefix(2);
    } else if (digits[0] == '-' || digits[0] == '+') {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    std::uint64_t magnitude = 0;
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    const std::uint64_t min_magnitude = std::uint64_t{1} << 63;  // |INT64_MIN|
    if (ec != std::errc{} || end != digits.data() + digits.size() ||
        (negative && magnitude > min_magnitude))
      fail(at, "integer " + std::string(text) + " is out of range (64 bits)", errc::bad_number);
    if (!negative) return json(magnitude);
    if (magnitude == min_magnitude) return json(std::numeric_limits<std::int64_t>::min());
    return json(-static_cast<std::int64_t>(magnitude));
  }

  json floating(std::string_view text, position at) const {
    std::string_view digits = text;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range && end == digits.data() + digits.size() &&
        underflows(digits))
      return 0.0;  // the nearest double is zero, as JSON readers take it
    if (ec != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(value))
      no_json_number(text, at);
    return value;
  }

  /// True iff the core-schema float `s` (out of a double's range) is tiny rather than huge:
  /// the decimal exponent of its first significant digit is negative.
  static bool underflows(std::string_view s) {
    if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    const auto e = s.find_first_of("eE");
    long long exponent = 0;
    if (e != std::string_view::npos) {
      auto exp_text = s.substr(e + 1);
      const bool negative = !exp_text.empty() && exp_text[0] == '-';
      if (!exp_text.empty() && (exp_text[0] == '-' || exp_text[0] == '+')) exp_text.remove_prefix(1);
      long long magnitude = 0;
      for (char c : exp_text) magnitude = std::min<long long>(magnitude * 10 + (c - '0'), 1LL << 40);
      exponent = negative ? -magnitude : magnitude;
    }
    const auto mantissa = s.substr(0, e);
    const auto dot = mantissa.find('.');
    const auto int_part = mantissa.substr(0, dot);
    const auto first = int_part.find_first_not_of('0');
    if (first != std::string_view::npos)
      return exponent + static_cast<long long>(int_part.size() - first) <= 0;
    const auto frac = dot == std::string_view::npos ? std::string_view{} : mantissa.substr(dot + 1);
    const auto lead = frac.find_first_not_of('0');
    return lead == std::string_view::npos || exponent - static_cast<long long>(lead) <= 0;
  }

  [[noreturn]] void no_json_number(std::string_view text, position at) const {
    fail(at,
         "number " + std::string(text) +
             " has no JSON value (a JSON number is finite and fits a double; quote it for text)",
         errc::bad_number);
  }

  const std::string& source_;
  located_json& out_;
  std::size_t limit_;
  std::size_t values_ = 0;
};

/// Throws parse_error secgroup.parse.115 naming `source:line:column` of the first byte of
/// `text` that YAML text cannot hold: one that does not start a valid UTF-8 sequence, or an
/// ASCII control other than tab, line feed and carriage return (YAML's printable set).
/// NOTE: refusing NUL also keeps yaml-cpp from taking the text for UTF-16 or UTF-32, which it
/// guesses from NUL bytes at the start, and decoding it into invalid UTF-8.
inline void check_text(std::string_view text, const std::string& source) {
  std::size_t line = 1, line_start = 0;
  auto refuse = [&](std::size_t i, unsigned char b, const char* what) {
    static constexpr char hex[] = "0123456789abcdef";
    SECGROUP_THROW(parse_error(errc::bad_yaml, where(source, {line, i - line_start + 1}),
                               std::string("invalid YAML: byte 0x") + hex[b >> 4] +
                                   hex[b & 15] + what));
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if (b == '\n') line += 1, line_start = i + 1;
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f)
        refuse(i, b, " is a control character YAML text cannot hold");
      ++i;
      continue;
    }
    char32_t cp = 0;
    const auto n = secgroup::detail::escape_detail::utf8_sequence(text, i, cp);
    if (n == 0) refuse(i, b, " is not UTF-8");
    i += n;
  }
}

}  // namespace detail::yaml_io
/// \endcond

namespace yaml {

/// Parses YAML `text` into yaml-cpp's node tree: its one document, or a null node for an empty
/// text (or only comments). Throws parse_error secgroup.parse.115 naming `source:line:column`
/// for a syntax error, a second document, or text that is not UTF-8 or holds an ASCII control
/// other than tab, LF and CR (yaml-cpp passes invalid bytes through; JSON strings cannot hold
/// them).
inline YAML::Node parse_node(std::string_view text, const std::string& source = "") {
  detail::yaml_io::check_text(text, source);
  const std::string owned(text);
  try {
    // CAUTION: never YAML::LoadAll. yaml-cpp 0.7 does not consume a ',' at the top level (",",
    // "- a\n,"): every further document starts at it, and LoadAll collects empty documents
    // until memory runs out (found by the fuzz target). Count at most two documents first.
    std::istringstream in(owned);
    YAML::Parser parser(in);
    detail::yaml_io::document_starts starts;
    for (int k = 0; k < 2 && parser.HandleNextDocument(starts); ++k) {
    }
    if (starts.marks.size() > 1) {
      const auto at = static_cast<std::size_t>(starts.marks[1].pos);
      const bool stuck = starts.marks[1].pos == starts.marks[0].pos ||
                         (at < owned.size() && owned[at] == ',');
      SECGROUP_THROW(parse_error(
          errc::bad_yaml,
          detail::yaml_io::where(source, detail::yaml_io::position_of(starts.marks[1])),
          stuck ? "invalid YAML: a token no document can start with (a stray ',')"
                : "the text holds more than one YAML document; one is expected"));
    }
    if (starts.marks.empty()) return YAML::Node(YAML::NodeType::Null);
    return YAML::Load(owned);
  } catch (const YAML::DeepRecursion& e) {  // 2000 parser frames: about 500 levels of nesting
    SECGROUP_THROW(parse_error(
        errc::too_large, detail::yaml_io::where(source, detail::yaml_io::position_of(e.mark)),
        "YAML nests collections deeper than the parser allows (about 500 levels)"));
  } catch (const YAML::Exception& e) {  // ParserException
    SECGROUP_THROW(parse_error(
        errc::bad_yaml,
        detail::yaml_io::where(source, detail::yaml_io::position_of(e.mark)),
        "invalid YAML: " + e.msg));
  }
}

/// Parses YAML `text` (one document) into JSON with the position of every value; errors name
/// `source` (a file name) with the line and column (see the file comment). An empty text or a
/// document of only comments is null.
inline located_json parse_located(std::string_view text, const std::string& source = "") {
  const YAML::Node doc = parse_node(text, source);
  located_json out;
  detail::yaml_io::converter c(source, out, text.size());
  out.value = c.convert(doc, "", 0);
  return out;
}

/// Parses YAML `text` (one document) into JSON; see parse_located().
inline json parse_json(std::string_view text, const std::string& source = "") {
  return parse_located(text, source).value;
}

/// Reads the YAML file at `path` into JSON; throws what read_text_file() and parse_located()
/// throw, naming the path.
inline located_json load_located(const std::filesystem::path& path,
                                 std::size_t max_size = default_max_input_size) {
  return parse_located(read_text_file(path, max_size), path.string());
}

/// The field of an error about the value at `path` of a document read from `source`:
/// "lint.yaml:7: checks.SG001.severity" (the line of the value, or of the nearest enclosing
/// one), or "lint.yaml: checks..." when no line is known.
inline std::string field_at(const located_json& doc, const std::string& source,
                            std::string_view path) {
  const position at = doc.find(path);
  std::string out = source;
  if (at.line) out += (out.empty() ? "line " : ":") + std::to_string(at.line);
  if (path.empty()) return out;
  return out.empty() ? std::string(path) : out + ": " + std::string(path);
}

}  // namespace yaml
SECGROUP_END_NAMESPACE
