// cli/serve.cpp: `secgroup serve`: the mock Instance API over HTTP (built with secgroup::server).
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <secgroup/mock/rest.hpp>
#include <secgroup/mock/store.hpp>
#include <secgroup/server/http.hpp>

#include "cli.hpp"

namespace secgroup::cli {
namespace {

struct serve_options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::optional<std::string> state;
  std::vector<std::string> tokens, zones;
};

int run_serve(const serve_options& o) {
  if (o.port < 0 || o.port > 65535)
    throw validation_error(errc::port_out_of_range, "--port",
                           "port " + std::to_string(o.port) + " is outside 0..65535");
  mock::store_options store_options;
  if (!o.zones.empty()) store_options.zones = mock::checked_zone_names(o.zones, "--zone");
  mock::store store(std::move(store_options));
  mock::router_options routing;
  if (!o.tokens.empty()) routing.tokens = mock::parse_tokens(o.tokens, "--token");
  server::http_options http;
  http.host = o.host;
  http.port = o.port;
  if (o.state) http.state_file = *o.state;

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
  if (!routing.tokens)
    std::cerr << "secgroup serve: WARNING: no --token given: every request is served, "
                 "X-Auth-Token is ignored\n";
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
  cmd->add_option("--host", o->host, "Address to bind (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "Port to bind (default 8080; 0: any free port)");
  cmd->add_option("--state", o->state,
                  "State file: loaded at start (its directory must exist and be writable); every "
                  "change is journaled to FILE.journal before it is answered, and compacted "
                  "into FILE at start and on exit");
  cmd->add_option("--token", o->tokens,
                  "SECRET:PROJECT_ID: accept X-Auth-Token SECRET for that project; repeatable "
                  "(none: open, no authentication)")
      ->allow_extra_args(false);
  cmd->add_option("--zone", o->zones,
                  "Zone to serve; repeatable (default: the 10 Instance zones of the Go SDK)")
      ->allow_extra_args(false);
  cmd->callback([o, &run] { run = [o] { return run_serve(*o); }; });
}

}  // namespace secgroup::cli
