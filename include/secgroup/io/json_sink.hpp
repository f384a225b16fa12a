// secgroup/io/json_sink.hpp: a JSON value written a piece at a time, into a DOM or as text.
//
// A document's format is written once, as calls on a sink (begin_object(), key(), value(),
// end_object(), ...), and the sink decides what it becomes: json_builder makes an nlohmann
// value (the reports the library and Python return), json_text appends exactly the text that
// `dump(2)` of that value would write, indented as the elements of an array at a given depth
// (the reports streamed through a json_spool: making a DOM per finding, then dumping and
// destroying it, was most of the time of a JSON or SARIF report of an estate).
// Both sinks take the same calls: an object's members as key() then one value (or a whole
// container; object_field() and array_field() write one from a callback), array elements as
// values; fragment_value() puts again a value made once.
// json_text escapes strings with nlohmann's own dump() for anything but printable ASCII without
// quotes or backslashes, so the two agree byte for byte, and on what they reject (invalid
// UTF-8: nlohmann's type_error).
#pragma once

#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "json.hpp"

SECGROUP_BEGIN_NAMESPACE

/// Appends to a string what `dump(2)` writes: top-level values are the elements of an array
/// indented by `indent` spaces, each starting its line with them, joined by ",\n" (as a
/// json_spool holds them).
class json_text {
 public:
  /// A value's text made once by fragment_value(), to be put again at the same depth.
  using fragment = std::string;

  json_text(std::string& out, std::size_t indent) : out_(out), indent_(indent) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  /// The key of the object member whose value comes next.
  void key(std::string_view k) {
    start_element();
    append_string(k);
    out_ += ": ";
    after_key_ = true;
  }
  void value(std::string_view s) {
    start_element();
    append_string(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) {
    start_element();
    out_ += b ? "true" : "false";
  }
  void value(std::nullptr_t) {
    start_element();
    out_ += "null";
  }
  /// As `dump()` writes it (without this, a double would convert to bool).
  void value(double d) { raw_value(json(d)); }
  template <std::integral T>
  void value(T n) {
    start_element();
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  }
  template <class T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
    else
      value(nullptr);
  }
  /// A scalar as `dump()` writes it (what write_json_value() leaves to nlohmann: floats);
  /// containers go through write_json_value(), which indents them.
  void raw_value(const json& j) {
    start_element();
    out_ += j.dump();
  }
  /// key(k), then value(v).
  template <class T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  /// Puts the value `make(sink)` writes, making it into `kept` the first time. Precondition:
  /// every put of one `kept` is at the same depth (its lines are indented for it).
  template <class Make>
  void fragment_value(std::optional<fragment>& kept, Make&& make) {
    if (!kept) {
      const std::size_t at = indent_ + 2 * open_.size();
      json_text made(kept.emplace(), at);
      make(made);
      kept->erase(0, at);  // the first line's indent: start_element() writes it here
    }
    start_element();
    out_ += *kept;
  }
  /// The number of top-level values written.
  std::size_t count() const { return count_; }

 private:
  // Writes what comes before a value or key: the separator and indent of its line, unless it
  // is the value of the key just written.
  void start_element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    std::size_t& count = open_.empty() ? count_ : open_.back();
    out_ += count ? ",\n" : (open_.empty() ? "" : "\n");
    ++count;
    out_.append(indent_ + 2 * open_.size(), ' ');
  }
  void open(char bracket) {
    start_element();
    out_ += bracket;
    open_.push_back(0);
  }
  // "[]" or "{}" when empty, else the closing bracket on its own line.
  void close(char bracket) {
    const bool empty = open_.back() == 0;
    open_.pop_back();
    if (!empty) {
      out_ += '\n';
      out_.append(indent_ + 2 * open_.size(), ' ');
    }
    out_ += bracket;
  }
  void append_string(std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](unsigned char c) {
      return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (!plain) {
      out_ += json(std::string(s)).dump();
      return;
    }
    out_ += '"';
    out_ += s;
    out_ += '"';
  }

  std::string& out_;
  std::size_t indent_;
  std::size_t count_ = 0;          // top-level values
  std::vector<std::size_t> open_;  // per open container, its values (or keys) so far
  bool after_key_ = false;
};

/// Makes the nlohmann value the calls describe; take() returns it.
class json_builder {
 public:
  /// A value made once by fragment_value(), to be put again.
  using fragment = json;

  void begin_object() { open(json::object()); }
  void end_object() { open_.pop_back(); }
  void begin_array() { open(json::array()); }
  void end_array() { open_.pop_back(); }
  void key(std::string_view k) { key_ = k; }
  template <class T>
  void value(const T& v) {
    place(json(v));
  }
  template <class T>
  void value(const std::optional<T>& v) {
    place(v ? json(*v) : json(nullptr));
  }
  void raw_value(const json& j) { place(j); }
  template <class T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  template <class Make>
  void fragment_value(std::optional<fragment>& kept, Make&& make) {
    if (!kept) {
      json_builder made;
      make(made);
      kept = made.take();
    }
    place(*kept);
  }
  /// The value made (a top-level value: the last one put).
  json take() { return std::move(root_); }

 private:
  json& place(json v) {
    if (open_.empty()) return root_ = std::move(v);
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return parent.back();
    }
    return parent[key_] = std::move(v);
  }
  // Containers are filled in place: an open one's parent takes nothing until it is closed.
  void open(json empty) { open_.push_back(&place(std::move(empty))); }

  json root_;
  std::vector<json*> open_;
  std::string key_;
};

/// key(k), then an object whose members `members()` writes to `sink`.
template <class Sink, class Members>
void object_field(Sink& sink, std::string_view k, Members&& members) {
  sink.key(k);
  sink.begin_object();
  members();
  sink.end_object();
}

/// key(k), then an array whose elements `elements()` writes to `sink`.
template <class Sink, class Elements>
void array_field(Sink& sink, std::string_view k, Elements&& elements) {
  sink.key(k);
  sink.begin_array();
  elements();
  sink.end_array();
}

/// Writes `j` to `sink`, as calls of its parts.
template <class Sink>
void write_json_value(Sink& sink, const json& j) {
  switch (j.type()) {
    case json::value_t::object:
      sink.begin_object();
      for (const auto& [k, v] : j.items()) {
        sink.key(k);
        write_json_value(sink, v);
      }
      sink.end_object();
      return;
    case json::value_t::array:
      sink.begin_array();
      for (const auto& v : j) write_json_value(sink, v);
      sink.end_array();
      return;
    case json::value_t::string:
      sink.value(j.get_ref<const std::string&>());
      return;
    case json::value_t::boolean:
      sink.value(j.get<bool>());
      return;
    case json::value_t::number_integer:
      sink.value(j.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      sink.value(j.get<std::uint64_t>());
      return;
    case json::value_t::null:
      sink.value(nullptr);
      return;
    default:  // floats, binary: as nlohmann writes them
      sink.raw_value(j);
      return;
  }
}

SECGROUP_END_NAMESPACE
