// secgroup/io/packets.hpp: packet files, one packet a line.
//
// The text form of packet.hpp, one packet a line ("inbound tcp 203.0.113.7 22"); blank lines
// and comments from '#' to the end of the line are skipped, and so is a UTF-8 byte order mark
// at the start of the file, as the JSON readers skip one. Errors name the file and line.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../packet.hpp"
#include "read.hpp"

SECGROUP_BEGIN_NAMESPACE

/// Reads the packets of the file at `path`. Throws parse_error: secgroup.parse.109 naming the
/// path when it cannot be read, secgroup.parse.114 when it holds more than `max_size` bytes
/// (io/read.hpp), or the error of the first bad line, naming "PATH:LINE". A leading UTF-8 byte
/// order mark is skipped.
inline std::vector<packet> load_packets(const std::filesystem::path& path,
                                        std::size_t max_size = default_max_input_size) {
  const std::string file = read_text_file(path, max_size);
  std::istringstream in{std::string(without_bom(file))};
  std::vector<packet> out;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    auto text = detail::trim(std::string_view(line).substr(0, line.find('#')));
    if (!text.empty()) out.push_back(parse_packet(text, path.string() + ":" + std::to_string(n)));
  }
  return out;
}

SECGROUP_END_NAMESPACE
