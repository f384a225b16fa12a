// secgroup/server/http.hpp: the mock Instance API over HTTP (cpp-httplib), for real clients.
//
// server::http_server serves a mock::router on a host and port: it copies each request's method,
// path and query string (both as received: the router decodes them), headers and body into a
// mock::request, and the router's status, headers and body back. It adds only what a socket
// needs: every error body is JSON, also for what the router never sees (a request cpp-httplib
// rejects, an exception). A request cpp-httplib rejects, or one refused before routing, is
// answered once and its connection closed: nothing sent behind it is ever read as a request.
// A body on a GET (the Python SDK sends `{}`) is ignored, and since cpp-httplib does not read it,
// the connection is closed after such a response so the stray bytes cannot poison the next one.
// Port 0 binds a free port; port() tells which. Limits
// (http_limits, connections.hpp): connections, timeouts, header and body sizes; a request over a
// limit gets 413, 414 or 431 in the API's error shape before its body is read, and a body with a
// Content-Encoding is refused (415), never decompressed. Open mode (no tokens) also refuses a Host
// header naming a host other than an IP literal, localhost, the bound host or allowed_hosts (403,
// against DNS rebinding), and a POST, PUT or PATCH body not declared `application/json` (415,
// against cross-site form posts). See docs/security.md.
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

#include <arpa/inet.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
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
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "../io/json.hpp"
#include "../io/read.hpp"
#include "../mock/errors.hpp"
#include "../mock/rest.hpp"
#include "../mock/store.hpp"
#include "../mock/wire.hpp"
#include "connections.hpp"
#include "state_file.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace server {

/// Settings of an http_server.
struct http_options {
  std::string host = "127.0.0.1";  ///< address to bind; loopback by default
  int port = 8080;                 ///< 0: any free port (see http_server::port())
  /// State file (server/state_file.hpp) to load on bind and journal each change to; empty: none.
  std::filesystem::path state_file;
  /// Largest state file (and journal) read on bind; secgroup.parse.114 beyond.
  std::size_t state_max_size = default_max_input_size;
  /// Prefix of `Location` headers; nullopt: this server's own URL (http://host:port).
  std::optional<std::string> base_url;
  /// Where log lines go; empty: standard error.
  log_fn log;
  /// Sizes, timeouts and connection counts (connections.hpp; docs/security.md).
  http_limits limits;
  /// Open mode only (no tokens): host names accepted in the Host header besides IP literals,
  /// `localhost` and the bound host (DNS rebinding guard; see http_server).
  std::vector<std::string> allowed_hosts;
};

/// Throws validation_error (bad_value, `field`) when `host` is empty: an empty address names
/// none, and cpp-httplib would bind whatever the resolver makes of it (::1 on Linux) without a
/// word; refused rather than guessed.
inline void check_host(std::string_view host, std::string_view field) {
  if (host.empty())
    SECGROUP_THROW(validation_error(
        errc::bad_value, std::string(field),
        "expected an address to bind (127.0.0.1, ::1, 0.0.0.0 or a host name), not an empty one"));
}

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
  /// validation_error (secgroup.validation.203) for an empty host (check_host(), field "host",
  /// before anything else), parse_error/validation_error for a bad state file, validation_error
  /// (secgroup.validation.203, field "port") when the address cannot be bound.
  int bind() {
    std::lock_guard lock(control_);
    if (port_ > 0) return port_;
    check_host(options_.host, "host");
    if (!options_.state_file.empty()) {
      server::state_file_options state_options;
      state_options.log = options_.log;
      state_options.max_size = options_.state_max_size;
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
    server_.serve();
    save_if_configured();
  }

  /// Binds if needed and serves on a background thread; returns once connections are accepted.
  void start() {
    bind();
    std::lock_guard lock(control_);
    if (thread_.joinable()) return;
    finished_ = false;
    thread_ = std::thread([this] {
      server_.serve();
      finished_ = true;
    });
    while (!server_.serving() && !finished_)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  /// Stops serving (in-flight requests finish), joins the background thread and saves the
  /// state; does nothing when not running. A stopped server does not serve again.
  void stop() {
    std::lock_guard lock(control_);
    server_.halt();
    if (thread_.joinable()) {
      thread_.join();
      save_if_configured();
    }
  }

  /// True while connections are accepted.
  bool running() const { return server_.serving(); }
  /// The connections now: open, idle (waiting for a request), busy (inside one).
  connection_counts connections() const { return server_.connections(); }
  /// Waits until `done(connections())` is true or `limit` passes; returns the last value of
  /// `done`. For tests that must know a state of the server before acting, instead of sleeping
  /// (e.g. `[](connection_counts c) { return c.busy == 1; }`: a request holds a slot).
  template <class Done>
  bool wait_for_connections(Done done, std::chrono::milliseconds limit) const {
    return server_.wait_for_connections(std::move(done), limit);
  }
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
    if (req.body.size() > options_.limits.max_body_bytes) {  // a chunked body, read to its end
      write_json(res, 413, body_too_large(req.body.size()));
      return;
    }
    mock::request in;
    in.method = req.method;
    // The path as received: the router decodes each segment, so `%2F` never splits one.
    auto mark = req.target.find('?');
    in.path = req.target.substr(0, mark);
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
    if (!expects_body(req.method) && has_body(req)) close_after(res);
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

  /// True iff `req` frames no body at all: neither Content-Length nor Transfer-Encoding, which
  /// means a body of length 0 (RFC 7230 §3.3.3), not one that lasts until the connection
  /// closes.
  static bool unframed(const httplib::Request& req) {
    return !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding");
  }

  static bool expects_body(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
  }

  /// True iff `req` announces a body (a non-zero Content-Length, or any Transfer-Encoding).
  static bool has_body(const httplib::Request& req) {
    const std::string length = req.get_header_value("Content-Length");
    return (!length.empty() && length != "0") || req.has_header("Transfer-Encoding");
  }

  /// Closes the connection after this response (its request's body may be left unread); the
  /// post-routing handler then sends exactly one `Connection: close` and no `Keep-Alive`.
  static void close_after(httplib::Response& res) {
    if (auto* flags = detail::http_connections::current)
      flags->close = true;
    else
      res.set_header("Connection", "close");
  }

  /// The 413 body; `size` when known (Content-Length, or a body read whole).
  json body_too_large(std::optional<std::uint64_t> size) const {
    return detail::mock_errors::message_body(
        "request_too_large",
        "the request body" + (size ? " (" + std::to_string(*size) + " bytes)" : std::string()) +
            " exceeds the limit of " + std::to_string(options_.limits.max_body_bytes) + " bytes");
  }

  // -- Request checks before routing -------------------------------------------------------

  /// True iff the Host header `host` may reach an open server: absent, an IP literal,
  /// `localhost` (or a name under it), the bound host, or one of allowed_hosts. A web page can
  /// point a name it controls at 127.0.0.1 (DNS rebinding), never an IP literal.
  bool host_allowed(std::string_view host) const {
    if (host.empty()) return true;
    std::string name;
    if (host.front() == '[') {
      const auto close = host.find(']');
      if (close == std::string_view::npos) return false;
      name = host.substr(1, close - 1);
    } else {
      name = host.substr(0, host.rfind(':') == host.find(':') ? host.find(':') : host.size());
    }
    unsigned char address[16];
    if (::inet_pton(AF_INET, name.c_str(), address) == 1 ||
        ::inet_pton(AF_INET6, name.c_str(), address) == 1)
      return true;
    for (auto& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (name == "localhost" || name.ends_with(".localhost")) return true;
    if (detail::iequals(name, options_.host)) return true;
    return std::any_of(options_.allowed_hosts.begin(), options_.allowed_hosts.end(),
                       [&](const std::string& h) { return detail::iequals(name, h); });
  }

  /// Refuses, before its body is read, a request over the limits (431, 413), one whose framing
  /// is ambiguous (400, RFC 7230 §3.3.3, against request smuggling: two Host headers, two
  /// different Content-Lengths, one that is not a decimal number, Content-Length with
  /// Transfer-Encoding, a Transfer-Encoding other than `chunked` alone), one with a
  /// Content-Encoding (415: bodies are never decompressed, so no gzip bomb), and in open mode
  /// a foreign Host (403, DNS rebinding) or a write whose body is not declared JSON (415: a
  /// cross-site form or `fetch` can post text/plain without a preflight; JSON needs one).
  /// Returns true when it answered; every refusal closes the connection.
  bool refuse_early(const httplib::Request& req, httplib::Response& res) const {
    auto refuse = [&](int status, const char* type, const std::string& message) {
      write_json(res, status, detail::mock_errors::message_body(type, message));
      close_after(res);
      return true;
    };
    const auto& limits = options_.limits;
    // The header lines received, not req.headers: cpp-httplib adds REMOTE_ADDR, REMOTE_PORT,
    // LOCAL_ADDR and LOCAL_PORT to those.
    const auto* flags = detail::http_connections::current;
    const std::size_t lines = flags ? flags->header_lines : req.headers.size();
    if (lines > limits.max_headers)
      return refuse(431, "request_header_fields_too_large",
                    "the request has " + std::to_string(lines) + " header lines; the limit is " +
                        std::to_string(limits.max_headers));
    if (const auto hosts = req.get_header_value_count("Host"); hosts > 1)
      return refuse(400, "invalid_request",
                    "the request has " + std::to_string(hosts) + " Host headers; send one");
    const auto lengths = req.get_header_value_count("Content-Length");
    const auto encodings = req.get_header_value_count("Transfer-Encoding");
    if (lengths > 0 && encodings > 0)
      return refuse(400, "invalid_request",
                    "the request has both Content-Length and Transfer-Encoding; send one");
    if (encodings > 1 ||
        (encodings == 1 &&
         !detail::iequals(detail::trim(req.get_header_value("Transfer-Encoding")), "chunked")))
      return refuse(400, "invalid_request",
                    "Transfer-Encoding must be `chunked` alone (no other coding is accepted)");
    const std::string length = req.get_header_value("Content-Length");
    for (std::size_t i = 0; i < lengths; ++i) {
      const std::string value = req.get_header_value("Content-Length", i);
      if (value.empty() ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return refuse(400, "invalid_request",
                      "the Content-Length header must be a decimal number of bytes");
      if (value != length)
        return refuse(400, "invalid_request",
                      "the request has Content-Length headers with different values");
    }
    const bool open = !routing_.tokens;
    if (open && !host_allowed(req.get_header_value("Host")))
      return refuse(403, "invalid_request",
                    "the Host header names a host this server does not answer for (an open "
                    "server answers only IP literals, localhost, its --host and --allow-host)");
    const std::string encoding = req.get_header_value("Content-Encoding");
    if (!encoding.empty() && !detail::iequals(encoding, "identity"))
      return refuse(415, "invalid_request",
                    "Content-Encoding is not accepted: send the request body uncompressed");
    if (open && expects_body(req.method) && req.method != "DELETE" && has_body(req)) {
      const std::string declared = req.get_header_value("Content-Type");
      const std::string_view type =
          detail::trim(std::string_view(declared).substr(0, declared.find(';')));
      if (!detail::iequals(type, "application/json"))
        return refuse(415, "invalid_request",
                      "a request body must be sent as Content-Type: application/json");
    }
    if (!length.empty()) {  // decimal digits: checked above
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
      if (ec == std::errc::result_out_of_range || n > limits.max_body_bytes) {
        write_json(res, 413, body_too_large(ec == std::errc() ? std::optional(n) : std::nullopt));
        close_after(res);
        return true;
      }
    }
    return false;
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
    using routing_handler = httplib::Server::HandlerWithResponse;
    server_.set_pre_routing_handler(
        routing_handler([this](const httplib::Request& req, httplib::Response& res) {
          if (refuse_early(req, res)) return httplib::Server::HandlerResponse::Handled;
          // cpp-httplib reads the body of a POST, PUT, PATCH or DELETE without framing until
          // the connection closes (the client waits for the answer: until request_timeout).
          // Such a request has no body: it is served here, its empty body never read.
          if (expects_body(req.method) && unframed(req)) {
            serve(req, res);
            return httplib::Server::HandlerResponse::Handled;
          }
          return httplib::Server::HandlerResponse::Unhandled;
        }));
    // Errors cpp-httplib answers itself (a request line or header it cannot parse, an unknown
    // method, a bad chunk, no handler) get a JSON body and close the connection: such a
    // request was not read to its end, and cpp-httplib would parse what follows it (its
    // headers, its body, a request smuggled behind it) as the next request. The router's own
    // error bodies are never empty and are kept, on a connection kept alive.
    using error_handler = httplib::Server::HandlerWithResponse;
    server_.set_error_handler(
        error_handler([this](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          close_after(res);
          // What the connection layer cut short reached cpp-httplib as a plain 400.
          if (const auto* flags = detail::http_connections::current) {
            if (flags->body_too_large) {
              write_json(res, 413, body_too_large(std::nullopt));
              return httplib::Server::HandlerResponse::Handled;
            }
            if (const auto answer =
                    detail::http_connections::cut_short_answer(*flags, options_.limits)) {
              write_json(res, answer->status,
                         detail::mock_errors::message_body(answer->type, answer->message));
              return httplib::Server::HandlerResponse::Handled;
            }
          }
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
    // Last, once cpp-httplib has added its Connection or Keep-Alive header: a response that
    // closes its connection says so once, and never offers to keep it alive.
    server_.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      const auto* flags = detail::http_connections::current;
      if (!flags || !flags->close) return;
      res.headers.erase("Connection");
      res.headers.erase("Keep-Alive");
      res.set_header("Connection", "close");
    });
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
  detail::http_connections::engine server_{options_.limits};
  std::optional<mock::router> router_;
  std::optional<server::state_file> state_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  std::mutex control_;
  int port_ = 0;
};

}  // namespace server
SECGROUP_END_NAMESPACE
