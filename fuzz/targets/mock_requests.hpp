// fuzz/targets/mock_requests.hpp: the input format of target `mock`: a few HTTP-like requests.
//
//   METHOD TARGET            "POST /instance/v1/zones/fr-par-1/security_groups?page=1"
//   Name: value              zero or more header lines
//                            an empty line, then the body (to the end of the request)
//   %%                       a line of its own between two requests
//
// Any bytes make some requests: a missing space gives an empty target, missing headers or body
// are empty. At most max_requests requests are read; the rest of the input is ignored.
#pragma once

#include <cstddef>
#include <secgroup/mock/rest.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace secgroup_fuzz {

inline constexpr std::size_t max_requests = 16;
inline constexpr std::string_view request_separator = "\n%%\n";

/// The line of `text` at its start (without '\n'); removes it and its '\n' from `text`.
inline std::string_view take_line(std::string_view& text) {
  const auto end = text.find('\n');
  const auto line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

/// Reads one request in the format of the file comment (without separator).
inline secgroup::mock::request read_request(std::string_view text) {
  secgroup::mock::request req;
  const auto first = take_line(text);
  const auto space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  const auto target =
      space == std::string_view::npos ? std::string_view{} : first.substr(space + 1);
  const auto mark = target.find('?');
  req.path = std::string(target.substr(0, mark));
  if (mark != std::string_view::npos) req.query = std::string(target.substr(mark + 1));
  while (!text.empty()) {
    const auto line = take_line(text);
    if (line.empty()) break;
    const auto colon = line.find(':');
    auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  req.body = std::string(text);
  return req;
}

/// The requests of `input`, at most max_requests.
inline std::vector<secgroup::mock::request> read_requests(std::string_view input) {
  std::vector<secgroup::mock::request> out;
  while (out.size() < max_requests) {
    const auto end = input.find(request_separator);
    out.push_back(read_request(input.substr(0, end)));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + request_separator.size());
  }
  return out;
}

}  // namespace secgroup_fuzz
