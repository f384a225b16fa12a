// secgroup/server/state_file.hpp: the state file of `secgroup serve`: a snapshot and an
// append-only journal, safe against kill -9.
//
// A state file FILE is two files in one directory: FILE, a snapshot (mock::store::snapshot()'s
// document, `{"security_groups": [...]}`, which every secgroup reader accepts), and
// FILE.journal, one JSON line per change made since the snapshot:
//   {"put": [GROUP, ...], "delete": [{"zone": ZONE, "id": ID}, ...]}
// where each GROUP is a group in the snapshot's form (rules embedded) in its new state; a line
// holds every group one call wrote or deleted (a new project default clears the old one: both
// are in the line), so a line is the unit of atomicity. The stored state is the snapshot with
// the journal replayed in order (read_state()): a put replaces the group of the same zone and id
// in place or appends it, a delete removes it (a missing group is no error). Replaying is
// idempotent, so a crash between writing a new snapshot and emptying the journal is harmless.
//
// state_file::open() loads that state into a store, compacts it (writes the snapshot, empties
// the journal) and then listens to the store's changes (mock::store::set_change_listener): each
// change's groups are copied under the store's lock and queued; sync() encodes and appends
// everything queued to the journal with one write and one fdatasync (concurrent callers share it:
// group commit), so a caller that returns from sync() after its change knows the change is on disk.
// checkpoint() syncs and compacts (on a clean stop); sync() compacts by itself once the journal
// outgrows max(journal_limit, the snapshot's size), which keeps the cost of a change proportional
// to the groups it wrote, amortised. Compaction writes exactly the durable state, never a change
// whose journal line is not on disk: the store's snapshot when every change is flushed and none
// slipped in while it was taken (counted), else the state read back from the files.
//
// Guarantees: a change is durable when sync() returns; after kill -9 or a crash, the next open()
// sees every synced change. A last journal line without its newline is a torn write (it was
// never synced): ignored, and dropped by the next compaction. Any other malformed line, or a
// snapshot that is not valid, is refused (parse_error or validation_error naming the file and
// line or field) and nothing is written. Temporaries are FILE.tmp-<16 hex digits>, created with
// O_CREAT|O_EXCL|O_NOFOLLOW (a symlink or file planted there is never followed nor reused) with
// mode 0600, then renamed over FILE; open() removes leftovers of earlier runs (names of exactly
// that pattern, or the FILE.tmp-<pid> of older versions). open() refuses a directory that does
// not exist or is not writable, a journal that is a symlink, and a state file another process
// holds (an exclusive flock on the journal, released on destruction).
// NOTE: a line holds whole groups, not the changed rule: the cost of a change is O(size of the
// groups it wrote). Rule-level records were not worth their replay rules for a test double.
// CAUTION: the snapshot alone is stale while a server runs; read_state() reads both files.
// POSIX only (open, flock, fdatasync, rename).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../io/read.hpp"
#include "../mock/store.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace server {

/// Receives one line of the server's log (a failed state write, an exception in a handler).
using log_fn = std::function<void(std::string_view)>;

}  // namespace server

/// \cond
namespace detail::state_file {

/// "<what>: <strerror(err)>".
inline std::string os_error(const std::string& what, int err) {
  return what + ": " + std::generic_category().message(err);
}

[[noreturn]] inline void fail(const std::filesystem::path& where, const std::string& message) {
  SECGROUP_THROW(parse_error(errc::bad_file, where.string(), message));
}

/// The directory holding `file` ("." for a bare name).
inline std::filesystem::path directory_of(const std::filesystem::path& file) {
  auto dir = file.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

/// Throws parse_error (bad_file, `file`) unless the directory of `file` exists, is a directory
/// and is writable.
inline void check_directory(const std::filesystem::path& file) {
  const auto dir = directory_of(file);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    fail(file, os_error("the state file's directory " + dir.string() + " is not usable", errno));
  if (!S_ISDIR(st.st_mode))
    fail(file, "the state file's directory " + dir.string() + " is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(file, os_error("the state file's directory " + dir.string() + " is not writable", errno));
}

/// Writes all of `text` to `fd`; returns 0 or the errno of the failure.
inline int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

/// Reads all of `fd` from offset 0, at most `max_size` bytes; throws parse_error naming
/// `where` on failure, and secgroup.parse.114 (too_large) as soon as it holds more than
/// `max_size` bytes (a snapshot that is a link to /dev/zero costs the limit, never more).
inline std::string read_all(int fd, const std::filesystem::path& where, std::size_t max_size) {
  std::string text;
  char buffer[1 << 16];
  for (off_t at = 0;;) {
    const auto n = ::pread(fd, buffer, sizeof buffer, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(where, os_error("cannot read", errno));
    if (n == 0) return text;
    if (static_cast<std::size_t>(n) > max_size - std::min(max_size, text.size()))
      SECGROUP_THROW(parse_error(errc::too_large, where.string(),
                                 "the file is larger than the input limit of " +
                                     byte_size_text(max_size) +
                                     "; raise it with --max-input-size"));
    text.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
}

/// Creates `path` for writing with O_CREAT|O_EXCL|O_NOFOLLOW (mode 0600): fails, rather than
/// follow or reuse, when anything (a file, a symlink) is there. Returns the descriptor, or -1
/// with errno set.
inline int create_exclusive(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

inline constexpr std::string_view temp_infix = ".tmp-";

/// True iff `name` is a temporary of state file `base` (the file name): `base.tmp-` followed
/// by 1 to 16 hex digits (ours) or decimal digits (a pid: older versions).
inline bool is_temporary_name(std::string_view name, std::string_view base) {
  if (name.size() <= base.size() + temp_infix.size() || name.substr(0, base.size()) != base ||
      name.substr(base.size(), temp_infix.size()) != temp_infix)
    return false;
  auto tail = name.substr(base.size() + temp_infix.size());
  return tail.size() <= 16 && std::all_of(tail.begin(), tail.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// Writes `text` to `path` atomically: a fresh temporary in the same directory (never an
/// existing name), fsync, rename over `path`, fsync of the directory. Throws parse_error
/// (bad_file, `path`) on failure, leaving `path` as it was and no temporary behind.
inline void write_atomically(const std::filesystem::path& path, std::string_view text) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
    temp = path;
    temp += std::string(temp_infix) + suffix;
    fd = create_exclusive(temp);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) fail(path, os_error("cannot create a temporary file " + temp.string(), errno));
  int err = write_all(fd, text);
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(temp.c_str());
    fail(path, os_error("cannot save the state file", err));
  }
  // The rename is durable once the directory is.
  const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

/// A change waiting for its journal line: copies of the groups written, the groups deleted.
struct queued_change {
  std::vector<security_group> written;
  std::vector<mock::deleted_group> deleted;
};

/// The journal line of `change`, newline included. Invalid UTF-8 (which the API layer refuses)
/// is replaced rather than thrown: one bad string must not block every later line.
inline std::string journal_line(const queued_change& change) {
  json line = json::object();
  if (!change.written.empty()) line["put"] = groups_to_json(change.written)["security_groups"];
  if (!change.deleted.empty()) {
    json gone = json::array();
    for (const auto& d : change.deleted) gone.push_back(json{{"zone", d.zone}, {"id", d.id}});
    line["delete"] = std::move(gone);
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

/// "zone/id" of a group item of a snapshot or journal line; empty when either is not a string.
inline std::string key_of(const json& item) {
  if (!item.is_object()) return {};
  auto zone = item.find("zone");
  auto id = item.find("id");
  if (zone == item.end() || id == item.end() || !zone->is_string() || !id->is_string()) return {};
  return zone->get<std::string>() + "/" + id->get<std::string>();
}

/// The groups of a snapshot being replayed: order kept, found by key in O(1).
class replay_list {
 public:
  explicit replay_list(json& list) {
    for (auto& item : list) put(std::move(item));
  }
  void put(json item) {
    auto key = key_of(item);
    auto found = key.empty() ? index_.end() : index_.find(key);
    if (found != index_.end()) {
      items_[found->second] = std::move(item);
      return;
    }
    if (!key.empty()) index_.emplace(std::move(key), items_.size());
    items_.push_back(std::move(item));
  }
  void erase(const std::string& key) {
    auto found = index_.find(key);
    if (found == index_.end()) return;
    items_[found->second] = nullptr;
    index_.erase(found);
  }
  json take() {
    json list = json::array();
    for (auto& item : items_)
      if (!item.is_null()) list.push_back(std::move(item));
    return list;
  }

 private:
  std::vector<json> items_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// Checks that `line` is a journal entry (an object of "put" and/or "delete" arrays of groups
/// with a string zone and id); throws parse_error (bad_file, `where`) otherwise.
inline void check_entry(const json& line, const std::string& where) {
  auto bad = [&](const std::string& why) {
    SECGROUP_THROW(parse_error(errc::bad_file, where, "not a journal entry: " + why));
  };
  if (!line.is_object() || line.empty()) bad("expected {\"put\": [...], \"delete\": [...]}");
  for (const auto& [name, value] : line.items()) {
    if (name != "put" && name != "delete") bad("unknown member " + detail::quoted(name));
    if (!value.is_array()) bad(name + " is not an array");
    for (const auto& item : value)
      if (key_of(item).empty()) bad(name + " holds an entry without a string zone and id");
  }
}

}  // namespace detail::state_file
/// \endcond

namespace server {

/// What read_state() found: the state and how the journal contributed to it.
struct stored_state {
  json doc;                       ///< the state, a snapshot document
  std::size_t journal_lines = 0;  ///< journal lines replayed
  /// Bytes at the end of the journal ignored as a torn write (a last line without newline).
  std::size_t torn_bytes = 0;
};

/// The journal of state file `file`: `file` + ".journal".
inline std::filesystem::path journal_path(const std::filesystem::path& file) {
  auto journal = file;
  journal += ".journal";
  return journal;
}

/// Returns the snapshot text `snapshot` (nullopt: no snapshot, an empty store) with the journal
/// text `journal` replayed; `file` names them in errors. Throws parse_error (bad_file) for a
/// snapshot that is not JSON or not `{"security_groups": [...]}`, naming `file`, and for a
/// journal line that is not an entry, naming "FILE.journal: line N". The document is not
/// validated: mock::store::restore() does that.
inline stored_state replay_state(const std::optional<std::string>& snapshot,
                                 std::string_view journal, const std::filesystem::path& file) {
  const std::string where = file.string();
  stored_state out;
  if (!snapshot) {
    out.doc = json{{"security_groups", json::array()}};
  } else {
    try {
      out.doc = parse_json(*snapshot);
    } catch (const parse_error& e) {
      if (e.id() == errc::bad_json)  // the field of a repeated key is its path
        SECGROUP_THROW(parse_error(errc::bad_file, where,
                                   "the state file is not valid JSON: " +
                                       (e.field().empty() ? "" : e.field() + ": ") + e.message()));
      SECGROUP_THROW(parse_error(e.id(), e.field().empty() ? where : where + ": " + e.field(),
                                 "invalid state file: " + e.message()));
    }
  }
  const json* found =
      out.doc.is_object() ? detail::json_io::find(out.doc, "security_groups") : nullptr;
  if (!found || !found->is_array())
    SECGROUP_THROW(parse_error(errc::bad_file, where,
                               "invalid state file: expected {\"security_groups\": [...]}"));
  json& list = out.doc["security_groups"];
  if (journal.empty()) return out;
  detail::state_file::replay_list groups(list);
  const std::string journal_name = journal_path(file).string();
  std::size_t number = 0;
  while (!journal.empty()) {
    const auto end = journal.find('\n');
    if (end == std::string_view::npos) {  // a torn last write: never synced, never acknowledged
      out.torn_bytes = journal.size();
      break;
    }
    const auto text = journal.substr(0, end);
    journal.remove_prefix(end + 1);
    const std::string at = journal_name + ": line " + std::to_string(++number);
    json line;
    try {
      line = parse_json(text);
    } catch (const parse_error& e) {
      SECGROUP_THROW(parse_error(
          errc::bad_file, at,
          "corrupt journal line: " + (e.field().empty() ? "" : e.field() + ": ") + e.message()));
    }
    detail::state_file::check_entry(line, at);
    if (auto gone = line.find("delete"); gone != line.end())
      for (const auto& item : *gone) groups.erase(detail::state_file::key_of(item));
    if (auto put = line.find("put"); put != line.end())
      for (auto& item : *put) groups.put(std::move(item));
    ++out.journal_lines;
  }
  list = groups.take();
  return out;
}

/// Returns the state stored in state file `file`: the snapshot `file` (missing: empty) with
/// the journal `file.journal` (missing: empty) replayed; see replay_state() for the errors,
/// parse_error (bad_file) naming a file that exists but cannot be read, and parse_error
/// (too_large, secgroup.parse.114) naming one larger than `max_size` bytes.
inline stored_state read_state(const std::filesystem::path& file,
                               std::size_t max_size = default_max_input_size) {
  auto read = [max_size](const std::filesystem::path& p) -> std::optional<std::string> {
    const int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::nullopt;
      detail::state_file::fail(p, detail::state_file::os_error("cannot read", errno));
    }
    struct closer {
      int fd;
      ~closer() { ::close(fd); }
    } guard{fd};
    return detail::state_file::read_all(fd, p, max_size);
  };
  const auto snapshot = read(file);
  const auto journal = read(journal_path(file));
  return replay_state(snapshot, journal.value_or(std::string()), file);
}

/// Settings of a state_file.
struct state_file_options {
  /// The journal is compacted into the snapshot once it holds more bytes than this and than
  /// the snapshot.
  std::uint64_t journal_limit = std::uint64_t{4} << 20;
  /// Where log lines go (stale temporaries removed, a torn line ignored, a failed compaction);
  /// empty: standard error.
  log_fn log;
  /// Largest snapshot, and largest journal, read by open(): parse_error secgroup.parse.114
  /// naming the file beyond (the CLI's --max-input-size).
  std::size_t max_size = default_max_input_size;
};

/// The state file of a store: loads it, journals every change, compacts. Not copyable.
class state_file {
 public:
  /// A state file at `path`; nothing is touched until open().
  explicit state_file(std::filesystem::path path, state_file_options options = {})
      : path_(std::move(path)), journal_(journal_path(path_)), options_(std::move(options)) {
    if (!options_.log) options_.log = [](std::string_view line) { std::cerr << line << "\n"; };
  }

  state_file(const state_file&) = delete;
  state_file& operator=(const state_file&) = delete;

  /// Stops listening to the store and releases the file (no sync: see checkpoint()).
  ~state_file() {
    if (store_) store_->set_change_listener(nullptr);
    if (fd_ >= 0) ::close(fd_);
  }

  /// Opens the state file for `s` (which must outlive this object): checks the directory,
  /// locks the journal, removes stale temporaries, loads the stored state into `s`
  /// (mock::store::restore), compacts it and journals every later change of `s`. Throws
  /// parse_error or validation_error naming the file (and line or field) when the directory is
  /// missing or not writable, the journal is a symlink or locked by another process, or the
  /// stored state is invalid; then `s` and the files are as they were.
  void open(mock::store& s) {
    SECGROUP_ASSERT(fd_ < 0);
    detail::state_file::check_directory(path_);
    bool created = false;
    int fd = ::open(journal_.c_str(), O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      fd = ::open(journal_.c_str(),
                  O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
      created = fd >= 0;
    }
    if (fd < 0)
      detail::state_file::fail(
          journal_, errno == ELOOP
                        ? std::string("the journal is a symbolic link: refused")
                        : detail::state_file::os_error("cannot open the journal", errno));
    auto give_up = [&] {
      if (created) ::unlink(journal_.c_str());
      ::close(fd);
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      give_up();
      detail::state_file::fail(journal_, "the journal is not a regular file");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      give_up();
      detail::state_file::fail(
          journal_, err == EWOULDBLOCK ? "another process (secgroup serve?) uses this state file"
                                       : detail::state_file::os_error("cannot lock", err));
    }
    try {
      remove_stale_temporaries();
      std::optional<std::string> snapshot;
      if (const int in = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); in >= 0) {
        try {
          snapshot = detail::state_file::read_all(in, path_, options_.max_size);
        } catch (...) {
          ::close(in);
          throw;
        }
        ::close(in);
      } else if (errno != ENOENT) {
        detail::state_file::fail(path_, detail::state_file::os_error("cannot read", errno));
      }
      auto state = replay_state(
          snapshot, detail::state_file::read_all(fd, journal_, options_.max_size), path_);
      const json before = s.snapshot();
      restore(s, state);
      fd_ = fd;
      try {
        compact(state.doc);
      } catch (...) {
        s.restore(before);
        throw;
      }
      if (state.torn_bytes)
        options_.log("secgroup serve: state: ignored a torn last line of " + journal_.string() +
                     " (" + std::to_string(state.torn_bytes) + " bytes, never acknowledged)");
    } catch (...) {
      fd_ = -1;
      give_up();
      throw;
    }
    store_ = &s;
    // Under the store's lock: only copies; the JSON is written by flush(), outside it.
    s.set_change_listener([this](const mock::store_change& change) {
      detail::state_file::queued_change queued;
      queued.written.reserve(change.written.size());
      for (const auto* g : change.written) queued.written.push_back(*g);
      queued.deleted = change.deleted;
      std::lock_guard lock(pending_mutex_);
      queued_.push_back(std::move(queued));
      ++changes_;
    });
  }

  /// Appends every change queued so far to the journal and flushes it to disk; returns once
  /// they are durable. Compacts when the journal has outgrown its limit (a failure there is
  /// logged: the journal holds the changes). Throws parse_error (bad_file, naming the journal)
  /// when the journal cannot be written: the changes stay queued for the next sync().
  void sync() {
    std::lock_guard lock(io_mutex_);
    flush();
    if (journal_size_ > std::max<std::uint64_t>(options_.journal_limit, snapshot_size_)) {
      try {
        compact(durable_state());
      } catch (const std::exception& e) {
        snapshot_size_ = journal_size_;  // retry once the journal has doubled, not at every sync
        options_.log(std::string("secgroup serve: state: compaction failed: ") + e.what());
      }
    }
  }

  /// sync(), then compacts the journal into the snapshot (a clean stop). Throws parse_error
  /// naming the file that could not be written.
  void checkpoint() {
    std::lock_guard lock(io_mutex_);
    flush();
    compact(durable_state());
  }

  /// The snapshot's path.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// Bytes in the journal now (0 right after a compaction).
  std::uint64_t journal_size() const {
    std::lock_guard lock(io_mutex_);
    return journal_size_;
  }

 private:
  /// Restores `state` into `s`, naming the state file (and the journal when it contributed)
  /// in errors.
  void restore(mock::store& s, const stored_state& state) const {
    std::string where = path_.string();
    if (state.journal_lines) where += " (with " + journal_.filename().string() + " replayed)";
    auto prefixed = [&](const error& e) {
      return e.field().empty() ? where : where + ": " + e.field();
    };
    try {
      s.restore(state.doc);
    } catch (const parse_error& e) {
      SECGROUP_THROW(parse_error(e.id(), prefixed(e), "invalid state file: " + e.message()));
    } catch (const validation_error& e) {
      SECGROUP_THROW(validation_error(e.id(), prefixed(e), "invalid state file: " + e.message()));
    }
  }

  /// The state the files hold now that everything is flushed: the store's snapshot if no change
  /// is unflushed before it and none slipped in while it was taken, else the files read back.
  /// Needs io_mutex_.
  json durable_state() {
    const auto before = changes_.load();
    if (before == flushed_lines_) {
      json doc = store_->snapshot();
      if (changes_.load() == before) return doc;
    }
    // This process's own files, checked against max_size when they were opened.
    return read_state(path_, std::numeric_limits<std::size_t>::max()).doc;
  }

  /// Removes FILE.tmp-* leftovers of earlier runs (exact pattern, files and symlinks only).
  void remove_stale_temporaries() {
    const auto base = path_.filename().string();
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(detail::state_file::directory_of(path_), ec)) {
      const auto name = entry.path().filename().string();
      if (!detail::state_file::is_temporary_name(name, base)) continue;
      const auto status = entry.symlink_status(ec);
      if (ec || !(std::filesystem::is_regular_file(status) || std::filesystem::is_symlink(status)))
        continue;
      if (::unlink(entry.path().c_str()) == 0)
        options_.log("secgroup serve: state: removed a stale temporary " + entry.path().string());
    }
  }

  /// Writes the queued lines to the journal and fdatasyncs it. On failure, cuts the journal
  /// back to its last good size, requeues the lines and throws. Needs io_mutex_.
  void flush() {
    if (broken_) {
      if (::ftruncate(fd_, static_cast<off_t>(journal_size_)) != 0)
        detail::state_file::fail(journal_, detail::state_file::os_error("cannot repair", errno));
      broken_ = false;
    }
    std::string text;
    std::uint64_t lines = 0;
    std::vector<detail::state_file::queued_change> queued;
    {
      std::lock_guard lock(pending_mutex_);
      text.swap(pending_);
      std::swap(lines, pending_lines_);
      queued.swap(queued_);
    }
    for (const auto& change : queued) text += detail::state_file::journal_line(change);
    lines += queued.size();
    if (text.empty()) return;
    int err = detail::state_file::write_all(fd_, text);
    if (!err && ::fdatasync(fd_) != 0) err = errno;
    if (err) {
      broken_ = ::ftruncate(fd_, static_cast<off_t>(journal_size_)) != 0;
      {
        std::lock_guard lock(pending_mutex_);
        pending_.insert(0, text);
        pending_lines_ += lines;
      }
      detail::state_file::fail(journal_,
                               detail::state_file::os_error("cannot append to the journal", err));
    }
    journal_size_ += text.size();
    flushed_lines_ += lines;
  }

  /// Writes `doc` as the snapshot (atomically), then empties the journal. Needs io_mutex_ (or
  /// open()).
  void compact(const json& doc) {
    const std::string text = doc.dump(2) + "\n";
    detail::state_file::write_atomically(path_, text);
    snapshot_size_ = text.size();
    // A crash before the truncation replays the journal once more over the new snapshot: an
    // idempotent no-op.
    if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0)
      detail::state_file::fail(journal_,
                               detail::state_file::os_error("cannot empty the journal", errno));
    journal_size_ = 0;
  }

  const std::filesystem::path path_, journal_;
  state_file_options options_;
  mock::store* store_ = nullptr;
  int fd_ = -1;
  bool broken_ = false;  ///< a failed append could not be cut back
  std::uint64_t journal_size_ = 0, snapshot_size_ = 0;
  mutable std::mutex io_mutex_;  ///< the files; taken before pending_mutex_
  std::mutex pending_mutex_;     ///< pending_, pending_lines_, queued_
  /// Journal lines whose write failed, to be written first, and how many.
  std::string pending_;
  std::uint64_t pending_lines_ = 0;
  std::vector<detail::state_file::queued_change> queued_;  ///< changes after pending_
  std::uint64_t flushed_lines_ = 0;        ///< lines written since open(); needs io_mutex_
  std::atomic<std::uint64_t> changes_{0};  ///< lines queued since open(), under the store's lock
};

}  // namespace server
SECGROUP_END_NAMESPACE
