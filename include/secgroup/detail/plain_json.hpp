// secgroup/detail/plain_json.hpp: the SAX events of JSON text written plainly, found quickly.
//
// nlohmann's lexer reads a character at a time through an input adapter that counts lines and
// columns for its messages: most of what is left of reading an export once no JSON value is
// built (io/plain_group.hpp). scan_plain_json() hands a SAX consumer the events nlohmann's
// json::sax_parse() would hand it, for text made only of white space, brackets, commas and
// colons, strings of printable ASCII without escapes, unsigned integers of at most 19 digits
// and the literals true, false and null, nesting at most plain_json_depth levels. On anything
// else (an escape, a byte outside printable ASCII in a string, a minus sign, a fraction, an
// exponent, any syntax error) it stops and says it is unsure: the caller hands the text to
// nlohmann's parser, which reads it or names the error. The events it gives are always the
// first events nlohmann gives, so a consumer that refuses one would refuse nlohmann's too
// (tests/core/plain_json.test.cpp compares both on random and broken texts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace detail {

/// How scan_plain_json() ended. The events given are always the first events nlohmann's
/// parser gives for the same text.
enum class plain_scan {
  done,     ///< the whole text read: every event given and accepted, as nlohmann would
  stopped,  ///< the consumer refused an event (returned false); none was given after it
  unsure,   ///< the text is not written plainly, or is not JSON: read it with nlohmann
};

/// The deepest nesting scan_plain_json() reads (deeper text: unsure).
inline constexpr std::size_t plain_json_depth = 16;

/// Reads JSON text written plainly (see the file comment) and hands `sax` its events, with
/// nlohmann's SAX interface: null(), boolean(), number_unsigned(), string(), start_object(),
/// key(), end_object(), start_array(), end_array() (sizes unknown: std::size_t(-1), as
/// nlohmann gives them).
template <class Sax>
class plain_json_scanner {
 public:
  plain_json_scanner(std::string_view text, Sax& sax) : t_(text), sax_(sax) {}

  plain_scan run() {
    if (const auto r = value(0); r != plain_scan::done) return r;
    space();
    return i_ == t_.size() ? plain_scan::done : plain_scan::unsure;
  }

 private:
  static constexpr std::size_t unknown_size = static_cast<std::size_t>(-1);

  static plain_scan given(bool accepted) {
    return accepted ? plain_scan::done : plain_scan::stopped;
  }
  char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t'))
      ++i_;
  }

  /// One value at `depth` (the top level is 0), white space before it included.
  plain_scan value(std::size_t depth) {
    space();
    const char c = peek();
    if (c == '{' || c == '[')
      return depth < plain_json_depth ? container(depth) : plain_scan::unsure;
    if (c == '"') return string() ? given(sax_.string(text_)) : plain_scan::unsure;
    if (c >= '0' && c <= '9') return number();
    if (literal("true")) return given(sax_.boolean(true));
    if (literal("false")) return given(sax_.boolean(false));
    if (literal("null")) return given(sax_.null());
    return plain_scan::unsure;
  }

  /// An object or array at i_.
  plain_scan container(std::size_t depth) {
    const bool object = t_[i_++] == '{';
    const char close = object ? '}' : ']';
    if (!(object ? sax_.start_object(unknown_size) : sax_.start_array(unknown_size)))
      return plain_scan::stopped;
    space();
    if (peek() != close) {
      for (;;) {
        if (object) {
          space();
          if (peek() != '"' || !string()) return plain_scan::unsure;
          if (!sax_.key(text_)) return plain_scan::stopped;
          space();
          if (peek() != ':') return plain_scan::unsure;
          ++i_;
        }
        if (const auto r = value(depth + 1); r != plain_scan::done) return r;
        space();
        if (peek() != ',') break;
        ++i_;
      }
      if (peek() != close) return plain_scan::unsure;
    }
    ++i_;
    return given(object ? sax_.end_object() : sax_.end_array());
  }

  /// A string at i_ into text_: false unless every byte is printable ASCII and no escape.
  bool string() {
    const std::size_t from = ++i_;
    for (; i_ < t_.size(); ++i_) {
      const auto c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') {
        text_.assign(t_.data() + from, i_++ - from);
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return false;
  }

  /// An unsigned integer at i_: "0" or up to 19 digits not starting with 0 (below 10^19, so
  /// it fits 64 bits as nlohmann reads it), ending where nlohmann's number token ends: unsure
  /// before a fraction, an exponent or another digit ("01"), so no event is given for a
  /// number nlohmann reads otherwise.
  plain_scan number() {
    std::uint64_t v = 0;
    const std::size_t from = i_;
    if (t_[i_] == '0') {
      ++i_;
    } else {
      for (; i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9'; ++i_) {
        if (i_ - from == 19) return plain_scan::unsure;
        v = v * 10 + static_cast<std::uint64_t>(t_[i_] - '0');
      }
    }
    const char next = peek();
    if (next == '.' || next == 'e' || next == 'E' || (next >= '0' && next <= '9'))
      return plain_scan::unsure;
    return given(sax_.number_unsigned(v));
  }

  /// Consumes `word` if the text continues with it.
  bool literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  std::string_view t_;
  Sax& sax_;
  std::size_t i_ = 0;
  std::string text_;  ///< the last string or key read
};

/// Scans `text` with plain_json_scanner, handing `sax` its events.
template <class Sax>
plain_scan scan_plain_json(std::string_view text, Sax& sax) {
  return plain_json_scanner<Sax>(text, sax).run();
}

}  // namespace detail
SECGROUP_END_NAMESPACE
