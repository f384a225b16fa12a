// cli/options.hpp: enumerated options, parsed into enums by CLI11 once, at the boundary.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace secgroup::cli {

/// The enum of an option's value: E for E and for std::optional<E>.
template <class T>
struct enum_of {
  using type = T;
};
template <class T>
struct enum_of<std::optional<T>> {
  using type = T;
};

/// Adds option `name` to `cmd`, storing into `value` (an enum, or an optional one) the enum
/// that `names` gives to the argument (any case). Help and errors read as for a text option:
/// "--format TEXT:{text,json}", "xml not in {text,json}".
template <class Value, class Enum = typename enum_of<Value>::type>
CLI::Option* add_enum_option(CLI::App& cmd, const std::string& name, Value& value,
                             const std::vector<std::pair<std::string, Enum>>& names,
                             const std::string& help) {
  std::vector<std::string> words;
  std::map<std::string, Enum> table;
  for (const auto& [word, e] : names) {
    words.push_back(word);
    table.emplace(word, e);
  }
  // NOTE: CLI11 2.1 converts a plain enum through an integer (ConvertTo int: an enum of
  // std::uint8_t does not compile as its own ConvertTo); an optional enum converts as is.
  CLI::Option* option = nullptr;
  if constexpr (std::is_same_v<Value, Enum>)
    option = cmd.add_option<Value, int>(name, value, help);
  else
    option = cmd.add_option(name, value, help);
  return option->type_name("TEXT")
      ->transform(CLI::CheckedTransformer(table, CLI::ignore_case).description(""))
      ->transform(CLI::IsMember(words, CLI::ignore_case));
}

/// add_enum_option() over `values`, each named by the library's to_string(), so that the CLI
/// and the library's parse functions accept the same words.
template <class Value, class Enum, std::size_t N>
CLI::Option* add_enum_option(CLI::App& cmd, const std::string& name, Value& value,
                             const std::array<Enum, N>& values, const std::string& help) {
  std::vector<std::pair<std::string, Enum>> names;
  for (auto e : values) names.emplace_back(to_string(e), e);
  return add_enum_option(cmd, name, value, names, help);
}

}  // namespace secgroup::cli
