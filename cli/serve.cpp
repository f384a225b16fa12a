// cli/serve.cpp: `secgroup serve`: the mock Instance API over HTTP (built with secgroup::server).
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <secgroup/io/read.hpp>
#include <secgroup/mock/rest.hpp>
#include <secgroup/mock/store.hpp>
#include <secgroup/server/http.hpp>
#include <sstream>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct serve_options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::optional<std::string> state;
  std::vector<std::string> tokens, zones, allowed_hosts;
  std::optional<std::string> token_file;
  server::http_limits limits;
  double request_timeout = 10, idle_timeout = 5;  // seconds
  // Counts as typed, checked by checked_count(): CLI11 would read "-1" into a size_t as its
  // largest value, silently unlimited, and refuses it for an unsigned in its own words.
  std::optional<std::string> max_body_bytes, max_header_bytes, max_headers, max_connections,
      max_rules, fault_seed, fault_delay, retry_after;
  mock::fault_options faults;
  std::vector<int> fault_statuses;  // empty: the plan's default
  std::string sync_delay = std::to_string(mock::default_sync_delay.count());  // ms, checked
};

/// The environment variable that may hold tokens, separated by spaces, commas or newlines.
constexpr const char* tokens_variable = "SECGROUP_SERVE_TOKENS";

using token_table = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Adds the pairs of `more` to `table` (a secret keeps every project it is given).
void merge_tokens(token_table& table, const token_table& more) {
  for (const auto& [secret, projects] : more) {
    auto& mine = table[secret];
    for (const auto& p : projects)
      if (std::find(mine.begin(), mine.end(), p) == mine.end()) mine.push_back(p);
  }
}

/// The tokens of --token, --token-file (one SECRET:PROJECT_ID a line; blank lines and lines
/// starting with '#' skipped) and SECGROUP_SERVE_TOKENS, merged; nullopt when none is given. A
/// token file, or the variable set, that holds no token is an error, never an open server.
/// Errors name the source (flag, FILE:LINE, variable) and never quote a secret.
std::optional<token_table> read_tokens(const serve_options& o) {
  token_table table;
  bool any = false;
  if (!o.tokens.empty()) {
    merge_tokens(table, mock::parse_tokens(o.tokens, "--token"));
    any = true;
  }
  if (o.token_file) {
    // Read within --max-input-size (a link to /dev/zero must not grow a line without end), a
    // UTF-8 byte order mark skipped (it would begin the first secret).
    std::string file;
    try {
      file = read_text_file(*o.token_file, max_input_size());
    } catch (const parse_error& e) {
      throw parse_error(e.id(), "--token-file", "the token file " + e.field() + ": " + e.message());
    }
    std::istringstream in{std::string(without_bom(file))};
    std::string line;
    bool in_file = false;
    for (int number = 1; std::getline(in, line); ++number) {
      const auto text = std::string(detail::trim(line));
      if (text.empty() || text.front() == '#') continue;
      try {
        merge_tokens(table, mock::parse_tokens({text}, "--token-file"));
      } catch (const validation_error& e) {
        throw validation_error(e.id(), *o.token_file + ":" + std::to_string(number), e.message());
      }
      in_file = true;
    }
    // A token file was meant to require tokens: one holding none must not start an open server.
    if (!in_file)
      throw validation_error(errc::bad_value, "--token-file",
                             "the token file " + *o.token_file +
                                 " holds no token (one SECRET:PROJECT_ID a line); refusing to "
                                 "serve without authentication");
    any = true;
  }
  if (const char* value = std::getenv(tokens_variable); value && *value) {
    std::vector<std::string> specs;
    std::string spec;
    for (const char* c = value;; ++c) {
      if (*c == '\0' || *c == ' ' || *c == ',' || *c == '\n' || *c == '\t' || *c == '\r') {
        if (!spec.empty()) specs.push_back(std::move(spec));
        spec.clear();
        if (*c == '\0') break;
      } else {
        spec += *c;
      }
    }
    if (specs.empty())
      throw validation_error(errc::bad_value, tokens_variable,
                             std::string(tokens_variable) +
                                 " is set but holds no token; refusing to serve without "
                                 "authentication (unset it for an open server)");
    merge_tokens(table, mock::parse_tokens(specs, tokens_variable));
    any = true;
  }
  if (!any) return std::nullopt;
  return table;
}

/// `seconds` as milliseconds; throws validation_error naming `flag` unless it is positive and
/// at most a day.
std::chrono::milliseconds checked_seconds(double seconds, const char* flag) {
  if (!(seconds > 0 && seconds <= 86400))
    throw validation_error(errc::bad_value, flag, "expected seconds in (0, 86400]");
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

/// `text` as a sync delay; throws validation_error naming `flag` unless it is a whole number
/// of milliseconds that mock::check_sync_delay() accepts.
std::chrono::milliseconds checked_sync_delay(const std::string& text, const char* flag) {
  const auto ms = detail::parse_decimal(detail::trim(text), 9);
  if (!ms)
    throw validation_error(
        errc::bad_value, flag,
        "expected a whole number of milliseconds (0: no sync), not " + detail::quoted(text));
  const std::chrono::milliseconds delay(*ms);
  mock::check_sync_delay(delay, flag);
  return delay;
}

/// `text` as a whole decimal number of at least `least`; throws validation_error
/// (secgroup.validation.203) naming `flag` for anything else: a sign, a fraction, hex, spaces,
/// or a value past 64 bits.
std::uint64_t checked_count(const std::string& text, const char* flag, std::uint64_t least = 1) {
  std::uint64_t n = 0;  // from_chars into an unsigned takes digits only: no sign, no space
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < least)
    throw validation_error(errc::bad_value, flag,
                           "expected a whole number of at least " + std::to_string(least) +
                               ", not " + detail::quoted(text));
  return n;
}

/// Sets `value` from `text` when the flag was given (checked_count(): at least 1).
void set_count(std::size_t& value, const std::optional<std::string>& text, const char* flag) {
  if (text) value = static_cast<std::size_t>(checked_count(*text, flag));
}

/// `text` as checked_count() reads it (at least 0), saturated to an unsigned: past its range
/// it stays past every limit mock::validate() checks, never wraps to a small value.
unsigned checked_unsigned(const std::string& text, const char* flag) {
  return static_cast<unsigned>(
      std::min<std::uint64_t>(checked_count(text, flag, 0), std::numeric_limits<unsigned>::max()));
}

int run_serve(const serve_options& o) {
  server::check_host(o.host, "--host");
  if (o.port < 0 || o.port > 65535)
    throw validation_error(errc::port_out_of_range, "--port",
                           "port " + std::to_string(o.port) + " is outside 0..65535");
  mock::store_options store_options;
  if (!o.zones.empty()) store_options.zones = mock::checked_zone_names(o.zones, "--zone");
  set_count(store_options.max_rules_per_group, o.max_rules, "--max-rules-per-group");
  store_options.sync_delay = checked_sync_delay(o.sync_delay, "--sync-delay");
  mock::router_options routing;
  routing.tokens = read_tokens(o);
  routing.faults = o.faults;
  if (o.fault_seed) routing.faults.seed = checked_count(*o.fault_seed, "--fault-seed", 0);
  if (o.fault_delay) routing.faults.delay_ms = checked_unsigned(*o.fault_delay, "--fault-delay");
  if (!o.fault_statuses.empty()) routing.faults.statuses = o.fault_statuses;
  if (o.retry_after)
    routing.faults.retry_after = checked_unsigned(*o.retry_after, "--fault-retry-after");
  mock::validate(routing.faults,
                 {"--fault-rate", "--fault-status", "--fault-retry-after", "--fault-delay"});
  server::http_options http;
  http.host = o.host;
  http.port = o.port;
  if (o.state) http.state_file = *o.state;
  http.state_max_size = max_input_size();
  http.limits = o.limits;
  http.limits.request_timeout = checked_seconds(o.request_timeout, "--request-timeout");
  http.limits.idle_timeout = checked_seconds(o.idle_timeout, "--idle-timeout");
  set_count(http.limits.max_body_bytes, o.max_body_bytes, "--max-body-bytes");
  set_count(http.limits.max_header_bytes, o.max_header_bytes, "--max-header-bytes");
  set_count(http.limits.max_headers, o.max_headers, "--max-headers");
  set_count(http.limits.max_connections, o.max_connections, "--max-connections");
  http.allowed_hosts = o.allowed_hosts;
  mock::store store(std::move(store_options));

  // SIGINT and SIGTERM are taken by sigwait() below: blocked here, before any thread starts, so
  // every server thread inherits the mask and none of them is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  server::http_server server(store, routing, http);
  server.start();
  std::cout << "secgroup serve: listening on " << server.url() << " (port " << server.port() << ", "
            << store.zones().size() << " zones, "
            << (routing.tokens ? std::to_string(routing.tokens->size()) + " token(s)"
                               : std::string("OPEN: no --token, no authentication"))
            << (o.state ? ", state " + *o.state : std::string()) << ")" << std::endl;
  if (routing.faults.active())
    std::cerr << "secgroup serve: injecting faults: rate " << routing.faults.rate << ", seed "
              << routing.faults.seed << ", delay " << routing.faults.delay_ms << " ms\n";
  if (!routing.tokens)
    std::cerr << "secgroup serve: WARNING: no --token given: every request is served, "
                 "X-Auth-Token is ignored (writes must be JSON, Host must be local)\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.stop();
  std::cout << "secgroup serve: stopped (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << ")" << (o.state ? ", state saved to " + *o.state : std::string()) << std::endl;
  return exit_ok;
}

}  // namespace

void register_serve(CLI::App& app, command& run) {
  auto o = std::make_shared<serve_options>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve the mock Scaleway Instance API (security groups) over HTTP");
  cmd->add_option("--host", o->host, "Address to bind (default 127.0.0.1; not empty)");
  cmd->add_option("--port", o->port, "Port to bind (default 8080; 0: any free port)");
  cmd->add_option("--state", o->state,
                  "State file: loaded at start (its directory must exist and be writable); every "
                  "change is journaled to FILE.journal before it is answered, and compacted "
                  "into FILE at start and on exit");
  cmd->add_option("--token", o->tokens,
                  "SECRET:PROJECT_ID: accept X-Auth-Token SECRET for that project; repeatable "
                  "(none here, in --token-file or in SECGROUP_SERVE_TOKENS: open, no "
                  "authentication). Visible in ps: prefer --token-file")
      ->allow_extra_args(false);
  cmd->add_option("--token-file", o->token_file,
                  "File of tokens, one SECRET:PROJECT_ID a line ('#' comments); also read: "
                  "SECGROUP_SERVE_TOKENS (separated by spaces, commas or newlines)");
  cmd->add_option("--allow-host", o->allowed_hosts,
                  "Open mode: a host name to accept in the Host header besides IP literals, "
                  "localhost and --host; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--max-body-bytes", o->max_body_bytes,
                  "Largest request body (default 2097152; 413 beyond)")
      ->type_name("N");
  cmd->add_option("--max-header-bytes", o->max_header_bytes,
                  "Largest request line plus headers (default 65536; 431 beyond)")
      ->type_name("N");
  cmd->add_option("--max-headers", o->max_headers,
                  "Most header lines in a request (default 100; 431 beyond)")
      ->type_name("N");
  cmd->add_option("--max-connections", o->max_connections,
                  "Connections open at once; idle ones yield to a newcomer, else 503 (default 128)")
      ->type_name("N");
  cmd->add_option("--request-timeout", o->request_timeout,
                  "Seconds for a request to arrive whole, and for its response to be taken "
                  "(default 10)");
  cmd->add_option("--idle-timeout", o->idle_timeout,
                  "Seconds a kept-alive connection may wait for its next request (default 5)");
  cmd->add_option("--max-rules-per-group", o->max_rules,
                  "User rules one group may hold (default 1000; 403 quotas_exceeded beyond)")
      ->type_name("N");
  cmd->add_option("--fault-rate", o->faults.rate,
                  "Testing clients: answer this fraction of requests (0..1) with a failure "
                  "instead of serving them (default 0)");
  cmd->add_option("--fault-status", o->fault_statuses,
                  "Statuses of those failures, drawn evenly: 429, 500, 502, 503, 504; "
                  "repeatable (default 429 and 503)")
      ->allow_extra_args(false);
  cmd->add_option("--fault-retry-after", o->retry_after,
                  "Send Retry-After: SECONDS with each failure (0..3600; default none)")
      ->type_name("S");
  cmd->add_option("--fault-delay", o->fault_delay,
                  "Milliseconds to wait before every answer (0..60000; default 0)")
      ->type_name("MS");
  cmd->add_option("--fault-seed", o->fault_seed,
                  "Seed of the failures: the same seed fails the same request numbers (default 1)")
      ->type_name("N");
  cmd->add_option("--sync-delay", o->sync_delay,
                  "Milliseconds (of the server's clock) a changed group stays \"syncing\" before "
                  "it is \"available\" with its modification_date bumped, as the real API does "
                  "(default 300; 0: never syncing; at most 3600000)")
      ->type_name("MS");
  cmd->add_option("--zone", o->zones,
                  "Zone to serve; repeatable (default: the 10 Instance zones of the Go SDK)")
      ->allow_extra_args(false);
  cmd->callback([o, &run] { run = [o] { return run_serve(*o); }; });
}

}  // namespace secgroup::cli
