// cli/export.cpp: `secgroup export SOURCE [-o FILE]`: the groups of a source as an API export.
//
// SOURCE is anything a command reads groups from: an `api:` source (the live API), an export
// file, or a Terraform document whose groups are all known. The output is
// `{"security_groups": [...]}` with each group's rules embedded (client::export_text()), which
// every command reads back to the same groups: `secgroup lint FILE` then says what
// `secgroup lint SOURCE` says. Written whole to FILE (through a temporary renamed over it, or in
// place when FILE is a device or a FIFO) or to stdout; nothing is written when the read fails,
// and a failed write is an error (exit 2).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <secgroup/client/source.hpp>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct export_options {
  std::string source;
  std::optional<std::string> output;
};

/// The groups of `source`: every group of an export or an API source, or every Terraform group
/// after the change (each must be whole: unknown values throw unknown_values).
std::vector<security_group> groups_of(const std::string& source) {
  const auto in = load_input(source);
  if (!in.is_terraform()) return in.groups;
  std::vector<security_group> out;
  for (const auto& g : input_groups(in)) out.push_back(whole_group(g, source));
  return out;
}

/// Writes `text` to `path` whole: a new temporary beside it (never one that exists, so never
/// through a planted symlink), renamed over it. A path that is not a regular file (a device
/// such as /dev/stdout, a FIFO) is written in place: renamed over, it would be replaced.
void write_file(const std::string& path, const std::string& text) {
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  const bool in_place = !status_error && std::filesystem::exists(status) &&
                        !std::filesystem::is_regular_file(status) &&
                        !std::filesystem::is_directory(status);
  const std::string tmp = in_place ? path : path + ".tmp-" + std::to_string(::getpid());
  const int fd = in_place ? ::open(path.c_str(), O_WRONLY | O_CLOEXEC)
                          : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw parse_error(
        errc::bad_file, path,
        "cannot write the export: " + std::string(std::strerror(errno)) + " (" + tmp + ")");
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const int write_errno = done == text.size() ? 0 : errno;
  const bool closed = ::close(fd) == 0;
  std::error_code ec;
  if (done == text.size() && closed && !in_place) std::filesystem::rename(tmp, path, ec);
  if (done != text.size() || !closed || ec) {
    if (!in_place) ::unlink(tmp.c_str());
    throw parse_error(
        errc::bad_file, path,
        "cannot write the export" +
            (write_errno != 0 ? ": " + std::string(std::strerror(write_errno)) : std::string()));
  }
}

int run_export(const export_options& o) {
  const auto groups = groups_of(o.source);
  const auto text = client::export_text(groups);
  if (o.output)
    write_file(*o.output, text);
  else
    std::cout << text;
  return exit_ok;
}

}  // namespace

void register_export(CLI::App& app, command& run) {
  auto o = std::make_shared<export_options>();
  auto* cmd = app.add_subcommand(
      "export", "Write the groups of a source (api:ZONE..., a file) as an API JSON export");
  cmd->add_option("source", o->source,
                  "api:, api:ZONE[,ZONE...], api:ZONE/GROUP_ID, or a group file")
      ->required();
  cmd->add_option("-o,--output", o->output, "Write to this file instead of stdout");
  cmd->callback([&run, o] { run = [o] { return run_export(*o); }; });
}

}  // namespace secgroup::cli
