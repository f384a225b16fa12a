// secgroup/server/connections.hpp: the connections of the HTTP server, bounded in time and size.
//
// server::http_limits are the limits of `secgroup serve`; detail::http_connections::engine is a
// cpp-httplib server whose connections it accepts and reads itself, so that slow, idle or
// oversized clients cannot take the server from the others:
// - one thread per open connection, at most `max_connections` of them; a connection that waits
//   for its next request (keep-alive, or a fresh one that sent nothing yet) holds no request and
//   is closed when `idle_timeout` passes, or at once when a new client needs its slot. When no
//   slot frees within a moment the newcomer gets 503 and is closed;
// - a request must arrive whole (request line, headers, body) within `request_timeout` of its
//   first byte, and its response must be taken within as long: a client trickling one byte a
//   second is cut off, whatever cpp-httplib's per-read timeout would allow;
// - the request line and headers together may take `max_header_bytes`, counted as they are read
//   (cpp-httplib 0.11 bounds neither the number nor the size of header lines); a body read
//   without Content-Length (chunked) stops past `max_body_bytes` plus its framing;
// - the request line may take max_request_line_bytes and each header line
//   max_header_line_bytes (cpp-httplib's compiled limits, 8192 bytes with the CRLF), cut off as
//   they arrive; the header lines received are counted for `max_headers`;
// - TCP_NODELAY on every accepted socket: without it a kept-alive connection waits ~40 ms per
//   response on the peer's delayed ACK (Nagle);
// - the connections open, idle and busy are counted (server::connection_counts), and every
//   change is signalled, so a test can wait for a state (a slot held) instead of sleeping.
// What a request overstepped is kept in thread-local request_flags, read by the error handler
// of server/http.hpp to answer 431, 414, 413 or 408 instead of cpp-httplib's plain 400; when
// the request line itself was cut short, cpp-httplib answers nothing and the engine sends that
// answer itself. A refused request closes its connection after the answer (its body may be
// unread), with a short drain so the client reads the answer rather than a reset.
// Why not cpp-httplib's own loop: in 0.11 (Debian's, compiled) a connection holds a worker of a
// fixed pool for its whole keep-alive life and a read only times out per recv(), so ten trickling
// clients starve it; its task queue only sees opaque closures, so the loop cannot be bounded from
// outside. The engine reuses cpp-httplib's request parsing and routing (process_request) as is.
// Requires the target secgroup::server (cpp-httplib).
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "../config.hpp"

SECGROUP_BEGIN_NAMESPACE
namespace server {

/// Limits of an http_server; every one can be set from `secgroup serve` (docs/security.md).
struct http_limits {
  /// Largest request body accepted (413 beyond, before it is read when Content-Length says so).
  std::size_t max_body_bytes = std::size_t{2} << 20;
  /// Largest request line plus headers (431 beyond).
  std::size_t max_header_bytes = std::size_t{64} << 10;
  /// Most header lines in one request (431 beyond).
  std::size_t max_headers = 100;
  /// A request must arrive whole within this of its first byte, and its response be taken
  /// within as long (408, or the connection is closed).
  std::chrono::milliseconds request_timeout{10'000};
  /// A connection waiting for its next request is closed after this.
  std::chrono::milliseconds idle_timeout{5'000};
  /// Connections open at once; idle ones give their slot to a newcomer, else it gets 503.
  std::size_t max_connections = 128;
  /// Requests served on one connection before it is closed.
  std::size_t max_requests_per_connection = 1000;
};

/// The connections of a server at one instant (http_server::connections()). `open` may exceed
/// `idle + busy`: a connection just accepted, or closing, is neither.
struct connection_counts {
  std::size_t open = 0;  ///< accepted and not yet closed; at most max_connections
  std::size_t idle = 0;  ///< waiting for their next request: a newcomer may take their slot
  std::size_t busy = 0;  ///< reading a request or answering it: their slot is held

  friend bool operator==(const connection_counts&, const connection_counts&) = default;
};

/// Largest request line, CRLF included (414 beyond), and largest header line, CRLF included
/// (431 beyond): the limits cpp-httplib is compiled with (Debian's libcpp-httplib.so keeps the
/// defaults of CPPHTTPLIB_REQUEST_URI_MAX_LENGTH and CPPHTTPLIB_HEADER_MAX_LENGTH). A #define
/// before <httplib.h> cannot raise them: the parser is in the compiled library. Not settable.
inline constexpr std::size_t max_request_line_bytes = CPPHTTPLIB_REQUEST_URI_MAX_LENGTH;
inline constexpr std::size_t max_header_line_bytes = CPPHTTPLIB_HEADER_MAX_LENGTH;

}  // namespace server

/// \cond
namespace detail::http_connections {

using steady = std::chrono::steady_clock;

/// What the current request overstepped; set by socket_stream, read by the error handler and
/// the connection loop of the same thread.
struct request_flags {
  std::size_t header_lines = 0;  ///< header lines received (request line and blank line aside)
  bool head_too_large = false;   ///< request line + headers past max_header_bytes
  bool line_too_long = false;    ///< the request line past max_request_line_bytes
  bool header_too_long = false;  ///< a header line past max_header_line_bytes
  bool body_too_large = false;   ///< a body read without Content-Length past max_body_bytes
  bool timed_out = false;        ///< request_timeout passed while reading or writing
  bool close = false;            ///< close the connection after this response
};

/// The flags of the request this thread serves, or nullptr outside a connection thread.
inline thread_local request_flags* current = nullptr;

/// The answer to a request the connection layer cut short.
struct cut_short {
  int status;
  const char* type;
  std::string message;
};

/// What to answer a request whose reading `flags` stopped (line or head too long, timed out;
/// a body too large is answered by server/http.hpp); nullopt for none of those.
inline std::optional<cut_short> cut_short_answer(const request_flags& flags,
                                                 const server::http_limits& limits) {
  if (flags.line_too_long)
    return cut_short{414, "uri_too_long",
                     "the request line exceeds the limit of " +
                         std::to_string(server::max_request_line_bytes) + " bytes"};
  if (flags.header_too_long)
    return cut_short{431, "request_header_fields_too_large",
                     "a header line exceeds the limit of " +
                         std::to_string(server::max_header_line_bytes) + " bytes"};
  if (flags.head_too_large)
    return cut_short{431, "request_header_fields_too_large",
                     "the request line and headers exceed the limit of " +
                         std::to_string(limits.max_header_bytes) + " bytes"};
  if (flags.timed_out)
    return cut_short{408, "request_timeout",
                     "the request did not arrive within " +
                         std::to_string(limits.request_timeout.count()) + " ms"};
  return std::nullopt;
}

/// A whole HTTP/1.1 response that closes its connection, with the JSON body
/// `{"type": type, "message": message}`; `message` must need no JSON escaping (no quote,
/// backslash or control character). `extra` holds more header lines, each ending in CRLF.
inline std::string raw_error_response(int status, std::string_view type, std::string_view message,
                                      std::string_view extra = {}) {
  const char* reason = status == 408   ? "Request Timeout"
                       : status == 414 ? "URI Too Long"
                       : status == 431 ? "Request Header Fields Too Large"
                       : status == 503 ? "Service Unavailable"
                                       : "Error";
  const std::string body =
      R"({"type": ")" + std::string(type) + R"(", "message": ")" + std::string(message) + R"("})";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + std::string(extra) + "\r\n" + body;
}

/// Waits until `fd` is ready for `events` or `deadline` passes; true when ready (errors and
/// hang-ups count as ready: the next call reports them).
inline bool wait_for(int fd, short events, steady::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;
  }
}

/// A connected socket as cpp-httplib reads and writes it, with a per-request deadline and the
/// head and body byte counts of http_limits. Reads are buffered; the counts are of bytes handed
/// to cpp-httplib, so a pipelined next request is not charged to this one.
class socket_stream final : public httplib::Stream {
 public:
  socket_stream(int fd, const server::http_limits& limits, request_flags& flags)
      : fd_(fd), limits_(limits), flags_(flags) {}

  /// Starts the accounting of a new request, due by `deadline`.
  void begin_request(steady::time_point deadline) {
    deadline_ = deadline;
    write_deadline_.reset();
    in_head_ = true;
    head_bytes_ = body_bytes_ = line_length_ = line_bytes_ = line_index_ = written_ = 0;
  }
  /// Bytes of this request handed to cpp-httplib, and bytes written since it began.
  std::size_t received() const noexcept { return head_bytes_ + body_bytes_; }
  std::size_t written() const noexcept { return written_; }
  /// True iff bytes already received wait in the buffer (a pipelined request).
  bool buffered() const noexcept { return begin_ < end_; }

  bool is_readable() const override { return buffered() || wait_for(fd_, POLLIN, deadline_); }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, write_deadline()); }

  ssize_t read(char* ptr, size_t size) override {
    if (!buffered()) {
      if (!wait_for(fd_, POLLIN, deadline_)) {
        flags_.timed_out = true;
        return -1;
      }
      ssize_t n;
      do n = ::recv(fd_, buffer_, sizeof buffer_, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, end_ - begin_);
    if (!account(buffer_ + begin_, n)) return -1;
    std::copy_n(buffer_ + begin_, n, ptr);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait_for(fd_, POLLOUT, write_deadline())) {
      flags_.timed_out = true;
      return -1;
    }
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n > 0) written_ += static_cast<std::size_t>(n);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address(true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address(false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  /// Charges `n` bytes to the head (until its blank line) or the body, and counts the header
  /// lines; false past a limit (the line limits are cpp-httplib's own, enforced as the bytes
  /// arrive rather than after a whole line is buffered).
  bool account(const char* data, std::size_t n) {
    std::size_t i = 0;
    for (; in_head_ && i < n; ++i) {
      const char c = data[i];
      const bool request_line = line_index_ == 0;
      if (++line_bytes_ >
          (request_line ? server::max_request_line_bytes : server::max_header_line_bytes)) {
        (request_line ? flags_.line_too_long : flags_.header_too_long) = true;
        flags_.close = true;
        return false;
      }
      if (c == '\n') {
        if (line_length_ == 0 && !request_line)
          in_head_ = false;  // the blank line: the head ends here
        else if (!request_line)
          ++flags_.header_lines;
        line_length_ = line_bytes_ = 0;
        ++line_index_;
      } else if (c != '\r') {
        ++line_length_;
      }
      if (++head_bytes_ > limits_.max_header_bytes) {
        flags_.head_too_large = flags_.close = true;
        return false;
      }
    }
    body_bytes_ += n - i;
    // Chunk framing ("1000\r\n" ... "\r\n") rides on top of the body itself; the handler still
    // checks the body's own size against the limit.
    if (body_bytes_ > limits_.max_body_bytes + limits_.max_body_bytes / 8 + 4096) {
      flags_.body_too_large = flags_.close = true;
      return false;
    }
    return true;
  }

  steady::time_point write_deadline() const {
    if (!write_deadline_) write_deadline_ = steady::now() + limits_.request_timeout;
    return *write_deadline_;
  }

  void address(bool remote, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t length = sizeof addr;
    auto* a = reinterpret_cast<sockaddr*>(&addr);
    ip.clear();
    port = 0;
    if ((remote ? ::getpeername(fd_, a, &length) : ::getsockname(fd_, a, &length)) != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      port = ntohs(v4->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      port = ntohs(v6->sin6_port);
    }
    ip = text;
  }

  int fd_;
  const server::http_limits& limits_;
  request_flags& flags_;
  steady::time_point deadline_ = steady::now();
  mutable std::optional<steady::time_point> write_deadline_;
  bool in_head_ = true;
  std::size_t head_bytes_ = 0, body_bytes_ = 0, line_length_ = 0, line_bytes_ = 0, line_index_ = 0,
              written_ = 0;
  char buffer_[4096];
  std::size_t begin_ = 0, end_ = 0;
};

/// A cpp-httplib server (handlers, error handler, request parsing) whose connections it
/// accepts and serves itself under http_limits; see the file comment. Bind with the base
/// class's bind_to_port / bind_to_any_port, then serve() on one thread; halt() from any other.
class engine : public httplib::Server {
 public:
  explicit engine(const server::http_limits& limits) : limits_(limits) {
    const auto idle_seconds = std::chrono::ceil<std::chrono::seconds>(limits_.idle_timeout);
    set_keep_alive_timeout(static_cast<time_t>(idle_seconds.count()));  // the Keep-Alive header
    set_keep_alive_max_count(limits_.max_requests_per_connection);
    set_payload_max_length(limits_.max_body_bytes);
  }
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Halts, waits for every connection to close, and closes a socket bound but never served.
  ~engine() override {
    halt();
    wait_closed();
    const socket_t fd = svr_sock_.exchange(INVALID_SOCKET);
    if (fd != INVALID_SOCKET) ::close(fd);
  }

  /// Accepts and serves connections on the bound socket until halt(); returns once every
  /// connection is closed. False when nothing is bound.
  bool serve() {
    const socket_t listener = svr_sock_;
    if (listener == INVALID_SOCKET) return false;
    ::listen(listener, 128);  // cpp-httplib's compiled backlog is 5
    serving_ = true;
    while (!stopping_) {
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      admit(fd);
    }
    wait_closed();
    std::lock_guard lock(mutex_);
    ::close(svr_sock_.exchange(INVALID_SOCKET));
    serving_ = false;
    return true;
  }

  /// Stops accepting; idle connections close at once, requests in flight finish (within
  /// request_timeout). Any thread; serve() returns once they are closed.
  void halt() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    const socket_t fd = svr_sock_;
    if (fd != INVALID_SOCKET && serving_) ::shutdown(fd, SHUT_RDWR);
    cv_.notify_all();
  }

  /// True while serve() accepts connections.
  bool serving() const noexcept { return serving_ && !stopping_; }
  /// The connections now.
  server::connection_counts connections() const {
    std::lock_guard lock(mutex_);
    return counts();
  }
  /// Waits until `done(connections())` is true, checked at every change of the counts, or
  /// `limit` passes; returns the last value of `done`. For tests that must know a state of the
  /// server (a slot held, a connection idle) before acting, instead of sleeping.
  template <class Done>
  bool wait_for_connections(Done done, std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return static_cast<bool>(done(counts())); });
  }

 private:
  /// Gives `fd` a connection thread, after asking an idle connection for its slot when all are
  /// taken; answers 503 and closes it when none frees within 250 ms.
  void admit(int fd) {
    std::unique_lock lock(mutex_);
    if (open_ >= limits_.max_connections) {
      if (idle_ > 0) {
        // A batch, so that a crowd of idle connections costs a crowd of newcomers one wait.
        evictions_wanted_ = std::min(idle_, std::max<std::size_t>(1, limits_.max_connections / 16));
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::milliseconds(250),
                     [&] { return open_ < limits_.max_connections || stopping_; });
      }
      if (open_ >= limits_.max_connections || stopping_) {
        evictions_wanted_ = 0;
        lock.unlock();
        refuse(fd);
        return;
      }
    }
    ++open_;
    cv_.notify_all();
    lock.unlock();
    try {
      std::thread([this, fd] { connection(fd); }).detach();
    } catch (...) {  // no thread to be had: refuse rather than stop accepting
      std::lock_guard relock(mutex_);
      --open_;
      refuse(fd);
    }
  }

  /// Answers 503 in the API's error shape without waiting, and closes `fd`.
  static void refuse(int fd) {
    static const std::string text = raw_error_response(
        503, "service_unavailable", "too many connections: try again later", "Retry-After: 1\r\n");
    [[maybe_unused]] auto sent = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
  }

  /// Waits for the next request on `fd` for up to idle_timeout; false when the connection
  /// should close instead (timeout, hang-up, halt, or a newcomer wants the slot).
  bool wait_for_request(int fd) {
    const auto deadline = steady::now() + limits_.idle_timeout;
    std::unique_lock lock(mutex_);
    ++idle_;
    cv_.notify_all();
    bool ready = false;
    while (!stopping_ && steady::now() < deadline) {
      if (evictions_wanted_ > 0) {
        --evictions_wanted_;
        break;
      }
      lock.unlock();
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, 20);
      lock.lock();
      if (n > 0 || (n < 0 && errno != EINTR)) {
        ready = n > 0 && (p.revents & POLLIN);
        break;
      }
    }
    --idle_;
    cv_.notify_all();
    return ready && !stopping_;
  }

  /// Counts this thread's connection as busy (`busy`: a request begins) or no longer (it ended).
  void mark_busy(bool busy) {
    std::lock_guard lock(mutex_);
    busy ? ++busy_ : --busy_;
    cv_.notify_all();
  }

  /// The counts now; expects mutex_ to be held.
  server::connection_counts counts() const { return {open_, idle_, busy_}; }

  /// Serves the requests of one connection, then closes it.
  void connection(int fd) {
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    request_flags flags;
    current = &flags;
    {
      socket_stream stream(fd, limits_, flags);
      for (std::size_t served = 0;; ++served) {
        if (!stream.buffered() && !wait_for_request(fd)) break;
        flags = {};
        stream.begin_request(steady::now() + limits_.request_timeout);
        const bool last = served + 1 >= limits_.max_requests_per_connection || stopping_;
        bool closed = false;
        mark_busy(true);
        const bool ok = process_request(stream, last, closed, nullptr);
        // A request line cut short (too long, too slow) makes cpp-httplib give up without an
        // answer: the engine sends the one the error handler would have.
        if (!ok && stream.received() > 0 && stream.written() == 0) {
          if (const auto answer = cut_short_answer(flags, limits_)) {
            const auto text = raw_error_response(answer->status, answer->type, answer->message);
            stream.write(text.data(), text.size());
            flags.close = true;
          }
        }
        mark_busy(false);
        if (!ok || closed || last || flags.close || flags.timed_out) break;
      }
    }
    current = nullptr;
    if (flags.close && !flags.timed_out) drain(fd);
    ::close(fd);
    std::lock_guard lock(mutex_);
    --open_;
    cv_.notify_all();
  }

  /// After a refused request: stop sending, then read and drop what the client still sends
  /// for a moment, so it reads the answer instead of a connection reset.
  static void drain(int fd) {
    ::shutdown(fd, SHUT_WR);
    const auto until = steady::now() + std::chrono::milliseconds(500);
    char sink[4096];
    while (wait_for(fd, POLLIN, until))
      if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
  }

  void wait_closed() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return open_ == 0; });
  }

  const server::http_limits limits_;
  std::atomic<bool> serving_{false}, stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;  ///< notified at every change of the counts and on halt
  std::size_t open_ = 0, idle_ = 0, busy_ = 0, evictions_wanted_ = 0;
};

}  // namespace detail::http_connections
/// \endcond
SECGROUP_END_NAMESPACE
