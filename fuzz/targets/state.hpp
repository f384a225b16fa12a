// fuzz/targets/state.hpp: target `state`, the state-file loader of `secgroup serve --state`
// (secgroup/server/state_file.hpp): replay_state() of a snapshot and a journal, then
// mock::store::restore() of the result, which is what state_file::open() does with the two
// files' text. Needs secgroup::server.
//
// Input: the snapshot's text, a NUL byte, the journal's text. Without a NUL the whole input is
// the snapshot and the journal is empty; an empty snapshot part means no snapshot file.
// Properties: both steps read or refuse with a secgroup::error; a state that restores is
// written as a snapshot that reads back (replay_state of its text, then restore) to the same
// snapshot: a loaded state survives the compaction open() does next.
#pragma once

#include <optional>
#include <secgroup/mock/store.hpp>
#include <secgroup/server/state_file.hpp>
#include <string>
#include <string_view>

#include "../fuzz_target.hpp"
#include "store_options.hpp"

namespace secgroup_fuzz {

inline void fuzz_state(std::string_view input) {
  const auto nul = input.find('\0');
  const auto snapshot_text = input.substr(0, nul);
  const auto journal = nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1);
  const std::optional<std::string> snapshot =
      snapshot_text.empty() ? std::nullopt : std::optional(std::string(snapshot_text));
  secgroup::server::stored_state state;
  if (!accepted([&] { state = secgroup::server::replay_state(snapshot, journal, "state.json"); }))
    return;
  constexpr std::size_t cap = secgroup::mock::default_max_rules_per_group;
  secgroup::mock::store s(fuzz_store_options(cap));
  if (!accepted([&] { s.restore(state.doc); })) return;
  const auto compacted = s.snapshot();
  const std::string text = compacted.dump();
  secgroup::mock::store again(fuzz_store_options(cap));
  must_accept("state: a restored state's snapshot does not load: " + text,
              [&] { again.restore(secgroup::server::replay_state(text, "", "state.json").doc); });
  if (again.snapshot() != compacted)
    finding("state: a restored state's snapshot loads to another state: " + text);
}

}  // namespace secgroup_fuzz
