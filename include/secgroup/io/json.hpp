// secgroup/io/json.hpp: security groups and rules to and from JSON, in the API's wire shapes.
//
// Reading accepts every export form of the Instance API (`{"security_group": {...}, "rules":
// [...]}`, a bare group object with optional embedded `rules`, `{"security_groups": [...]}`, and
// a top-level array of these). Enum values are read in any case and written in the API's
// canonical case; `null` stands for an absent field everywhere except `description` and the
// dates, whose null is a value. Unknown keys are ignored, as the SDKs ignore them. A listed
// default SMTP rule is dropped on load (`enable_default_security` implies it) only when it is
// exactly that rule; nothing else is dropped or ignored: a rule bearing a default id with other
// content, `editable: false` on another rule, a non-null `dest_ip_range` (not modelled) and ids
// repeated in a group or a document are errors naming the field.
// Writing uses nlohmann::ordered_json so keys come out in the API's order (§4, §5 of the spec).
// Errors carry the full field path (`security_groups[1].rules[0].protocol`); parse_groups() and
// load_groups() prefix it with the source: `web.json: rules[2].ip_range`. parse_json() is the
// one place JSON text becomes a value, for every reader (groups, mock bodies, lint config,
// state files): a number beyond a double's range (`1e309`) is a parse_error naming its path,
// an object repeating a key is a parse_error naming the key, and text nesting arrays and
// objects deeper than max_json_depth (512) is refused unparsed.
// See docs/json.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../address.hpp"
#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/json_brackets.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../port_range.hpp"
#include "../protocol.hpp"
#include "../rule.hpp"
#include "../security_group.hpp"
#include "read.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The JSON value type of secgroup: keys keep their insertion order, so output follows the API.
using json = nlohmann::ordered_json;

/// The checks the readers apply to each rule of a rule list, one implementation for every
/// front end that builds a group's rules (the JSON readers here; the Python bindings for rules
/// given in code): a rule bearing a default-rule id is exactly that default rule (what it
/// matches and decides, and its position and `editable` when stated), only a default rule says
/// `editable: false` (secgroup.validation.205), and no id repeats in the list
/// (secgroup.validation.206). One checker per list: it remembers the ids it has seen.
class rule_list_checker {
 public:
  /// Checks `r`, the rule at `field` ("rules[2]"); `editable_stated` is true when the input
  /// states `editable: true` (a JSON key, or a rule object's own field). Returns true when `r`
  /// is a listed default rule, which the readers drop (`enable_default_security` implies it).
  /// Throws validation_error naming `field`.id, .position or .editable.
  bool check(const rule& r, const std::string& field, bool editable_stated) {
    if (!r.id.empty())
      if (auto [at, fresh] = seen_.emplace(r.id, field); !fresh)
        SECGROUP_THROW(validation_error(errc::duplicate_id, field + ".id",
                                        "rule id " + detail::quoted(r.id) + " appears twice (" +
                                            at->second + ".id has it too)"));
    if (auto k = default_rule_index(r.id)) {
      const rule d = default_rule(*k);
      const std::string which = "default SMTP rule " + std::to_string(*k + 1);
      if (!is_default_rule(r))
        SECGROUP_THROW(validation_error(errc::not_default_rule, field + ".id",
                                        "this rule (" + to_string(r) + ") bears the id of " +
                                            which + " (" + to_string(d) +
                                            "); a default-rule id names that "
                                            "rule only"));
      if (r.position != 0 && r.position != d.position)
        SECGROUP_THROW(validation_error(errc::not_default_rule, field + ".position",
                                        which + " has position " + std::to_string(d.position) +
                                            ", not " + std::to_string(r.position)));
      if (editable_stated)
        SECGROUP_THROW(validation_error(errc::not_default_rule, field + ".editable",
                                        which + " is not editable"));
      return true;
    }
    if (!r.editable)
      SECGROUP_THROW(validation_error(
          errc::not_default_rule, field + ".editable",
          "only the six default SMTP rules are not editable, and this rule (" + to_string(r) +
              ") is none of them: analyses would treat it as one and not report it"));
    return false;
  }

 private:
  std::unordered_map<std::string, std::string> seen_;  // rule id -> field of its first rule
};

/// \cond
namespace detail::json_io {

inline std::string indexed(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

/// A SAX consumer that builds nothing: it follows the path of the value being read and stops at
/// the first error, recording the path of the value that failed and its token. Run only after
/// json::parse failed, to name the field (the fast path pays nothing for it). Given `cursor`
/// (see position_iterator), it also stops at the first key an object repeats, recording the
/// key's path and where it and its first occurrence end in the text.
class path_finder {
 public:
  explicit path_finder(const char* const* cursor = nullptr) : cursor_(cursor) {}

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const json::string_t&) { return value(); }
  bool string(json::string_t&) { return value(); }
  bool binary(json::binary_t&) { return value(); }
  bool start_object(std::size_t) { return open(false); }
  bool key(json::string_t& k) {
    auto& f = frames_.back();
    f.key = k;
    if (!cursor_) return true;
    auto [first, fresh] = f.keys.emplace(k, *cursor_);
    if (fresh) return true;
    repeated_ = true;
    repeated_key_ = k;
    first_end_ = first->second;
    repeat_end_ = *cursor_;
    path_ = current_path(false);
    return false;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(true); }
  bool end_array() { return close(); }
  template <class Exception>
  bool parse_error(std::size_t, const std::string& token, const Exception&) {
    token_ = token;
    path_ = current_path(true);
    return false;
  }

  /// The path of the value that failed, or of the repeated key ("rules[0].dest_port_from"; ""
  /// at the root).
  const std::string& path() const { return path_; }
  /// The text of the token that failed ("1e309").
  const std::string& token() const { return token_; }
  /// True iff it stopped at a repeated key (only with a cursor).
  bool repeated() const { return repeated_; }
  /// The repeated key.
  const std::string& repeated_key() const { return repeated_key_; }
  /// Where the repeated key's first occurrence and the repeat end: one past their closing quote.
  const char* first_end() const { return first_end_; }
  const char* repeat_end() const { return repeat_end_; }

 private:
  struct frame {
    bool array;
    std::string key;
    std::size_t next;  ///< arrays: the elements begun so far
    std::unordered_map<std::string, const char*> keys = {};  ///< objects, with a cursor: seen
  };
  bool value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().next;
    return true;
  }
  bool open(bool array) {
    value();
    frames_.push_back({array, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
  /// The path to the innermost array's element `next` (a value not yet begun: `pending`) or
  /// `next - 1` (the value being read), through every outer array's element `next - 1`.
  std::string current_path(bool pending) const {
    std::string out;
    for (std::size_t k = 0; k < frames_.size(); ++k) {
      const auto& f = frames_[k];
      if (f.array)
        out += indexed("", pending && k + 1 == frames_.size() ? f.next : f.next - 1);
      else
        out += (out.empty() ? "" : ".") + f.key;
    }
    return out;
  }
  std::vector<frame> frames_;
  std::string path_, token_, repeated_key_;
  const char* const* cursor_;
  bool repeated_ = false;
  const char *first_end_ = nullptr, *repeat_end_ = nullptr;
};

/// An iterator over text for json::sax_parse that publishes how far the parser has read: after
/// each character the parser takes, `*cursor` points one past it. When the parser hands a key
/// to its SAX consumer, `*cursor` is one past the key's closing quote. Slower than a plain
/// pointer: for error paths only.
class position_iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  position_iterator(const char* at, const char** cursor) : at_(at), cursor_(cursor) {}
  reference operator*() const { return *at_; }
  position_iterator& operator++() {
    *cursor_ = ++at_;
    return *this;
  }
  position_iterator operator++(int) {
    auto before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const position_iterator& a, const position_iterator& b) {
    return a.at_ == b.at_;
  }

 private:
  const char* at_;
  const char** cursor_;
};

/// The offset in `text` of the opening quote of the string whose closing quote is just before
/// `end` (an offset): the last quote before it that no backslash escapes.
inline std::size_t string_start(std::string_view text, std::size_t end) {
  std::size_t at = end - 1;
  while (at > 0) {
    at = text.rfind('"', at - 1);
    if (at == std::string_view::npos) return 0;
    std::size_t slashes = 0;
    while (at > slashes && text[at - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 0) return at;
  }
  return 0;
}

/// The hash of an object key that duplicate_key_guard compares (64-bit FNV-1a).
inline std::uint64_t key_hash(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// A SAX consumer that hands every event on to `Dom` (the builder json::parse uses) and notes
/// whether some object may repeat a key: it keeps the hashes of the keys of each open object
/// and compares each new key's hash with its object's earlier ones. A repeat is always noted;
/// two different keys of one object with equal hashes are noted too, so a note is only a
/// suspicion, which refuse_repeated_key() settles. Cost: one hash per key, and a scan of the
/// earlier keys' hashes of its object while it has at most `scanned` keys, a hash set beyond
/// (nlohmann's ordered object compares a new key with every earlier one itself). On a 2 MB
/// export: no measurable cost on a plain parse, +4 % with group_list_reader's callback
/// (docs/benchmarks.md, "Repeated-key check").
template <class Dom>
class duplicate_key_guard {
 public:
  explicit duplicate_key_guard(Dom& dom) : dom_(dom) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    objects_.push_back({hashes_.size(), {}});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    const auto h = key_hash(k);
    auto& o = objects_.back();
    if (!o.large.empty()) {
      suspect_ |= !o.large.insert(h).second;
    } else {
      for (std::size_t i = o.start; i < hashes_.size(); ++i) suspect_ |= hashes_[i] == h;
      hashes_.push_back(h);
      if (hashes_.size() - o.start > scanned) {  // a wide object: scans would cost n^2
        o.large.insert(hashes_.begin() + static_cast<std::ptrdiff_t>(o.start), hashes_.end());
        hashes_.resize(o.start);
      }
    }
    return dom_.key(k);
  }
  bool end_object() {
    hashes_.resize(objects_.back().start);
    objects_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t at, const std::string& token, const Exception& e) {
    return dom_.parse_error(at, token, e);
  }

  /// True iff some object may repeat a key (see the class comment).
  bool suspect() const { return suspect_; }

 private:
  static constexpr std::size_t scanned = 32;
  struct open_object {
    std::size_t start;                        ///< where its keys' hashes begin in hashes_
    std::unordered_set<std::uint64_t> large;  ///< its keys' hashes once it has many
  };
  Dom& dom_;
  std::vector<std::uint64_t> hashes_;  ///< the keys of the open objects that have few
  std::vector<open_object> objects_;   ///< the open objects, outermost first
  bool suspect_ = false;
};

/// Parses `text` as json::parse(text, callback, true, comments) does (throwing its exceptions),
/// and sets `suspect` when some object may repeat a key (duplicate_key_guard).
/// NOTE: json::parse offers no hook at a key's insertion, and a parser callback that counts the
/// keys of each object made the parse about 20 % slower; so this drives nlohmann's own builders
/// (nlohmann::detail, as pinned by Debian's 3.11.2) through a SAX consumer that watches the keys.
inline json parse_watching_keys(std::string_view text, bool comments,
                                json::parser_callback_t callback, bool& suspect) {
  json doc;
  auto run = [&](auto& dom) {
    duplicate_key_guard guard(dom);
    json::sax_parse(text.begin(), text.end(), &guard, json::input_format_t::json, true, comments);
    suspect = guard.suspect();
  };
  if (callback) {
    nlohmann::detail::json_sax_dom_callback_parser<json> dom(doc, std::move(callback), true);
    run(dom);
    if (doc.is_discarded()) doc = nullptr;  // as json::parse: a root the callback dropped
  } else {
    nlohmann::detail::json_sax_dom_parser<json> dom(doc, true);
    run(dom);
  }
  return doc;
}

/// `field` under `source` as error fields write it: "web.json: rules[0].id".
inline std::string under_source(const std::string& source, const std::string& field) {
  if (source.empty()) return field;
  return field.empty() ? source : source + ": " + field;
}

/// Runs `fn`, prefixing `outer` to the field of its errors unless `outer` is empty.
template <class Fn>
decltype(auto) nested(const std::string& outer, Fn&& fn) {
  if (outer.empty()) return std::forward<Fn>(fn)();
  return with_field_prefix(outer, std::forward<Fn>(fn));
}

[[noreturn]] inline void wrong_type(const std::string& field, std::string_view expected,
                                    const json& v) {
  SECGROUP_THROW(parse_error(errc::wrong_type, field,
                             "expected " + std::string(expected) + ", got " + v.type_name()));
}

inline void expect_object(const json& v, const std::string& field) {
  if (!v.is_object()) wrong_type(field, "an object", v);
}

/// Throws parse_error secgroup.parse.105 naming `field` unless `v` is an integer (`expected`
/// says what the field takes). nlohmann reads a number as a float when it is written with a
/// fraction or an exponent (`22.0`, `2.2e1`: whole, yet refused) or lies beyond 64 bits: the
/// message says which, not just "a number".
inline void expect_integer(const json& v, const std::string& field,
                           std::string_view expected = "an integer") {
  if (v.is_number_integer()) return;
  if (!v.is_number_float()) wrong_type(field, expected, v);
  const double d = v.get<double>();
  const std::string got = "expected " + std::string(expected) + ", got " + v.dump();
  if (d != std::floor(d))
    SECGROUP_THROW(parse_error(errc::wrong_type, field, got + ", a number with a fraction"));
  if (d <= -0x1p63 || d >= 0x1p64)  // an integer written beyond 64 bits reads as one of these
    SECGROUP_THROW(parse_error(errc::wrong_type, field, got + ", a number beyond 64 bits"));
  const json whole =
      d < 0 ? json(static_cast<std::int64_t>(d)) : json(static_cast<std::uint64_t>(d));
  SECGROUP_THROW(parse_error(errc::wrong_type, field,
                             got +
                                 ", a number written with a fraction or an exponent (as 22.0 "
                                 "or 2.2e1 are), which is not read as an integer even when "
                                 "whole: write " +
                                 whole.dump()));
}

/// The value of `key`, or nullptr when the key is absent or null.
inline const json* find(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

inline std::string required_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end())
    SECGROUP_THROW(parse_error(errc::missing_field, key, "required field is missing"));
  if (it->is_null())
    SECGROUP_THROW(parse_error(errc::missing_field, key, "required field is null"));
  if (!it->is_string()) wrong_type(key, "a string", *it);
  return it->get<std::string>();
}

inline std::optional<std::string> optional_string(const json& obj, const char* key) {
  auto* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(key, "a string", *v);
  return v->get<std::string>();
}

inline std::optional<bool> optional_bool(const json& obj, const char* key) {
  auto* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) wrong_type(key, "a boolean", *v);
  return v->get<bool>();
}

/// An integer field; `limit` bounds it from above (validation_error `too_big_id`).
inline std::optional<std::int64_t> optional_integer(const json& obj, const char* key,
                                                    std::int64_t limit, const char* too_big_id,
                                                    const char* what) {
  auto* v = find(obj, key);
  if (!v) return std::nullopt;
  expect_integer(*v, key);
  if (v->is_number_unsigned() ? v->get<std::uint64_t>() > static_cast<std::uint64_t>(limit)
                              : v->get<std::int64_t>() > limit)
    SECGROUP_THROW(validation_error(
        too_big_id, key,
        std::string(what) + " " + v->dump() + " is outside 0.." + std::to_string(limit)));
  return v->get<std::int64_t>();
}

inline std::optional<std::int64_t> optional_port(const json& obj, const char* key) {
  return optional_integer(obj, key, 65535, errc::port_out_of_range, "port");
}

/// Reads one rule; fields are named relative to the rule object. Position 0 means unset.
inline rule read_rule(const json& j) {
  expect_object(j, "");
  rule r;
  r.id = optional_string(j, "id").value_or("");
  r.protocol = parse_protocol(required_string(j, "protocol"), "protocol");
  r.direction = parse_direction(required_string(j, "direction"), "direction");
  r.action = parse_action(required_string(j, "action"), "action");
  r.ip_range = parse_network(required_string(j, "ip_range"), "ip_range");
  if (auto* d = find(j, "dest_ip_range")) {
    if (!d->is_string()) wrong_type("dest_ip_range", "a string or null", *d);
    // Every recorded rule has null here [C] and no SDK models the field: ignoring a value
    // would analyse a rule other than the one written.
    SECGROUP_THROW(validation_error(
        errc::unsupported, "dest_ip_range",
        "dest_ip_range " + detail::quoted(d->get<std::string>()) +
            " is not supported: secgroup models no destination range, so the rule cannot be "
            "analysed as written (every API export has null here)"));
  }
  r.ports = make_port_range(optional_port(j, "dest_port_from"), optional_port(j, "dest_port_to"));
  if (auto p = optional_integer(j, "position", std::numeric_limits<std::uint32_t>::max(),
                                errc::bad_value, "position")) {
    if (*p < 0)
      SECGROUP_THROW(validation_error(errc::bad_value, "position",
                                      "position " + std::to_string(*p) + " is negative"));
    r.position = static_cast<std::uint32_t>(*p);
  }
  r.editable = optional_bool(j, "editable").value_or(true);
  r.zone = optional_string(j, "zone").value_or("");
  return normalize(r);
}

/// Reads the rule array `arr` named `name`: drops the listed default rules (each checked to be
/// exactly its default rule), then checks or assigns the positions of the user rules (all
/// given, or none given and numbered 1..N in file order). Ids must be unique in the array, and
/// only default rules may say `editable: false` (rule_list_checker).
inline std::vector<rule> read_user_rules(const json& arr, const std::string& name) {
  if (!arr.is_array()) wrong_type(name, "an array", arr);
  std::vector<rule> out;
  std::vector<std::size_t> file_index;
  secgroup::rule_list_checker checker;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string field = indexed(name, i);
    auto r = with_field_prefix(field, [&] { return read_rule(arr[i]); });
    const json* editable = find(arr[i], "editable");
    if (checker.check(r, field, editable && editable->get<bool>())) continue;
    out.push_back(std::move(r));
    file_index.push_back(i);
  }
  if (auto mix = number_rules(out))
    SECGROUP_THROW(
        parse_error(errc::missing_field, indexed(name, file_index[mix->without]) + ".position",
                    "rule has no position while " + indexed(name, file_index[mix->with]) +
                        " has one: give every user rule a position (>= 1), or none"));
  return out;
}

/// Reads the fields of a group object (not its rules); fields are named relative to it.
inline security_group read_group_fields(const json& j) {
  expect_object(j, "");
  if (j.contains("security_group") || j.contains("security_groups"))
    SECGROUP_THROW(parse_error(errc::bad_file, "",
                               "expected a security group object, got an export wrapper "
                               "(read it with groups_from_json)"));
  security_group g;
  auto nullable_string = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) wrong_type(key, "a string or null", *it);
    return it->get<std::string>();
  };
  auto string_array = [&](const char* key) {
    std::vector<std::string> out;
    auto* v = find(j, key);
    if (!v) return out;
    if (!v->is_array()) wrong_type(key, "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) wrong_type(indexed(key, i), "a string", (*v)[i]);
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  };
  if (auto v = optional_string(j, "id")) g.id = *v;
  g.creation_date = nullable_string("creation_date");
  g.modification_date = nullable_string("modification_date");
  if (auto v = optional_string(j, "name")) g.name = *v;
  g.description = nullable_string("description");
  if (auto v = optional_string(j, "organization")) g.organization = *v;
  if (auto v = optional_string(j, "project")) g.project = *v;
  if (auto* v = find(j, "servers")) {
    if (!v->is_array()) wrong_type("servers", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i)
      g.servers.push_back(with_field_prefix(indexed("servers", i), [&] {
        const json& s = (*v)[i];
        expect_object(s, "");
        return server_ref{optional_string(s, "id").value_or(""),
                          optional_string(s, "name").value_or("")};
      }));
  }
  if (auto v = optional_bool(j, "stateful")) g.stateful = *v;
  if (auto v = optional_string(j, "inbound_default_policy"))
    g.inbound_default_policy = parse_action(*v, "inbound_default_policy");
  if (auto v = optional_string(j, "outbound_default_policy"))
    g.outbound_default_policy = parse_action(*v, "outbound_default_policy");
  if (auto v = optional_bool(j, "organization_default")) g.organization_default = *v;
  if (auto v = optional_bool(j, "project_default")) g.project_default = *v;
  if (auto v = optional_bool(j, "enable_default_security")) g.enable_default_security = *v;
  if (auto v = optional_string(j, "state")) g.state = parse_group_state(*v, "state");
  g.tags = string_array("tags");
  if (auto v = optional_string(j, "zone")) g.zone = *v;
  return g;
}

/// True iff `j` has a key of the SecurityGroup object, so it can be read as a bare group.
inline bool looks_like_group(const json& j) {
  static constexpr const char* keys[] = {"id",
                                         "creation_date",
                                         "modification_date",
                                         "name",
                                         "description",
                                         "organization",
                                         "project",
                                         "servers",
                                         "stateful",
                                         "inbound_default_policy",
                                         "outbound_default_policy",
                                         "organization_default",
                                         "project_default",
                                         "enable_default_security",
                                         "state",
                                         "tags",
                                         "zone"};
  for (const char* k : keys)
    if (j.contains(k)) return true;
  return false;
}

inline constexpr const char* accepted_forms =
    "expected a security group export: {\"security_group\": {...}, \"rules\": [...]}, "
    "a security group object (optionally with \"rules\"), {\"security_groups\": [...]}, "
    "or an array of these";

/// Throws: a document holds both "security_group" and "security_groups".
[[noreturn]] inline void refuse_both_forms() {
  SECGROUP_THROW(parse_error(errc::bad_file, "",
                             "both \"security_group\" and \"security_groups\" are present"));
}

/// Reads `item`, element `i` of a document's "security_groups"; errors name its fields under
/// "security_groups[i]".
inline security_group read_listed_group(const json& item, std::size_t i) {
  return with_field_prefix(indexed("security_groups", i), [&] {
    auto g = read_group_fields(item);
    if (auto* rules = find(item, "rules")) g.rules = read_user_rules(*rules, "rules");
    return g;
  });
}

/// Reads one non-array document item in any of the object forms; appends to `id_fields` the
/// field of each group's id ("security_groups[1].id"), in the order of the groups returned.
inline std::vector<security_group> read_document_object(const json& doc,
                                                        std::vector<std::string>& id_fields) {
  if (!doc.is_object())
    SECGROUP_THROW(
        parse_error(errc::bad_file, "", std::string(accepted_forms) + ", got " + doc.type_name()));
  bool one = doc.contains("security_group"), many = doc.contains("security_groups");
  if (one && many) refuse_both_forms();
  std::vector<security_group> out;
  if (many) {
    const json& list = doc["security_groups"];
    if (!list.is_array()) wrong_type("security_groups", "an array", list);
    for (std::size_t i = 0; i < list.size(); ++i) {
      out.push_back(read_listed_group(list[i], i));
      id_fields.push_back(indexed("security_groups", i) + ".id");
    }
  } else if (one) {
    const json& object = doc["security_group"];
    expect_object(object, "security_group");
    auto* beside = find(doc, "rules");
    auto* inside = find(object, "rules");
    if (beside && inside)
      SECGROUP_THROW(parse_error(errc::bad_file, "rules",
                                 "rules appear both beside and inside \"security_group\""));
    auto g = with_field_prefix("security_group", [&] { return read_group_fields(object); });
    if (beside) g.rules = read_user_rules(*beside, "rules");
    if (inside)
      g.rules =
          with_field_prefix("security_group", [&] { return read_user_rules(*inside, "rules"); });
    out.push_back(std::move(g));
    id_fields.push_back("security_group.id");
  } else if (looks_like_group(doc)) {
    auto g = read_group_fields(doc);
    if (auto* rules = find(doc, "rules")) g.rules = read_user_rules(*rules, "rules");
    out.push_back(std::move(g));
    id_fields.push_back("id");
  } else {
    SECGROUP_THROW(parse_error(errc::bad_file, "",
                               std::string(accepted_forms) + "; found none of their keys"));
  }
  return out;
}

/// Throws validation_error secgroup.validation.206 naming the later id field when two of
/// `groups` share a non-empty id; `id_fields[i]` is the field of `groups[i].id`.
inline void check_unique_group_ids(const std::vector<security_group>& groups,
                                   const std::vector<std::string>& id_fields) {
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].id.empty()) continue;
    if (auto [at, fresh] = seen.emplace(groups[i].id, i); !fresh)
      SECGROUP_THROW(validation_error(errc::duplicate_id, id_fields[i],
                                      "group id " + detail::quoted(groups[i].id) +
                                          " appears twice (" + id_fields[at->second] +
                                          " has it too)"));
  }
}

/// "line L, column C" of byte `offset` of `text` (both 1-based; a line ends at '\n').
inline std::string line_column(std::string_view text, std::size_t offset) {
  auto before = text.substr(0, std::min(offset, text.size()));
  auto line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  auto newline = before.rfind('\n');
  auto column = before.size() + 1 - (newline == std::string_view::npos ? 0 : newline + 1);
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// The offset of the bracket at which `text` opens its (limit + 1)-th nested array or object,
/// or npos when it nests at most `limit` deep. One pass that skips strings (with their
/// escapes) and, with `comments`, `//` and `/* */` comments; malformed text is scanned all the
/// same (the parser reports it). Without comments (every document but configuration files),
/// by scan_brackets(): 0.75 s -> 0.10-0.12 s for a 327 MB export.
inline std::size_t nesting_overflow(std::string_view text, bool comments, std::size_t limit) {
  std::size_t depth = 0;
  if (!comments)
    return detail::scan_brackets(text, 0, [&](std::size_t, bool opens) {
      if (opens) return ++depth <= limit;
      if (depth > 0) --depth;
      return true;
    });
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (comments && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      i = std::min(text.find('\n', i), text.size());
    } else if (comments && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const auto end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

/// Returns when no object of `text` (JSON that parses) repeats a key; else throws parse_error
/// secgroup.parse.104 naming the first repeat: its path under `source` ("web.json:
/// rules[3].ip_range"), the key, and the line and column of the repeat and of the first one.
/// A second pass over the text: for error paths (duplicate_key_guard's suspicions).
inline void refuse_repeated_key(std::string_view text, const std::string& source, bool comments) {
  const char* cursor = text.data();
  path_finder finder(&cursor);
  json::sax_parse(position_iterator(text.data(), &cursor),
                  position_iterator(text.data() + text.size(), &cursor), &finder,
                  json::input_format_t::json, true, comments);
  if (!finder.repeated()) return;
  auto at = [&](const char* end) {
    return line_column(text, string_start(text, static_cast<std::size_t>(end - text.data())));
  };
  SECGROUP_THROW(parse_error(
      errc::bad_json, under_source(source, finder.path()),
      "duplicate key " + detail::quoted(finder.repeated_key()) + " at " + at(finder.repeat_end()) +
          " (also at " + at(finder.first_end()) +
          "): JSON readers differ on which value of a repeated key counts, so an object that "
          "repeats one is refused"));
}

/// Runs `fn`, prefixing `source` to the field of its errors as "source: field".
template <class Fn>
decltype(auto) from_source(const std::string& source, Fn&& fn) {
  if (source.empty()) return std::forward<Fn>(fn)();
  return with_field_renamed([&](const error& e) { return under_source(source, e.field()); },
                            std::forward<Fn>(fn));
}

}  // namespace detail::json_io
/// \endcond

// -- Reading --------------------------------------------------------------------------------

/// Reads one SecurityGroupRule object; errors name its fields under `field` ("rules[2]").
/// Position is the given one, or 0 when absent, null or 0 (unset); ICMP/ANY ports are cleared.
inline rule rule_from_json(const json& j, const std::string& field = "") {
  return detail::json_io::nested(field, [&] { return detail::json_io::read_rule(j); });
}

/// Reads one SecurityGroup object with its optional embedded `rules`; errors name fields under
/// `field`. Missing fields take the API defaults; default rules are dropped; user rules keep
/// file order and are numbered 1..N when none has a position.
inline security_group group_from_json(const json& j, const std::string& field = "") {
  return detail::json_io::nested(field, [&] {
    auto g = detail::json_io::read_group_fields(j);
    if (auto* rules = detail::json_io::find(j, "rules"))
      g.rules = detail::json_io::read_user_rules(*rules, "rules");
    return g;
  });
}

/// Reads every group of a document in any export form (see the file comment), in order.
/// Throws parse_error (secgroup.parse.109) when the document has none of those forms, and
/// validation_error (secgroup.validation.206) naming the later one when two groups share an
/// id. A document of no group (`[]`) reads as none: front ends refuse it (require_groups).
inline std::vector<security_group> groups_from_json(const json& doc) {
  std::vector<std::string> id_fields;
  std::vector<security_group> out;
  if (!doc.is_array()) {
    out = detail::json_io::read_document_object(doc, id_fields);
  } else {
    for (std::size_t i = 0; i < doc.size(); ++i) {
      const auto item = detail::json_io::indexed("", i);
      std::vector<std::string> fields;
      auto part = with_field_prefix(
          item, [&] { return detail::json_io::read_document_object(doc[i], fields); });
      out.insert(out.end(), part.begin(), part.end());
      for (auto& f : fields) id_fields.push_back(item + "." + f);
    }
  }
  detail::json_io::check_unique_group_ids(out, id_fields);
  return out;
}

/// The deepest nesting of arrays and objects parse_json() reads. Deeper text is refused before
/// it is parsed: nlohmann::json copies and destroys values recursively (an ordered object copies
/// its members when it grows), so a few hundred kilobytes of `[[[[...` would overflow the stack
/// of the reader, or of a `secgroup serve` connection thread. Real documents nest a few levels
/// (Terraform plans, the deepest, about ten per module level).
inline constexpr std::size_t max_json_depth = 512;

/// Parses JSON text into a value: the one parser of every secgroup reader. `comments` allows
/// `//` and `/* */` comments; `callback`, if given, is json::parse's (it may drop values as they
/// are parsed). Throws parse_error naming `source`: secgroup.parse.104 with the line and column
/// for a syntax error, secgroup.parse.114 with the line and column for text nesting arrays and
/// objects deeper than max_json_depth, secgroup.parse.107 naming the value's path ("web.json:
/// rules[0].dest_port_from") for a number beyond a double's range (`1e309`, valid JSON that no
/// double holds), and secgroup.parse.104 naming the key's path ("web.json: rules[3].ip_range")
/// and line for an object that repeats a key (which of its values counts differs between JSON
/// readers, so a repeat could hide a rule from a reviewer). A syntax error anywhere in the text
/// comes first; a callback still sees every value up to the end of the text.
inline json parse_json(std::string_view text, const std::string& source = "", bool comments = false,
                       json::parser_callback_t callback = nullptr) {
  if (auto at = detail::json_io::nesting_overflow(text, comments, max_json_depth);
      at != std::string_view::npos)
    SECGROUP_THROW(parse_error(errc::too_large, source,
                               "JSON nests arrays and objects deeper than " +
                                   std::to_string(max_json_depth) + " levels at " +
                                   detail::json_io::line_column(text, at)));
  bool suspect = false;
  json doc;
  try {
    doc = detail::json_io::parse_watching_keys(text, comments, std::move(callback), suspect);
  } catch (const json::parse_error& e) {
    std::size_t offset = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::string reason = e.what();  // "[json.exception...] parse error at line L, column C: ..."
    if (auto at = reason.find(": ", reason.find("column ")); at != std::string::npos)
      reason.erase(0, at + 2);
    SECGROUP_THROW(parse_error(
        errc::bad_json, source,
        "invalid JSON at " + detail::json_io::line_column(text, offset) + ": " + reason));
  } catch (const json::out_of_range&) {
    // json::parse stops at a number no double holds (out_of_range.406) without saying where;
    // a second pass that builds nothing finds the value's path.
    detail::json_io::path_finder where;
    json::sax_parse(text.begin(), text.end(), &where, json::input_format_t::json, true, comments);
    SECGROUP_THROW(parse_error(errc::bad_number,
                               detail::json_io::under_source(source, where.path()),
                               "number " + where.token() +
                                   " is out of range: a JSON number must fit a double "
                                   "(magnitude below about 1.8e308)"));
  }
  if (suspect) detail::json_io::refuse_repeated_key(text, source, comments);
  return doc;
}

/// \cond
namespace detail::json_io {

/// Reads the groups of a `{"security_groups": [...]}` document while it is parsed, so that
/// the parsed value holds one group at a time, not the whole list: memory follows the largest
/// group, not the document (a 68 MB export of 2,000 groups parsed into a 316 MB value before).
/// callback() is a json::parse callback; after the parse, finish(doc) returns what
/// groups_from_json(doc) returns for the document as written, and throws what it throws, in
/// the same order (the both-forms check, then the first bad group, then repeated ids). Any
/// other form of document is left to groups_from_json.
class group_list_reader {
 public:
  json::parser_callback_t callback() {
    return [this](int depth, json::parse_event_t event, json& value) {
      return keep(depth, event, value);
    };
  }

  /// True iff the parsed document's list of groups was read (and dropped) while parsing.
  bool streamed() const { return streamed_; }

  std::vector<security_group> finish(const json& doc) {
    if (!streamed_) return groups_from_json(doc);
    if (doc.contains("security_group")) refuse_both_forms();
    if (first_error_) std::rethrow_exception(first_error_);
    check_unique_group_ids(groups_, id_fields_);
    return std::move(groups_);
  }

 private:
  using event_t = json::parse_event_t;

  // Depths as nlohmann reports them: the top-level object's keys at 1, the list at 1, its
  // elements end at 2.
  bool keep(int depth, event_t event, json& value) {
    if (depth == 0 && event == event_t::object_start) top_is_object_ = true;
    if (!top_is_object_) return true;
    if (depth == 1 && event == event_t::key) {
      in_list_ = false;
      // A repeated "security_groups" needs no care: parse_json() refuses the document.
      key_is_list_ = value == "security_groups";
      return true;
    }
    if (depth == 1 && event == event_t::array_start && key_is_list_) {
      in_list_ = streamed_ = true;
      return true;
    }
    if (depth == 1 && event == event_t::array_end) in_list_ = false;
    const bool element_done =
        in_list_ && depth == 2 &&
        (event == event_t::object_end || event == event_t::array_end || event == event_t::value);
    if (!element_done) return true;
    read(value);
    return false;  // the group is read: the parsed value does not keep it
  }

  void read(const json& item) {
    const std::size_t i = count_++;
    if (first_error_) return;
    try {
      groups_.push_back(read_listed_group(item, i));
      id_fields_.push_back(indexed("security_groups", i) + ".id");
    } catch (...) {
      first_error_ = std::current_exception();
    }
  }

  bool top_is_object_ = false, key_is_list_ = false, in_list_ = false, streamed_ = false;
  std::vector<security_group> groups_;
  std::vector<std::string> id_fields_;
  std::size_t count_ = 0;
  std::exception_ptr first_error_;
};

}  // namespace detail::json_io
/// \endcond

/// Parses JSON text and reads its groups. Error fields start with `source` ("web.json: ...");
/// a syntax error throws parse_error (secgroup.parse.104) with the line and column.
inline std::vector<security_group> parse_groups(std::string_view text,
                                                const std::string& source = "") {
  detail::json_io::group_list_reader reader;  // a list of groups is read as it is parsed
  const json doc = parse_json(text, source, false, reader.callback());
  return detail::json_io::from_source(source, [&] { return reader.finish(doc); });
}

/// Reads the groups of a JSON file; error fields start with the path as given ("web.json: ").
/// Throws parse_error naming the path when the file cannot be read (secgroup.parse.109) or holds
/// more than `max_size` bytes (secgroup.parse.114; see io/read.hpp).
inline std::vector<security_group> load_groups(const std::filesystem::path& path,
                                               std::size_t max_size = default_max_input_size) {
  return parse_groups(read_text_file(path, max_size), path.string());
}

// -- Writing --------------------------------------------------------------------------------

/// Returns the rule as the API writes it, keys in API order. `dest_ip_range` is null, single
/// ports write `dest_port_to: null`, rules without ports (and ICMP/ANY) write both ports null,
/// and an empty id writes null (a new rule, as in a set-rules request).
inline json rule_to_json(const rule& r) {
  json j = json::object();
  j["id"] = r.id.empty() ? json(nullptr) : json(r.id);
  j["protocol"] = std::string(to_string(r.protocol));
  j["direction"] = std::string(to_string(r.direction));
  j["ip_range"] = to_string(r.ip_range);
  j["dest_ip_range"] = nullptr;
  bool ports = r.has_ports();
  j["dest_port_from"] = ports ? json(r.ports->from) : json(nullptr);
  j["dest_port_to"] = ports && !r.ports->single() ? json(r.ports->to) : json(nullptr);
  j["position"] = r.position;
  j["editable"] = r.editable;
  j["action"] = std::string(to_string(r.action));
  j["zone"] = r.zone;
  return j;
}

/// Returns the group as the API writes it, keys in API order, without rules.
inline json group_to_json(const security_group& g) {
  auto nullable = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json servers = json::array();
  for (const auto& s : g.servers) servers.push_back(json{{"id", s.id}, {"name", s.name}});
  json j = json::object();
  j["id"] = g.id;
  j["creation_date"] = nullable(g.creation_date);
  j["modification_date"] = nullable(g.modification_date);
  j["name"] = g.name;
  j["description"] = nullable(g.description);
  j["organization"] = g.organization;
  j["project"] = g.project;
  j["servers"] = std::move(servers);
  j["stateful"] = g.stateful;
  j["inbound_default_policy"] = std::string(to_string(g.inbound_default_policy));
  j["outbound_default_policy"] = std::string(to_string(g.outbound_default_policy));
  j["organization_default"] = g.organization_default;
  j["project_default"] = g.project_default;
  j["enable_default_security"] = g.enable_default_security;
  j["state"] = std::string(to_string(g.state));
  j["tags"] = g.tags;
  j["zone"] = g.zone;
  return j;
}

/// Returns `{"security_group": {...}, "rules": [...]}` with the rules of ordered_rules(g):
/// the default rules first when enabled (in the group's zone), then the user rules.
inline json export_to_json(const security_group& g) {
  json rules = json::array();
  for (const auto& r : ordered_rules(g)) rules.push_back(rule_to_json(r));
  json j = json::object();
  j["security_group"] = group_to_json(g);
  j["rules"] = std::move(rules);
  return j;
}

/// Returns `{"security_groups": [...]}`, each group with its ordered rules embedded as `rules`
/// after `zone`.
inline json groups_to_json(const std::vector<security_group>& groups) {
  json list = json::array();
  for (const auto& g : groups) {
    json item = group_to_json(g);
    json rules = json::array();
    for (const auto& r : ordered_rules(g)) rules.push_back(rule_to_json(r));
    item["rules"] = std::move(rules);
    list.push_back(std::move(item));
  }
  json j = json::object();
  j["security_groups"] = std::move(list);
  return j;
}

// -- nlohmann::json ADL hooks ---------------------------------------------------------------

/// `json j = r;` writes rule_to_json(r).
inline void to_json(json& j, const rule& r) { j = rule_to_json(r); }
/// `j.get<rule>()` reads rule_from_json(j).
inline void from_json(const json& j, rule& r) { r = rule_from_json(j); }
/// `json j = g;` writes group_to_json(g) (no rules; use export_to_json for them).
inline void to_json(json& j, const security_group& g) { j = group_to_json(g); }
/// `j.get<security_group>()` reads group_from_json(j), embedded rules included.
inline void from_json(const json& j, security_group& g) { g = group_from_json(j); }

SECGROUP_END_NAMESPACE
