// secgroup/io/group_list_split.hpp: the groups of one `{"security_groups": [...]}` export read
// one by one, on one thread or several.
//
// A JSON document is one value, so nlohmann::json parses it on one thread (5.7 s of the 10,000
// group estate in docs/benchmarks.md). split_group_list() finds, in one pass that builds
// nothing, the byte ranges of the top-level object's values and of the elements of its
// "security_groups" array (skipping strings with their escapes); read_group_list() then reads
// each element on its own, on a thread pool (detail/parallel.hpp): with read_plain_group()
// (io/plain_group.hpp, no JSON value built) when it can, else parsed and read with
// read_listed_group(). The result and the errors are those of the serial read
// (group_list_reader): whenever the split is unsure (another top-level form, a key written
// with escapes, a key that could change the reading such as "security_group" or
// "format_version", a repeated key, nesting deeper than max_json_depth, text after the value)
// or some part fails to parse or may repeat a key, read_group_list() returns nullopt and the
// caller reads the text serially, which reports the error with its line and column exactly as
// before.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/json_brackets.hpp"
#include "../detail/parallel.hpp"
#include "../security_group.hpp"
#include "json.hpp"
#include "plain_group.hpp"

SECGROUP_BEGIN_NAMESPACE
/// \cond
namespace detail::json_io {

/// The parts of a `{"security_groups": [...]}` document: the text of each element of the list,
/// and of every other top-level value. Each is one JSON value if the document is valid; none
/// has been parsed.
struct group_list_parts {
  std::vector<std::string_view> elements;  ///< the list's elements, in order
  std::vector<std::string_view> others;    ///< the values of the other top-level keys
};

/// A one-pass scanner of JSON structure, which gives up (returns false) rather than guess.
class list_scanner {
 public:
  explicit list_scanner(std::string_view text) : t_(text) {}

  /// Skips JSON white space.
  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t'))
      ++i_;
  }
  /// Consumes `c` if it is next.
  bool take(char c) {
    if (i_ >= t_.size() || t_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool at_end() const { return i_ == t_.size(); }

  /// Reads an object key: a string of printable ASCII without escapes (a key with escapes may
  /// spell a key that matters; the serial read decides those).
  bool key(std::string_view& out) {
    if (!take('"')) return false;
    const std::size_t from = i_;
    for (; i_ < t_.size() && t_[i_] != '"'; ++i_)
      if (t_[i_] == '\\' || static_cast<unsigned char>(t_[i_]) < 0x20 ||
          static_cast<unsigned char>(t_[i_]) > 0x7e)
        return false;
    if (i_ >= t_.size()) return false;
    out = t_.substr(from, i_++ - from);
    return true;
  }

  /// Finds the extent of the value starting here, `depth` levels down (the top-level object is
  /// depth 1): a string, an array or object (matched by counting the brackets outside strings
  /// that scan_brackets() finds, nesting at most max_json_depth deep in all), or a scalar token.
  /// The extent is one JSON value only if it parses; a mismatched bracket makes it fail to
  /// parse, not go unnoticed.
  bool value(std::size_t depth, std::string_view& out) {
    const std::size_t from = i_;
    if (i_ >= t_.size()) return false;
    const char c = t_[i_];
    if (c == '"') {
      if (!string()) return false;
    } else if (c == '[' || c == '{') {
      std::size_t level = 0;
      bool too_deep = false;
      const std::size_t end = secgroup::detail::scan_brackets(t_, i_, [&](std::size_t, bool opens) {
        if (!opens) return --level > 0;
        too_deep = depth + ++level > max_json_depth;
        return !too_deep;
      });
      if (end == std::string_view::npos || too_deep) return false;
      i_ = end + 1;
    } else {
      while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != ']' && t_[i_] != '}' && t_[i_] != ' ' &&
             t_[i_] != '\n' && t_[i_] != '\r' && t_[i_] != '\t')
        ++i_;
      if (i_ == from) return false;
    }
    out = t_.substr(from, i_ - from);
    return true;
  }

 private:
  /// Skips a string from its opening quote past its closing one.
  bool string() {
    for (++i_; i_ < t_.size(); ++i_) {
      if (t_[i_] == '\\')
        ++i_;
      else if (t_[i_] == '"')
        break;
    }
    if (i_ >= t_.size()) return false;
    ++i_;
    return true;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

/// The parts of `text` when it is a top-level object with one "security_groups" key whose value
/// is an array, no key that changes how the document reads ("security_group", the Terraform
/// keys "format_version" and "version"), and no repeated key; nullopt when it is not, or when
/// the scanner is unsure (see the file comment). Cost: one pass over the text, no allocation per
/// byte.
inline std::optional<group_list_parts> split_group_list(std::string_view text) {
  list_scanner s(text);
  group_list_parts out;
  std::unordered_set<std::string_view> keys;  // keys hold no escapes: equal text, equal key
  bool listed = false;
  s.space();
  if (!s.take('{')) return std::nullopt;
  s.space();
  if (s.take('}')) return std::nullopt;
  do {
    s.space();
    std::string_view key;
    if (!s.key(key)) return std::nullopt;
    s.space();
    if (!s.take(':')) return std::nullopt;
    s.space();
    if (key == "security_group" || key == "format_version" || key == "version" ||
        !keys.insert(key).second)
      return std::nullopt;
    if (key != "security_groups") {
      std::string_view v;
      if (!s.value(1, v)) return std::nullopt;
      out.others.push_back(v);
    } else {
      if (listed || !s.take('[')) return std::nullopt;
      listed = true;
      s.space();
      if (!s.take(']')) {
        do {
          s.space();
          std::string_view v;
          if (!s.value(2, v)) return std::nullopt;
          out.elements.push_back(v);
          s.space();
        } while (s.take(','));
        if (!s.take(']')) return std::nullopt;
      }
    }
    s.space();
  } while (s.take(','));
  if (!s.take('}')) return std::nullopt;
  s.space();
  if (!s.at_end() || !listed) return std::nullopt;
  return out;
}

/// True iff `part` parses as one JSON value (parse_json's parser, without comments) in which no
/// object may repeat a key (the serial read names the repeat, or finds none).
inline bool parses(std::string_view part, json* into = nullptr) {
  try {
    bool suspect = false;
    auto value = parse_watching_keys(part, false, nullptr, suspect);
    if (suspect) return false;
    if (into) *into = std::move(value);
    return true;
  } catch (...) {
    return false;
  }
}

/// The groups of `text` as parse_groups(text, source) returns them, read on `jobs` threads (one
/// when `jobs` is 0 or 1) when split_group_list() splits it; nullopt when it does not, or when a
/// part fails to parse (the serial read then reports the error, with its line and column). Throws
/// what the serial read throws for well-formed text: the first bad group's error (its field under
/// "source: security_groups[i]"), else validation_error for a repeated group id.
inline std::optional<std::vector<security_group>> read_group_list(std::string_view text,
                                                                  const std::string& source,
                                                                  unsigned jobs) {
  auto parts = split_group_list(text);
  if (!parts) return std::nullopt;
  for (auto other : parts->others)
    if (!parses(other)) return std::nullopt;
  const std::size_t n = parts->elements.size();
  std::vector<security_group> groups(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<bool> unparsed{false};
  secgroup::detail::parallel_for(n, jobs, [&](std::size_t i) {
    if (auto group = read_plain_group(parts->elements[i])) {
      groups[i] = std::move(*group);
      return;
    }
    json item;
    if (!parses(parts->elements[i], &item)) {
      unparsed = true;
      return;
    }
    try {
      groups[i] = read_listed_group(item, i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  });
  if (unparsed) return std::nullopt;
  return from_source(source, [&] {
    std::vector<std::string> id_fields;
    for (std::size_t i = 0; i < n; ++i) {
      if (errors[i]) std::rethrow_exception(errors[i]);
      id_fields.push_back(indexed("security_groups", i) + ".id");
    }
    check_unique_group_ids(groups, id_fields);
    return std::move(groups);
  });
}

}  // namespace detail::json_io
/// \endcond
SECGROUP_END_NAMESPACE
