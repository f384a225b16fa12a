// secgroup/io/read.hpp: reading input files whole, with a size limit.
//
// Every file the library reads (group exports, lint configurations, Terraform documents, packet
// files) goes through read_text_file(), which refuses a file larger than a limit before reading
// it (regular files) or as soon as the limit is passed (pipes, FIFOs, /dev/zero and other endless
// or unsized inputs, read in 64 KiB chunks), so no input grows memory beyond the limit. The
// default, default_max_input_size (256 MiB), is generous for real exports: a group of the API's
// largest size writes a few hundred KiB, an organisation's export of thousands of groups tens of
// MiB. Raise it with the CLI's `--max-input-size` or the functions' `max_size` argument.
// Sizes are written as bytes with an optional binary suffix (parse_byte_size(): 512K, 256M, 1G).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"

SECGROUP_BEGIN_NAMESPACE

/// The default size limit of an input file: 256 MiB.
inline constexpr std::size_t default_max_input_size = std::size_t{256} << 20;

/// Returns "N bytes", or "N bytes (K KiB|MiB|GiB)" when N is a whole number of those units.
inline std::string byte_size_text(std::size_t n) {
  std::string out = std::to_string(n) + (n == 1 ? " byte" : " bytes");
  const char* units[] = {"GiB", "MiB", "KiB"};
  for (int k = 0; k < 3; ++k) {
    const unsigned shift = 30 - 10 * static_cast<unsigned>(k);
    if (n >= (std::size_t{1} << shift) && n % (std::size_t{1} << shift) == 0)
      return out + " (" + std::to_string(n >> shift) + " " + units[k] + ")";
  }
  return out;
}

/// Parses a size in bytes: decimal digits with an optional suffix K, M or G (any case, an
/// optional "iB" or "B" after it: 64K, 256MiB, 1gb), binary multiples (1K = 1024). Throws
/// parse_error secgroup.parse.107 naming `field` for anything else, zero, or a size beyond
/// the address space.
inline std::size_t parse_byte_size(std::string_view text, const std::string& field) {
  auto bad = [&](const char* why) {
    SECGROUP_THROW(parse_error(errc::bad_number, field,
                               "invalid size " + detail::quoted(text) + ": " + why +
                                   " (expected bytes with an optional K, M or G suffix)"));
  };
  std::size_t i = 0;
  std::uint64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) bad("too large");
    n = n * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (i == 0) bad("no number");
  auto suffix = text.substr(i);
  unsigned shift = 0;
  if (!suffix.empty()) {
    const char c = static_cast<char>(suffix[0] | 0x20);
    shift = c == 'k' ? 10 : c == 'm' ? 20 : c == 'g' ? 30 : 0;
    if (shift == 0 && !detail::iequals(suffix, "b")) bad("unknown unit");
    if (shift) {
      suffix.remove_prefix(1);
      if (!suffix.empty() && !detail::iequals(suffix, "b") && !detail::iequals(suffix, "ib"))
        bad("unknown unit");
    }
  }
  if (n == 0) bad("zero");
  if (n > (std::numeric_limits<std::size_t>::max() >> shift)) bad("too large");
  return static_cast<std::size_t>(n) << shift;
}

/// `text` without a leading UTF-8 byte order mark (EF BB BF), which some editors write at the
/// start of a UTF-8 file. The JSON readers skip one (nlohmann's lexer does) and the YAML
/// reader too (yaml-cpp); the packet reader strips it with this.
constexpr std::string_view without_bom(std::string_view text) {
  return text.starts_with("\xef\xbb\xbf") ? text.substr(3) : text;
}

/// Returns the whole content of the file at `path`, which must hold at most `max_size` bytes.
/// Throws parse_error naming the path: secgroup.parse.109 when it cannot be read (missing, a
/// directory, no permission, I/O error), secgroup.parse.114 when it is larger than `max_size`
/// (a regular file is refused before it is read, any other file after `max_size` + 1 bytes).
inline std::string read_text_file(const std::filesystem::path& path,
                                  std::size_t max_size = default_max_input_size) {
  namespace fs = std::filesystem;
  const std::string source = path.string();
  auto too_large = [&] {
    SECGROUP_THROW(parse_error(errc::too_large, source,
                               "the file is larger than the input limit of " +
                                   byte_size_text(max_size) + "; raise it with --max-input-size"));
  };
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (fs::is_directory(status))
    SECGROUP_THROW(parse_error(errc::bad_file, source, "cannot read file: is a directory"));
  std::size_t expected = 0;
  if (fs::is_regular_file(status)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > max_size) too_large();
    if (!ec) expected = static_cast<std::size_t>(size);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    SECGROUP_THROW(parse_error(errc::bad_file, source,
                               fs::exists(path, ec)
                                   ? "cannot read file: permission denied or I/O error"
                                   : "cannot read file: no such file"));
  std::string text;
  text.reserve(expected + 1);  // the size and the byte past it: no reallocation
  // A regular file in one read of its size and a byte (the byte proves the end, or growth):
  // chunks of 64 KiB took 0.98-1.06 s for a 327 MB export, one read 0.58-0.68 s
  // (docs/benchmarks.md, An estate).
  const std::size_t chunk = std::max(std::size_t{64} << 10, expected + 1);
  for (;;) {
    const std::size_t at = text.size();
    // Never hold more than max_size + 1 bytes: one byte past the limit proves it exceeded.
    const std::size_t want = std::min(chunk, max_size - std::min(max_size, at) + 1);
    text.resize(at + want);
    in.read(text.data() + at, static_cast<std::streamsize>(want));
    const auto got = static_cast<std::size_t>(in.gcount());
    text.resize(at + got);
    if (text.size() > max_size) too_large();
    if (got < want) break;
  }
  if (in.bad()) SECGROUP_THROW(parse_error(errc::bad_file, source, "cannot read file: I/O error"));
  return text;
}

SECGROUP_END_NAMESPACE
