// secgroup/client/source.hpp: the `api:` syntax naming the live Instance API as a source.
//
//   api:                        every group of the project, in every zone (settings.zones, else
//                               the ten Instance zones)
//   api:fr-par-1                every group in one zone
//   api:fr-par-1,nl-ams-1       every group in several zones (each once, in the order given)
//   api:fr-par-1/<group id>     one group (a UUID) and its rules
//
// export_text() writes what was read as the `export` command does: an API export that every
// reader takes back unchanged.
// Front ends take such a string wherever they take a group file. Parsing needs no network and
// no cpp-httplib: a build without secgroup::client still recognises the syntax, and says that
// it cannot read it (SECGROUP_WITH_CLIENT) rather than "no such file".
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../zones.hpp"
#include "../security_group.hpp"
#include "settings.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace client {

/// What an `api:` argument asks for.
struct api_source {
  std::string text;                     ///< the argument as given ("api:fr-par-1")
  std::vector<std::string> zones;       ///< empty: every zone (every_zone())
  std::optional<std::string> group_id;  ///< one group (then exactly one zone)
};

/// True iff `argument` uses the `api:` syntax (the prefix decides; a file named "api:x" must be
/// written "./api:x").
inline bool is_api_source(std::string_view argument) { return argument.rfind("api:", 0) == 0; }

/// Parses an `api:` argument (see the file comment). Throws parse_error secgroup.parse.109
/// naming the argument for a malformed one (an empty zone, a zone repeated, a group without its
/// one zone, an id that is not a UUID) and validation_error secgroup.remote.402 for a zone that
/// is not an Instance zone.
inline api_source parse_api_source(const std::string& argument) {
  if (!is_api_source(argument))
    SECGROUP_THROW(parse_error(errc::bad_file, argument, "expected api:[ZONE[,ZONE...]][/GROUP_ID]"));
  api_source out;
  out.text = argument;
  std::string_view rest = std::string_view(argument).substr(4);
  const auto slash = rest.find('/');
  std::string_view zones = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string id(rest.substr(slash + 1));
    if (!is_uuid(id))
      SECGROUP_THROW(parse_error(errc::bad_file, argument,
                                 "the group after the slash must be a group id (a UUID), got " +
                                     detail::quoted(id)));
    out.group_id = id;
  }
  while (!zones.empty()) {
    const auto comma = zones.find(',');
    const std::string zone(zones.substr(0, comma));
    if (zone.empty())
      SECGROUP_THROW(parse_error(errc::bad_file, argument,
                                 "an empty zone in the list (expected api:ZONE,ZONE)"));
    check_zone(zone, argument);
    if (std::find(out.zones.begin(), out.zones.end(), zone) != out.zones.end())
      SECGROUP_THROW(parse_error(errc::bad_file, argument, "zone " + zone + " is named twice"));
    out.zones.push_back(zone);
    if (comma == std::string_view::npos) break;
    zones.remove_prefix(comma + 1);
    if (zones.empty())
      SECGROUP_THROW(parse_error(errc::bad_file, argument,
                                 "an empty zone in the list (expected api:ZONE,ZONE)"));
  }
  if (out.group_id && out.zones.size() != 1)
    SECGROUP_THROW(parse_error(errc::bad_file, argument,
                               "a group is read from one zone: api:ZONE/GROUP_ID"));
  return out;
}

/// The export of `groups` as the `export` command writes it: groups_to_json() indented by two
/// spaces, with a final newline. Reading it back (io/source.hpp) gives `groups` again.
inline std::string export_text(const std::vector<security_group>& groups) {
  return groups_to_json(groups).dump(2) + "\n";
}

}  // namespace client
SECGROUP_END_NAMESPACE
