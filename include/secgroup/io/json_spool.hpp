// secgroup/io/json_spool.hpp: a JSON document whose longest array is written piece by piece.
//
// A report that opens with what its whole run adds up to ("failed", a summary) cannot be
// written before every group is done, yet keeping every group's JSON until then costs memory in
// proportion to the input (a 2,000-group export: a 505 MB report, 2.4 GB peak). A json_spool
// holds the array's elements as text, each written (a json_text, io/json_sink.hpp) the moment
// it is made, in memory up to `memory_limit` bytes and beyond that in an anonymous temporary
// file (std::tmpfile(); should that fail, in memory). write_spliced() then writes the document with
// the elements in place of an empty array, byte for byte what `dump(2)` of the document holding
// them would write. When nothing before the array depends on its elements, json_list_writer writes
// the document straight to its stream instead, one element at a time.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "json.hpp"
#include "json_sink.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The elements of one JSON array, as `dump(2)` writes them at a given depth, kept as text.
class json_spool {
 public:
  /// Elements of an array whose key is indented by `key_indent` spaces in the final document.
  explicit json_spool(std::size_t key_indent, std::size_t memory_limit = std::size_t{8} << 20)
      : indent_(key_indent + 2), memory_limit_(memory_limit) {}

  /// Appends `element`, dumped and indented as an element of the array.
  void push_back(const json& element) {
    if (count_) buffer_ += ",\n";
    json_text text(buffer_, indent_);
    write_json_value(text, element);
    ++count_;
    if (buffer_.size() > memory_limit_) spill();
  }

  /// The indent of the elements' first lines: a json_text(text, element_indent()) makes
  /// elements apart from the spool (on other threads), for append_dumped().
  std::size_t element_indent() const { return indent_; }

  /// Appends `count` elements as text: what a json_text(text, element_indent()) wrote of them
  /// (nothing when `count` is 0). The same as push_back() of each.
  void append_dumped(std::string_view text, std::size_t count) {
    if (count == 0) return;
    if (count_) buffer_ += ",\n";
    buffer_ += text;
    count_ += count;
    if (buffer_.size() > memory_limit_) spill();
  }

  /// The number of elements.
  std::size_t size() const { return count_; }

  /// Writes the elements, separated by ",\n", without the brackets.
  void write_to(std::ostream& out) {
    if (file_) {
      spill();
      std::rewind(file_.get());
      char chunk[1 << 16];
      for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file_.get())) > 0;)
        out.write(chunk, static_cast<std::streamsize>(n));
    }
    out << buffer_;
  }

 private:
  // Moves the buffer to the temporary file, creating it; keeps it in memory if that fails.
  void spill() {
    if (!file_ && !file_failed_) {
      file_.reset(std::tmpfile());
      file_failed_ = !file_;
    }
    if (!file_) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size())
      throw std::runtime_error("cannot write the report's temporary file (disk full?)");
    buffer_.clear();
  }

  struct closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::size_t indent_, memory_limit_;
  std::size_t count_ = 0;
  std::string buffer_;
  std::unique_ptr<std::FILE, closer> file_;
  bool file_failed_ = false;
};

/// Writes the document `{"<key>": [elements]}` to an ostream as `dump(2)` of it and a newline
/// would, each element the moment it is pushed: for a list too long to hold, with nothing
/// before it that needs the whole list (the anomaly report of a large group). Call close() once
/// after the last element; a writer destroyed unclosed has written an unfinished document.
class json_list_writer {
 public:
  /// Writes the document's opening, up to the array's '['.
  json_list_writer(std::ostream& out, std::string_view key) : out_(out) {
    out_ << "{\n  " << json(std::string(key)).dump() << ": [";
  }

  /// Writes `element`, dumped and indented as an element of the array.
  void push_back(const json& element) {
    push_written([&](json_text& text) { write_json_value(text, element); });
  }

  /// Writes the element `write(text)` writes to a json_text: one value, made without a DOM.
  template <class Write>
  void push_written(Write&& write) {
    line_.assign(count_ ? ",\n" : "\n");
    json_text text(line_, 4);
    write(text);
    out_ << line_;
    ++count_;
  }

  /// The number of elements written.
  std::size_t size() const { return count_; }

  /// Writes the end of the array and of the document, and a newline.
  void close() { out_ << (count_ ? "\n  ]" : "]") << "\n}\n"; }

 private:
  std::ostream& out_;
  std::string line_;
  std::size_t count_ = 0;
};

/// Writes `doc.dump(2)` and a newline, with the elements of `elements` in the empty array that
/// is the value of `key` at indentation `elements`' key_indent. Precondition: `doc` holds that
/// key there with an empty array (checked: std::logic_error otherwise).
inline void write_spliced(std::ostream& out, const json& doc, std::string_view key,
                          std::size_t key_indent, json_spool& elements) {
  const std::string text = doc.dump(2);
  // A dumped string has no raw newline and escapes its quotes, so only the key itself matches.
  const std::string marker =
      "\n" + std::string(key_indent, ' ') + json(std::string(key)).dump() + ": []";
  const auto at = text.find(marker);
  if (at == std::string::npos)
    throw std::logic_error("write_spliced: no empty array at key " + std::string(key));
  const auto open = at + marker.size() - 1;  // the ']' of "[]"
  out.write(text.data(), static_cast<std::streamsize>(open));
  if (elements.size()) {
    out << "\n";
    elements.write_to(out);
    out << "\n" << std::string(key_indent, ' ');
  }
  out << std::string_view(text).substr(open) << "\n";
}

SECGROUP_END_NAMESPACE
