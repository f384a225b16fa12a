// secgroup/lint/run.hpp: linting files and directories of API exports and Terraform documents,
// as `secgroup lint` does.
//
// Arguments are files or directories; a directory stands for every `*.json` file below it,
// recursively, in sorted path order, skipping names that start with '.' (so a `.secgroup.json`
// configuration beside the exports is not read as one). Every file is read before any is
// linted: a file that cannot be read or parsed, or holds no group, throws the library's error
// naming it (the CLI exits 2), so a run never reports on a partial or empty input.
// Findings are located in their file: a group at the line of its id, a rule at the line of its
// id after its group's (the six default SMTP rules appear once per group); what cannot be
// found (no id, default rules implied by the flag) falls back to the group's line, and a group
// not found (no id, or linted in memory) has no line: null in JSON, line 1 in SARIF, which needs
// one.
// A file that is a Terraform document (plan, state, terraform.tfstate; io/source.hpp) is linted
// group by group after the change (lint_terraform(): groups with unknown values by
// lint_partial(), destroyed ones named in the run's notes); its groups are located at their
// resource block in the .tf files beside the document when found, else in the document.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>  // std::hash<std::string_view>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../default_rules.hpp"
#include "../detail/parallel.hpp"
#include "../detail/text.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../io/source.hpp"
#include "../io/terraform.hpp"
#include "config.hpp"
#include "lint.hpp"
#include "partial.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace lint {

/// Where a group and its rules are written in a file (1-based lines, 0 = not found).
struct source_location {
  std::uint32_t group_line = 0;
  std::vector<std::uint32_t> rule_lines;  ///< by ordered_rules() index

  /// The line of rule `i`, else the group's; nullopt when neither is known (a group in memory).
  std::optional<std::uint32_t> known_line_of_rule(std::uint32_t i) const {
    if (i < rule_lines.size() && rule_lines[i] != 0) return rule_lines[i];
    if (group_line != 0) return group_line;
    return std::nullopt;
  }

  /// known_line_of_rule(), else 1: for formats that need a line (SARIF's region.startLine).
  std::uint32_t line_of_rule(std::uint32_t i) const { return known_line_of_rule(i).value_or(1); }
};

/// The text of a file, searchable for JSON string values.
/// NOTE: find() used to search the text from `from` for `"value"`: linear in the text per call,
/// so locating every rule of a file was quadratic in its size, and an id the file does not
/// hold (the default rules a flag implies, six per group) scanned the rest of the file each
/// time. The text is now scanned once for the JSON strings equal to the values asked about
/// (index()); find() is then a binary search among their offsets. The offsets are those of
/// the old search for every value without a '"' or '\\' (ids are such values).
/// The values asked about are kept in one flat table (their bytes in one string, open
/// addressing over their numbers, the offsets of all of them in one array): a node-based map of
/// strings to vectors took 2.3-2.9 s for the 1.1M ids of a 10,000-group export, and 50 MB more
/// at the run's peak (docs/benchmarks.md, An estate).
class source_text {
 public:
  explicit source_text(std::string text) : text_(std::move(text)) {
    lines_before_.reserve(text_.size() / line_block + 2);
    lines_before_.push_back(0);
    for (std::size_t at = 0; at < text_.size(); at += line_block)
      lines_before_.push_back(
          lines_before_.back() +
          secgroup::detail::count_newlines(std::string_view(text_).substr(at, line_block)));
  }

  /// Records the offsets of the JSON strings (keys or values, compared as written, escapes
  /// and all) equal to one of `values`, for find(), replacing an earlier index. One pass over
  /// the text, from quote to quote (memchr); only strings as long as some value are looked up,
  /// first as the value after the last one found: `values` listed in the order the text holds
  /// them (as lint_each() lists ids) are found without a lookup in the table, whose misses of
  /// the cache took most of the time. Any order gives the same offsets.
  void index(const std::vector<std::string_view>& values) {
    SECGROUP_ASSERT(values.size() < (std::size_t{1} << 31));  // entries are numbered in 32 bits
    keys_.clear();
    entries_.clear();
    std::size_t capacity = 16;
    while (capacity < 2 * values.size()) capacity *= 2;
    slots_.assign(capacity, 0);
    std::vector<std::size_t> hashes(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) hashes[i] = hash_of(values[i]);
    std::vector<std::uint32_t> entry_of_value(values.size());  // for empty values: unused
    std::vector<std::uint32_t> first_value;                    // of each entry
    std::vector<char> has_length;      // has_length[n]: some value is n bytes long
    constexpr std::size_t ahead = 16;  // slots fetched ahead of their lookup
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i + ahead < values.size())
        __builtin_prefetch(&slots_[hashes[i + ahead] & (slots_.size() - 1)]);
      const auto v = values[i];
      if (v.empty()) continue;
      if (auto e = entry_of(v, hashes[i])) {
        entry_of_value[i] = *e;
        continue;
      }
      entry_of_value[i] = add_entry(v, hashes[i]);
      first_value.push_back(static_cast<std::uint32_t>(i));
      if (v.size() >= has_length.size()) has_length.resize(v.size() + 1, 0);
      has_length[v.size()] = 1;
    }
    std::vector<std::pair<std::uint32_t, std::size_t>> hits;  // (entry, offset), in text order
    std::size_t expected = 0;                                 // the value after the last one found
    const char* const begin = text_.data();
    const char* const end = begin + text_.size();
    for (const char* p = begin;;) {
      const auto* open = static_cast<const char*>(std::memchr(p, '"', end - p));
      if (!open) break;
      // The closing quote: the first after `open` preceded by an even run of backslashes.
      const char* close = open + 1;
      for (;; ++close) {
        close = static_cast<const char*>(std::memchr(close, '"', end - close));
        if (!close) break;
        const char* run = close;
        while (run > open + 1 && run[-1] == '\\') --run;
        if ((close - run) % 2 == 0) break;
      }
      if (!close) break;  // an unterminated string ends the text
      const auto n = static_cast<std::size_t>(close - open - 1);
      if (n < has_length.size() && has_length[n]) {  // n > 0: no entry is empty
        const std::string_view string(open + 1, n);
        std::optional<std::uint32_t> e;
        if (expected < values.size() && values[expected] == string)
          e = entry_of_value[expected++];
        else if ((e = entry_of(string, hash_of(string))))
          expected = first_value[*e] + std::size_t{1};
        if (e) hits.emplace_back(*e, static_cast<std::size_t>(open - begin));
      }
      p = close + 1;
    }
    // The offsets grouped by entry (a counting sort, stable: each entry's stay ascending).
    first_.assign(entries_.size() + 1, 0);
    for (const auto& h : hits) ++first_[h.first + 1];
    for (std::size_t e = 0; e < entries_.size(); ++e) first_[e + 1] += first_[e];
    offsets_.resize(hits.size());
    std::vector<std::size_t> next(first_.begin(), first_.end() - 1);
    for (const auto& h : hits) offsets_[next[h.first]++] = h.second;
    indexed_ = true;
  }

  /// Returns the offset of the first JSON string `"value"` at or after `from`, or nullopt.
  /// After index(), values it was given are found by binary search (O(log n)); others by a
  /// search of the text.
  std::optional<std::size_t> find(std::string_view value, std::size_t from) const {
    if (value.empty()) return std::nullopt;
    if (indexed_) {
      if (auto e = entry_of(value, hash_of(value))) {
        const auto first = offsets_.begin() + static_cast<std::ptrdiff_t>(first_[*e]);
        const auto last = offsets_.begin() + static_cast<std::ptrdiff_t>(first_[*e + 1]);
        auto at = std::lower_bound(first, last, from);
        return at == last ? std::nullopt : std::optional(*at);
      }
    }
    const std::string needle = '"' + std::string(value) + '"';
    auto at = text_.find(needle, from);
    return at == std::string::npos ? std::nullopt : std::optional(at);
  }

  /// Returns the 1-based line of `offset` (1 + the newlines before it; the last line for an
  /// offset past the end): the newlines before its block of line_block bytes, plus those of its
  /// block before it, counted.
  std::uint32_t line_of(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const std::size_t block = offset / line_block;
    const std::string_view before(text_.data() + block * line_block, offset % line_block);
    return static_cast<std::uint32_t>(1 + lines_before_[block] +
                                      secgroup::detail::count_newlines(before));
  }

  const std::string& text() const { return text_; }

 private:
  /// A value index() was given: its bytes in keys_.
  struct entry {
    std::size_t at;
    std::size_t size;
  };

  static std::size_t hash_of(std::string_view v) { return std::hash<std::string_view>{}(v); }

  /// The number of the entry equal to `v`, whose hash_of() is `hash`, or nullopt: the slots
  /// from the hash on, to the first empty one (slots_ is at least twice the entries, so there
  /// is one).
  std::optional<std::uint32_t> entry_of(std::string_view v, std::size_t hash) const {
    if (slots_.empty()) return std::nullopt;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
      const std::uint32_t slot = slots_[s];
      if (slot == 0) return std::nullopt;
      const auto& e = entries_[slot - 1];
      if (std::string_view(keys_.data() + e.at, e.size) == v) return slot - 1;
    }
  }

  /// Adds `v` (not yet an entry), whose hash_of() is `hash`, as an entry; returns its number.
  std::uint32_t add_entry(std::string_view v, std::size_t hash) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t s = hash & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    entries_.push_back({keys_.size(), v.size()});
    keys_.append(v);
    slots_[s] = static_cast<std::uint32_t>(entries_.size());  // entry + 1; 0 is empty
    return slots_[s] - 1;
  }

  /// Bytes of text per entry of lines_before_. A table of every newline took 8 bytes a line
  /// (96 MB for an export of 12M lines, 0.37 s to make); this one takes 8 bytes per KiB (2.6 MB,
  /// 0.05 s), and line_of() counts at most 1 KiB, 16 bytes at a time.
  static constexpr std::size_t line_block = 1024;

  std::string text_;
  std::vector<std::size_t> lines_before_;  // newlines before each block of line_block bytes
  std::string keys_;                       // the bytes of the entries, one after another
  std::vector<entry> entries_;             // the distinct non-empty values index() was given
  std::vector<std::uint32_t> slots_;       // open addressing: entry + 1, or 0 for an empty slot
  std::vector<std::size_t> first_;         // entry e's offsets: offsets_[first_[e], first_[e + 1])
  std::vector<std::size_t> offsets_;       // of the strings equal to an entry, grouped by entry
  bool indexed_ = false;
};

/// Locates group `g` (whose ordered rules are `rules`) in `text`, searching from `cursor`;
/// moves `cursor` past what was found, so that the groups of a file are located in order.
inline source_location locate(const source_text& text, const security_group& g,
                              const std::vector<rule>& rules, std::size_t& cursor) {
  source_location out;
  out.rule_lines.assign(rules.size(), 0);
  std::size_t start = cursor, end = cursor;
  if (auto at = text.find(g.id, cursor)) {
    out.group_line = text.line_of(*at);
    start = *at;
    end = std::max(end, *at);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto at = text.find(rules[i].id, start);
    if (!at) at = text.find(rules[i].id, cursor);
    if (!at) continue;
    out.rule_lines[i] = text.line_of(*at);
    end = std::max(end, *at);
  }
  cursor = end;
  return out;
}

/// What a Terraform document says about a linted group.
struct terraform_context {
  terraform_change change = terraform_change::none;  ///< what the plan does to it
  std::vector<std::string> unknown;   ///< values deciding traffic unknown until apply
  std::vector<terraform_note> notes;  ///< how the provider treats its inputs
};

/// A group's report with where it is written.
struct located_report {
  group_report report;
  source_location location;
  /// The file the location's lines refer to when it is not report.source: a Terraform
  /// group's .tf file ("terraform/main.tf"), relative as report.source is.
  std::string file;
  std::optional<terraform_context> terraform;  ///< set for a group read from Terraform

  /// The file the location's lines refer to.
  const std::string& located_file() const { return file.empty() ? report.source : file; }
};

/// The number of findings per severity (unsuppressed), of suppressed ones, and of unsuppressed
/// undecided ones (also counted by severity).
struct tally {
  std::array<std::size_t, 5> by_severity{};
  std::size_t suppressed = 0;
  std::size_t undecided = 0;

  std::size_t total() const {
    std::size_t n = 0;
    for (auto x : by_severity) n += x;
    return n;
  }
  /// Counts the findings of `report`.
  void add(const group_report& report) {
    for (const auto& f : report.findings) {
      if (f.suppressed) {
        ++suppressed;
      } else {
        ++by_severity[static_cast<std::size_t>(f.level)];
        undecided += f.undecided ? 1 : 0;
      }
    }
  }
};

/// What the reports of a lint run add up to: all that its summary needs, kept while the
/// reports themselves are handed on one at a time (lint_each()).
struct run_outcome {
  std::vector<std::string> files;  ///< as read, in order
  std::size_t groups = 0;
  tally findings;
  fail_threshold threshold = severity::low;
  bool failed = false;  ///< some unsuppressed finding is at or above the threshold
  std::vector<std::size_t> unused_suppressions;  ///< indices into the configuration's
  /// Remarks on the inputs: the Terraform groups not linted (destroyed by the plan).
  std::vector<std::string> notes;
  /// True iff some input is a Terraform document (its outputs then carry Terraform keys).
  bool terraform = false;

  /// 0 when the run passes, 1 when it fails (bad input throws before a run exists).
  int exit_code() const { return failed ? 1 : 0; }
};

/// Every group of a lint run, in file order then group order.
struct lint_run {
  std::vector<std::string> files;  ///< as read, in order
  std::vector<located_report> groups;
  fail_threshold threshold = severity::low;
  std::vector<std::size_t> unused_suppressions;  ///< indices into the configuration's
  /// Remarks on the inputs: the Terraform groups not linted (destroyed by the plan).
  std::vector<std::string> notes;

  /// True iff some input is a Terraform document (its outputs then carry Terraform keys).
  bool terraform = false;

  /// True iff some unsuppressed finding is at or above the threshold.
  bool failed() const {
    return std::any_of(groups.begin(), groups.end(),
                       [&](const located_report& g) { return fails(g.report, threshold); });
  }
  /// 0 when the run passes, 1 when it fails (bad input throws before a run exists).
  int exit_code() const { return failed() ? 1 : 0; }

  /// What the run's reports add up to.
  run_outcome outcome() const {
    run_outcome out{files,    groups.size(),       {},    threshold,
                    failed(), unused_suppressions, notes, terraform};
    for (const auto& g : groups) out.findings.add(g.report);
    return out;
  }
};

/// Returns the files that `arguments` (files or directories) stand for; see the file comment.
/// Throws parse_error (secgroup.parse.109) for a missing path or a directory without *.json.
inline std::vector<std::string> collect_inputs(const std::vector<std::string>& arguments) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& arg : arguments) {
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      if (!fs::exists(arg, ec))
        SECGROUP_THROW(parse_error(errc::bad_file, arg, "cannot read file: no such file"));
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(arg, fs::directory_options::none, ec), end;
    if (ec)
      SECGROUP_THROW(parse_error(errc::bad_file, arg, "cannot read directory: " + ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec)
        SECGROUP_THROW(parse_error(errc::bad_file, arg, "cannot read directory: " + ec.message()));
      const auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      const auto extension = it->path().extension();
      if (it->is_regular_file(ec) && (extension == ".json" || extension == ".tfstate"))
        found.push_back(it->path().generic_string());
    }
    if (found.empty())
      SECGROUP_THROW(
          parse_error(errc::bad_file, arg, "no *.json or *.tfstate file in this directory"));
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

/// Returns the indices of `config`'s suppressions that no report used (`used[k]` is 0).
inline std::vector<std::size_t> unused_of(const std::vector<char>& used) {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < used.size(); ++k)
    if (!used[k]) out.push_back(k);
  return out;
}

/// Sets run.unused_suppressions: the indices of `config`'s suppressions no report of `run` used.
inline void list_unused_suppressions(lint_run& run, const lint_config& config) {
  std::vector<char> used(config.suppressions.size(), 0);
  for (const auto& g : run.groups)
    for (auto k : g.report.used_suppressions) used[k] = 1;
  run.unused_suppressions = unused_of(used);
}

/// The line of the first JSON string `value` in `text`, 0 when there is none.
inline std::uint32_t line_of_value(const source_text& text, const std::string& value) {
  const std::string dumped = json(value).dump();  // the value as JSON writes it, quotes around
  auto at = text.find(std::string_view(dumped).substr(1, dumped.size() - 2), 0);
  return at ? text.line_of(*at) : 0;
}

/// Lints the groups of Terraform document `doc`, read from `file` whose text is `text`, handing
/// each report to `on_report`: each group after the change (or as recorded), partial ones by
/// lint_partial(); groups the plan destroys or forgets are named in `notes`. A group is located at
/// its resource block when locate_terraform_sources() finds it under the file's directory, else at
/// the first line of `file` naming its address.
template <class OnReport>
void lint_terraform(const linter& lint, terraform_document doc, const std::string& file,
                    const source_text& text, std::vector<std::string>& notes,
                    OnReport&& on_report) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(file).parent_path();
  locate_terraform_sources(doc, root.empty() ? fs::path(".") : root);
  for (const auto& g : doc.groups) {
    if (!g.after) {
      notes.push_back(file + ": " + g.address + ": " +
                      (g.change == terraform_change::forget ? "forgotten" : "destroyed") +
                      " by the plan: not linted");
      continue;
    }
    const auto unknown = decision_unknowns(*g.after, g.address);
    const bool description_unknown = std::find(g.unknown.begin(), g.unknown.end(),
                                               g.address + ".description") != g.unknown.end();
    located_report r{lint_partial(lint, *g.after, unknown, description_unknown, file, g.address),
                     {},
                     {},
                     terraform_context{g.change, unknown, g.notes}};
    if (g.source_line != 0) {
      r.file = (root / g.source_file).lexically_normal().generic_string();
      r.location.group_line = static_cast<std::uint32_t>(g.source_line);
    } else {
      r.location.group_line = line_of_value(text, g.address);
    }
    on_report(std::move(r));
  }
}

/// A report writer whose writing lint_each() shares out over its threads: `render(report)` makes
/// what the writer writes for a report, apart from the writer (const, and called for several
/// reports at once), and `add(report, rendered)` writes it, report by report in order. The
/// three report writers (text, JSON, SARIF: report.hpp, sarif.hpp) are such writers. Formatted
/// on the thread that hands the reports on, a JSON report of an estate took 4-6 times as long
/// as linting it, on 2 threads (docs/benchmarks.md, An estate).
template <class W>
concept rendering_writer = requires(W& w, const W& cw, const located_report& r) {
  w.add(r, cw.render(r));
};

/// The text of an input argument that is no file (an `api:` source, which the CLI reads from
/// the live API and writes as the `export` command does), or nullopt for an argument it does not
/// claim (then a file or a directory). Its errors propagate.
using input_text_fn = std::function<std::optional<std::string>(const std::string& argument)>;

/// Reads every file of `arguments`, then lints every group with `config`, locates its
/// findings, and hands the report to `on_report(located_report&&)` at once, in file order then
/// group order (when `on_report` is a rendering_writer: renders it on the `jobs` threads, then
/// hands it to `on_report.add(report, rendered)` in that order), keeping none: memory holds the
/// input and a window of reports, not every report (2,000 groups with 315K findings took 483 MB
/// kept, the input's 67 MB read). `jobs` threads parse each export (parse_group_input), make
/// the reports and render them (0: every hardware thread; the window is one report with 1, 32
/// per thread otherwise); what is handed on, and in which order, is the same for any `jobs`. A file
/// that is a Terraform document (looks_like_terraform()) is linted by lint_terraform(); any other
/// is read as an API export. Returns what the reports add up to. Throws secgroup::error for bad
/// input before any report is made; parse_error secgroup.parse.114 for a file of more than
/// `max_size` bytes (io/read.hpp). An argument `text_of` claims is read from the text it returns,
/// named as given (findings are located in that text).
template <class OnReport>
run_outcome lint_each(const std::vector<std::string>& arguments, const lint_config& config,
                      fail_threshold threshold, std::size_t max_size, OnReport&& on_report,
                      const input_text_fn& text_of = {}, unsigned jobs = 1) {
  run_outcome out;
  out.threshold = threshold;
  std::vector<std::optional<std::string>> texts;  // the text of each input that is no file
  for (const auto& arg : arguments) {
    if (auto text = text_of ? text_of(arg) : std::nullopt) {
      out.files.push_back(arg);
      texts.push_back(std::move(text));
      continue;
    }
    for (auto& file : collect_inputs({arg})) {
      out.files.push_back(std::move(file));
      texts.emplace_back();
    }
  }
  struct loaded {
    group_input input;
    std::string text;
  };
  std::vector<loaded> inputs;
  for (std::size_t i = 0; i < out.files.size(); ++i) {
    const auto& file = out.files[i];
    loaded l{{}, texts[i] ? std::move(*texts[i]) : read_text_file(file, max_size)};
    l.input = parse_group_input(l.text, file, secgroup::detail::job_count(jobs));
    // A file of no group is refused, never a vacuous PASSED.
    if (l.input.terraform && l.input.terraform->groups.empty())
      SECGROUP_THROW(parse_error(errc::bad_file, file, "the file holds no security group"));
    if (!l.input.terraform) require_groups(l.input.groups, file);
    out.terraform = out.terraform || l.input.terraform.has_value();
    inputs.push_back(std::move(l));
  }
  const linter lint(config);
  std::vector<char> used(config.suppressions.size(), 0);
  constexpr bool renders = rendering_writer<std::remove_cvref_t<OnReport>>;
  auto count = [&](const located_report& r) {
    ++out.groups;
    out.findings.add(r.report);
    out.failed = out.failed || fails(r.report, threshold);
    for (auto k : r.report.used_suppressions) used[k] = 1;
  };
  auto take = [&](located_report&& r) {
    count(r);
    if constexpr (renders)
      on_report.add(r, on_report.render(r));
    else
      on_report(std::move(r));
  };
  // The groups of the exports, in input order, linted a window at a time (flush()). An input
  // is freed once its last group has been handed on.
  const unsigned threads = secgroup::detail::job_count(jobs);
  const std::size_t window_size = threads <= 1 ? 1 : std::size_t{32} * threads;
  struct pending {
    std::size_t input, group;
    located_report located;
  };
  std::vector<pending> window;
  std::vector<std::optional<source_text>> texts_of(inputs.size());
  std::vector<std::size_t> cursors(inputs.size(), 0);
  std::size_t freed = 0;  // inputs before this one are done
  const auto free_before = [&](std::size_t end) {
    for (; freed < end; ++freed) {
      inputs[freed] = {};
      texts_of[freed].reset();
    }
  };
  // A window's reports are made on the `threads` threads, located in order (a cursor per
  // input), then, for a rendering_writer, rendered on the threads, and handed on in order.
  const auto flush = [&] {
    secgroup::detail::parallel_for(window.size(), threads, [&](std::size_t k) {
      auto& p = window[k];
      p.located.report = lint.run(inputs[p.input].input.groups[p.group], out.files[p.input]);
    });
    for (auto& p : window)
      p.located.location = locate(*texts_of[p.input], inputs[p.input].input.groups[p.group],
                                  p.located.report.rules, cursors[p.input]);
    if constexpr (renders) {
      std::vector<decltype(on_report.render(window.front().located))> rendered(window.size());
      secgroup::detail::parallel_for(window.size(), threads, [&](std::size_t k) {
        rendered[k] = std::as_const(on_report).render(window[k].located);
      });
      for (std::size_t k = 0; k < window.size(); ++k) {
        count(window[k].located);
        on_report.add(window[k].located, std::move(rendered[k]));
      }
    } else {
      for (auto& p : window) take(std::move(p.located));
    }
    window.clear();
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].input.terraform) {
      flush();
      free_before(i);
      source_text text(std::move(inputs[i].text));
      lint_terraform(lint, std::move(*inputs[i].input.terraform), out.files[i], text, out.notes,
                     take);
      continue;
    }
    std::vector<std::string_view> ids;  // what locate() looks for, found in one pass
    for (const auto& g : inputs[i].input.groups) {
      ids.push_back(g.id);
      for (const auto& r : g.rules) ids.push_back(r.id);
    }
    ids.insert(ids.end(), default_rule_ids.begin(), default_rule_ids.end());
    texts_of[i].emplace(std::move(inputs[i].text));
    texts_of[i]->index(ids);
    for (std::size_t k = 0; k < inputs[i].input.groups.size(); ++k) {
      window.push_back({i, k, {}});
      if (window.size() < window_size) continue;
      flush();
      free_before(i);
    }
  }
  flush();
  free_before(inputs.size());
  out.unused_suppressions = unused_of(used);
  return out;
}

/// Reads every file of `arguments`, lints every group with `config`, and locates the findings:
/// lint_each() keeping every report. Throws as lint_each() does.
inline lint_run run_lint(const std::vector<std::string>& arguments, const lint_config& config,
                         fail_threshold threshold, std::size_t max_size = default_max_input_size,
                         const input_text_fn& text_of = {}, unsigned jobs = 1) {
  lint_run run;
  auto outcome = lint_each(
      arguments, config, threshold, max_size,
      [&](located_report&& r) { run.groups.push_back(std::move(r)); }, text_of, jobs);
  run.files = std::move(outcome.files);
  run.threshold = threshold;
  run.unused_suppressions = std::move(outcome.unused_suppressions);
  run.notes = std::move(outcome.notes);
  run.terraform = outcome.terraform;
  return run;
}

/// Lints `groups` held in memory (named `source` in the report) with `config`: run_lint()
/// without files, so findings carry no source lines. Throws parse_error secgroup.parse.109 when
/// `groups` is empty.
inline lint_run lint_groups(const std::vector<security_group>& groups, const std::string& source,
                            const lint_config& config, fail_threshold threshold) {
  require_groups(groups, source, "the input");
  lint_run run;
  run.threshold = threshold;
  run.files = {source};
  const linter lint(config);
  for (const auto& g : groups) run.groups.push_back({lint.run(g, source), {}, {}, std::nullopt});
  list_unused_suppressions(run, config);
  return run;
}

}  // namespace lint
SECGROUP_END_NAMESPACE
