// secgroup/version.hpp: the library version, as numbers and as a string.
#pragma once

#include "config.hpp"

#define SECGROUP_VERSION_MAJOR 0
#define SECGROUP_VERSION_MINOR 1
#define SECGROUP_VERSION_PATCH 0
#define SECGROUP_VERSION_STRING "0.1.0"

SECGROUP_BEGIN_NAMESPACE
/// The version of the headers in use, e.g. "0.1.0".
inline constexpr const char* version_string = SECGROUP_VERSION_STRING;
SECGROUP_END_NAMESPACE
