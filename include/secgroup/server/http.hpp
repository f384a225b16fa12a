// secgroup/server/http.hpp: the mock Instance API over HTTP (cpp-httplib), for real clients.
//
// server::http_server serves a mock::router on a host and port: it copies each request's method,
// percent-decoded path, raw query string, headers and body into a mock::request, and the
// router's status, headers and body back. It adds only what a socket needs: every error body is
// JSON, also for what the router never sees (a request cpp-httplib rejects, an exception); a
// body on a GET (the Python SDK sends `{}`) is ignored, and since cpp-httplib does not read it,
// the connection is closed after such a response so the stray bytes cannot poison the next
// request. Port 0 binds a free port; port() tells which.
// State file (optional, server/state_file.hpp): opened when the server binds (a missing file is
// an empty store; a bad directory or an invalid file throws and nothing is bound); every
// successful (2xx) POST, PUT, PATCH or DELETE is in the journal on disk before its answer is
// sent, and stop() compacts the journal into the snapshot. When the journal cannot be written,
// the answer is a 500 `internal_error` saying the change is not saved (the store holds it).
// Two ways to run: listen() blocks the calling thread until stop(); start() runs the server on a
// background thread and returns once it accepts connections (tests, Python). stop() may be
// called from any thread, and the destructor stops a running server.
// Requires the target secgroup::server (cpp-httplib, with the library's own compile defines).
#pragma once

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../mock/errors.hpp"
#include "../mock/rest.hpp"
#include "../mock/store.hpp"
#include "../mock/wire.hpp"
#include "state_file.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace server {

/// Settings of an http_server.
struct http_options {
  std::string host = "127.0.0.1";  ///< address to bind; loopback by default
  int port = 8080;                 ///< 0: any free port (see http_server::port())
  /// State file (server/state_file.hpp) to load on bind and journal each change to; empty: none.
  std::filesystem::path state_file;
  /// Prefix of `Location` headers; nullopt: this server's own URL (http://host:port).
  std::optional<std::string> base_url;
  /// Where log lines go; empty: standard error.
  log_fn log;
};

/// Serves a mock::router over HTTP with cpp-httplib.
class http_server {
 public:
  /// A server for `s` (which must outlive it) with the router settings `routing` (tokens);
  /// nothing is bound until listen(), start() or bind().
  explicit http_server(mock::store& s, mock::router_options routing = {}, http_options options = {})
      : store_(s), routing_(std::move(routing)), options_(std::move(options)) {
    if (!options_.log) options_.log = [](std::string_view line) { std::cerr << line << "\n"; };
    install_handlers();
  }

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Stops a running server (saving the state) and joins its thread.
  ~http_server() {
    try {
      stop();
    } catch (...) {  // a destructor must not throw; stop() already logged the failure
    }
  }

  /// Loads the state file and binds the socket, once; returns the bound port. Throws
  /// parse_error/validation_error for a bad state file, validation_error (secgroup.validation.203,
  /// field "port") when the address cannot be bound.
  int bind() {
    std::lock_guard lock(control_);
    if (port_ > 0) return port_;
    if (!options_.state_file.empty()) {
      server::state_file_options state_options;
      state_options.log = options_.log;
      state_.emplace(options_.state_file, std::move(state_options));
      try {
        state_->open(store_);
      } catch (...) {
        state_.reset();
        throw;
      }
    }
    const int port = options_.port == 0 ? server_.bind_to_any_port(options_.host)
                     : server_.bind_to_port(options_.host, options_.port) ? options_.port
                                                                          : -1;
    if (port <= 0)
      SECGROUP_THROW(validation_error(errc::bad_value, "port",
                                      "cannot bind " + host_text() + ":" +
                                          std::to_string(options_.port) +
                                          " (address in use or not available)"));
    port_ = port;
    auto routing = routing_;
    routing.base_url = options_.base_url.value_or(url());
    router_.emplace(store_, std::move(routing));
    return port_;
  }

  /// Binds if needed, then serves on the calling thread until stop(); saves the state when
  /// it returns.
  void listen() {
    bind();
    server_.listen_after_bind();
    save_if_configured();
  }

  /// Binds if needed and serves on a background thread; returns once connections are accepted.
  void start() {
    bind();
    std::lock_guard lock(control_);
    if (thread_.joinable()) return;
    finished_ = false;
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      finished_ = true;
    });
    while (!server_.is_running() && !finished_)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  /// Stops serving (in-flight requests finish), joins the background thread and saves the
  /// state; does nothing when not running.
  void stop() {
    std::lock_guard lock(control_);
    if (server_.is_running()) server_.stop();
    if (thread_.joinable()) {
      thread_.join();
      save_if_configured();
    }
  }

  /// True while connections are accepted.
  bool running() const { return server_.is_running(); }
  /// The bound port, or 0 before bind().
  int port() const noexcept { return port_; }
  /// "http://HOST:PORT" (IPv6 hosts in brackets); valid after bind().
  std::string url() const { return "http://" + host_text() + ":" + std::to_string(port_); }
  /// The store served.
  mock::store& store() noexcept { return store_; }

 private:
  std::string host_text() const {
    return options_.host.find(':') == std::string::npos ? options_.host : "[" + options_.host + "]";
  }

  /// Compacts the state file, if there is one; logs a failure.
  void save_if_configured() {
    if (!state_) return;
    try {
      state_->checkpoint();
    } catch (const std::exception& e) {
      options_.log(std::string("secgroup serve: state not saved: ") + e.what());
    }
  }

  static void write_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(mock::wire::dump(body), "application/json");
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    mock::request in;
    in.method = req.method;
    in.path = req.path;
    auto mark = req.target.find('?');
    if (mark != std::string::npos) in.query = req.target.substr(mark + 1);
    for (const auto& [name, value] : req.headers) in.headers.emplace_back(name, value);
    in.body = req.body;
    const mock::response out = router_->handle(in);
    res.status = out.status;
    std::string content_type = "application/json";
    for (const auto& [name, value] : out.headers) {
      if (detail::iequals(name, "Content-Type"))
        content_type = value;
      else
        res.set_header(name, value);
    }
    if (out.body.empty())
      res.set_header("Content-Type", content_type);
    else
      res.set_content(out.body, content_type);
    // cpp-httplib leaves a GET body unread on the socket: close rather than parse it next.
    const std::string length = req.get_header_value("Content-Length");
    if (!expects_body(req.method) &&
        ((!length.empty() && length != "0") || req.has_header("Transfer-Encoding")))
      res.set_header("Connection", "close");
    const bool changes = req.method != "GET" && req.method != "HEAD";
    if (changes && out.status >= 200 && out.status < 300 && state_) {
      try {
        state_->sync();
      } catch (const std::exception& e) {
        options_.log(std::string("secgroup serve: state not saved: ") + e.what());
        write_json(res, 500,
                   mock::internal_error(std::string("the change was made in memory but is not "
                                                    "saved to the state file: ") +
                                        e.what())
                       .body());
      }
    }
  }

  static bool expects_body(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
  }

  void install_handlers() {
    const char* everything = ".*";
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
    server_.Get(everything, handler);
    server_.Post(everything, handler);
    server_.Put(everything, handler);
    server_.Patch(everything, handler);
    server_.Delete(everything, handler);
    server_.Options(everything, handler);
    // Errors cpp-httplib answers itself (unknown method, bad request line, no handler) get a
    // JSON body; the router's own error bodies are never empty and are kept.
    using error_handler = httplib::Server::HandlerWithResponse;
    server_.set_error_handler(
        error_handler([](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          if (res.status == 404) {
            write_json(res, 404, mock::route_not_found_error(req.method, req.path).body());
          } else {
            write_json(res, res.status,
                       detail::mock_errors::message_body(
                           res.status == 413 ? "request_too_large" : "invalid_request",
                           "the request was rejected by the HTTP layer (status " +
                               std::to_string(res.status) + ")"));
          }
          return httplib::Server::HandlerResponse::Handled;
        }));
    server_.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "unknown exception";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          options_.log("secgroup serve: exception in a handler: " + what);
          write_json(res, 500, mock::internal_error(what).body());
        });
  }

  mock::store& store_;
  const mock::router_options routing_;
  http_options options_;
  httplib::Server server_;
  std::optional<mock::router> router_;
  std::optional<server::state_file> state_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  std::mutex control_;
  int port_ = 0;
};

}  // namespace server
SECGROUP_END_NAMESPACE
