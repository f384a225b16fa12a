// secgroup/where.hpp: a small constraint language over packet fields ("where" expressions).
//
// An expression selects packets as one group sees them (direction, IP protocol number, remote
// address, destination port), e.g. `inbound and tcp and port 5432 and not remote in 10.0.0.0/8`.
// Grammar (EBNF; keywords are case-insensitive, `not` binds tighter than `and`, `and` tighter
// than `or`; the full reference with examples is docs/z3.md):
//
//   expression  = conjunction { "or" conjunction } ;
//   conjunction = negation { "and" negation } ;
//   negation    = "not" negation | primary ;
//   primary     = "(" expression ")" | "any" | "inbound" | "outbound" | "ipv4" | "ipv6"
//               | "tcp" | "udp" | "icmp" | "protocol" range | "port" range
//               | "remote" "in" network ;
//   range       = number [ "-" number ] ;
//
// Meaning: `any` holds for every packet; `tcp` is protocol 6, `udp` 17, `icmp` protocols 1 and
// 58 (as an ICMP rule matches); `protocol A-B` bounds the protocol number (0..255); `port A-B`
// holds only for TCP and UDP packets whose destination port lies in A..B (0..65535), so
// `not port 22` holds for every ICMP packet; `remote in N` holds for remotes of N's family
// inside N (a bare address is a host network); `ipv4` / `ipv6` test the remote's family.
// This header has no solver dependency: matches() is the reference meaning, and the Z3 backend
// (secgroup/verify/z3.hpp) decides ALL / NONE / PARTIAL over the packets an expression selects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address.hpp"
#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "packet.hpp"
#include "port_range.hpp"
#include "space.hpp"

SECGROUP_BEGIN_NAMESPACE

/// A malformed where expression: a parse_error that also carries the 1-based column at fault.
class where_error : public parse_error {
 public:
  where_error(std::string id, std::string field, std::size_t column, const std::string& message)
      : parse_error(std::move(id), std::move(field),
                    "column " + std::to_string(column) + ": " + message),
        column_(column) {}

  /// The 1-based column (byte offset + 1) of the offending token; text size + 1 at the end.
  std::size_t column() const noexcept { return column_; }

 private:
  std::size_t column_;
};

/// A parsed where expression: a tree of atoms, negations, conjunctions and disjunctions.
struct where_expr {
  enum class kind : std::uint8_t {
    any,          ///< every packet
    inbound,      ///< direction inbound
    outbound,     ///< direction outbound
    ipv4,         ///< the remote is an IPv4 address
    ipv6,         ///< the remote is an IPv6 address
    protocol,     ///< protocol number in `range`
    icmp,         ///< protocol 1 or 58
    port,         ///< TCP or UDP, destination port in `range`
    remote,       ///< remote address in `network`
    negation,     ///< not operands[0]
    conjunction,  ///< every operand holds (two or more)
    disjunction,  ///< some operand holds (two or more)
  };

  kind op = kind::any;
  interval<std::uint32_t> range{0, 0};  ///< protocol numbers or ports
  ip_network network;                   ///< for remote
  std::vector<where_expr> operands;     ///< for negation, conjunction, disjunction

  friend bool operator==(const where_expr&, const where_expr&) = default;
};

/// Returns true iff packet `p` satisfies `e` (the reference meaning of the language).
inline bool matches(const where_expr& e, const packet& p) {
  using k = where_expr::kind;
  switch (e.op) {
    case k::any:
      return true;
    case k::inbound:
      return p.direction == direction::inbound;
    case k::outbound:
      return p.direction == direction::outbound;
    case k::ipv4:
      return p.remote.af == family::v4;
    case k::ipv6:
      return p.remote.af == family::v6;
    case k::protocol:
      return e.range.contains(p.protocol);
    case k::icmp:
      return p.protocol == ip_proto::icmp || p.protocol == ip_proto::icmpv6;
    case k::port:
      return carries_ports(p.protocol) && e.range.contains(p.port);
    case k::remote:
      return e.network.contains(p.remote);
    case k::negation:
      return !matches(e.operands.front(), p);
    case k::conjunction:
      for (const auto& x : e.operands)
        if (!matches(x, p)) return false;
      return true;
    case k::disjunction:
      for (const auto& x : e.operands)
        if (matches(x, p)) return true;
      return false;
  }
  return false;
}

namespace detail {

inline std::string range_text(const interval<std::uint32_t>& r) { return ports_text(r.lo, r.hi); }

/// Binding strength, for parentheses: or 1, and 2, everything else 3.
inline int strength(const where_expr& e) {
  return e.op == where_expr::kind::disjunction   ? 1
         : e.op == where_expr::kind::conjunction ? 2
                                                 : 3;
}

}  // namespace detail

/// Returns the canonical text of `e`, which parse_where() reads back to an equal tree:
/// lowercase keywords, `tcp`/`udp` for protocols 6/17, parentheses only where needed.
inline std::string to_string(const where_expr& e) {
  using k = where_expr::kind;
  auto operand = [](const where_expr& x, int outer) {
    return detail::strength(x) < outer ? "(" + to_string(x) + ")" : to_string(x);
  };
  switch (e.op) {
    case k::any:
      return "any";
    case k::inbound:
      return "inbound";
    case k::outbound:
      return "outbound";
    case k::ipv4:
      return "ipv4";
    case k::ipv6:
      return "ipv6";
    case k::protocol:
      if (e.range.lo == e.range.hi && e.range.lo == ip_proto::tcp) return "tcp";
      if (e.range.lo == e.range.hi && e.range.lo == ip_proto::udp) return "udp";
      return "protocol " + detail::range_text(e.range);
    case k::icmp:
      return "icmp";
    case k::port:
      return "port " + detail::range_text(e.range);
    case k::remote:
      return "remote in " + to_string(e.network);
    case k::negation:
      return "not " + operand(e.operands.front(), 3);
    case k::conjunction:
    case k::disjunction: {
      const int self = detail::strength(e);
      std::string out;
      for (const auto& x : e.operands)
        out += (out.empty() ? "" : self == 1 ? " or " : " and ") + operand(x, self + 1);
      return out;
    }
  }
  return "any";
}

namespace detail {

/// Recursive-descent parser of where expressions; see the file comment for the grammar.
class where_parser {
 public:
  where_parser(std::string_view text, std::string field) : text_(text), field_(std::move(field)) {
    next();
  }

  where_expr parse() {
    auto e = disjunction(0);
    if (tok_.type != token::end)
      fail(errc::bad_where, tok_.column,
           "expected 'and', 'or' or the end of the expression, got " + describe(tok_));
    return e;
  }

 private:
  struct token {
    enum type_t : std::uint8_t { end, word, open, close, dash } type = end;
    std::string_view text;
    std::size_t column = 1;
  };

  static constexpr std::size_t max_depth = 200;

  [[noreturn]] void fail(const char* id, std::size_t column, const std::string& message) const {
    SECGROUP_THROW(where_error(id, field_, column, message));
  }

  static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == ':' || c == '/' || c == '_';
  }

  static std::string describe(const token& t) {
    return t.type == token::end ? std::string("the end of the expression") : quoted(t.text);
  }

  void next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
    tok_.column = pos_ + 1;
    if (pos_ == text_.size()) {
      tok_.type = token::end;
      tok_.text = {};
      return;
    }
    const char c = text_[pos_];
    if (c == '(' || c == ')' || c == '-') {
      tok_.type = c == '(' ? token::open : c == ')' ? token::close : token::dash;
      tok_.text = text_.substr(pos_++, 1);
      return;
    }
    if (!word_char(c))
      fail(errc::bad_where, tok_.column,
           "unexpected character " + quoted(text_.substr(pos_, 1)));
    auto start = pos_;
    while (pos_ < text_.size() && word_char(text_[pos_])) ++pos_;
    tok_.type = token::word;
    tok_.text = text_.substr(start, pos_ - start);
  }

  bool is_word(std::string_view w) const { return tok_.type == token::word && iequals(tok_.text, w); }

  where_expr disjunction(std::size_t depth) {
    auto first = conjunction(depth);
    if (!is_word("or")) return first;
    where_expr e{where_expr::kind::disjunction, {}, {}, {std::move(first)}};
    while (is_word("or")) {
      next();
      e.operands.push_back(conjunction(depth));
    }
    return e;
  }

  where_expr conjunction(std::size_t depth) {
    auto first = negation(depth);
    if (!is_word("and")) return first;
    where_expr e{where_expr::kind::conjunction, {}, {}, {std::move(first)}};
    while (is_word("and")) {
      next();
      e.operands.push_back(negation(depth));
    }
    return e;
  }

  where_expr negation(std::size_t depth) {
    if (depth > max_depth)
      fail(errc::bad_where, tok_.column,
           "the expression nests deeper than " + std::to_string(max_depth) + " levels");
    if (!is_word("not")) return primary(depth);
    next();
    return {where_expr::kind::negation, {}, {}, {negation(depth + 1)}};
  }

  /// Reads a decimal number of at most `max`, for the keyword `what`.
  std::uint32_t number(std::uint32_t max, const char* what) {
    if (tok_.type != token::word)
      fail(errc::bad_where, tok_.column,
           std::string("expected a number after '") + what + "', got " + describe(tok_));
    auto n = parse_decimal(tok_.text, 5);
    if (!n || *n > max)
      fail(errc::bad_number, tok_.column,
           std::string("invalid ") + what + " " + quoted(tok_.text) + " (expected 0.." +
               std::to_string(max) + ")");
    next();
    return *n;
  }

  interval<std::uint32_t> range(std::uint32_t max, const char* what) {
    auto column = tok_.column;
    interval<std::uint32_t> r;
    r.lo = r.hi = number(max, what);
    if (tok_.type != token::dash) return r;
    next();
    r.hi = number(max, what);
    if (r.hi < r.lo)
      fail(errc::bad_where, column,
           std::string(what) + " range " + range_text(r) + " ends before it starts");
    return r;
  }

  where_expr primary(std::size_t depth) {
    using k = where_expr::kind;
    const token t = tok_;
    if (t.type == token::open) {
      next();
      auto e = disjunction(depth + 1);
      if (tok_.type != token::close)
        fail(errc::bad_where, tok_.column,
             "expected ')' to close the '(' of column " + std::to_string(t.column) + ", got " +
                 describe(tok_));
      next();
      return e;
    }
    if (t.type != token::word)
      fail(errc::bad_where, t.column, "expected a condition, got " + describe(t));
    next();
    auto w = t.text;
    if (iequals(w, "any")) return {k::any, {}, {}, {}};
    if (iequals(w, "inbound")) return {k::inbound, {}, {}, {}};
    if (iequals(w, "outbound")) return {k::outbound, {}, {}, {}};
    if (iequals(w, "ipv4")) return {k::ipv4, {}, {}, {}};
    if (iequals(w, "ipv6")) return {k::ipv6, {}, {}, {}};
    if (iequals(w, "tcp")) return {k::protocol, {ip_proto::tcp, ip_proto::tcp}, {}, {}};
    if (iequals(w, "udp")) return {k::protocol, {ip_proto::udp, ip_proto::udp}, {}, {}};
    if (iequals(w, "icmp")) return {k::icmp, {}, {}, {}};
    if (iequals(w, "protocol")) return {k::protocol, range(255, "protocol"), {}, {}};
    if (iequals(w, "port")) return {k::port, range(65535, "port"), {}, {}};
    if (iequals(w, "remote")) {
      if (!is_word("in"))
        fail(errc::bad_where, tok_.column, "expected 'in' after 'remote', got " + describe(tok_));
      next();
      if (tok_.type != token::word)
        fail(errc::bad_where, tok_.column,
             "expected a network after 'remote in', got " + describe(tok_));
      const char* why = nullptr;
      auto n = try_parse_network(tok_.text, &why);
      if (!n)
        fail(errc::bad_cidr, tok_.column,
             "invalid network " + quoted(tok_.text) + ": " + (why ? why : "malformed"));
      next();
      return {k::remote, {}, *n, {}};
    }
    if (iequals(w, "and") || iequals(w, "or"))
      fail(errc::bad_where, t.column, "expected a condition before " + quoted(w));
    fail(errc::bad_where, t.column,
         "unknown word " + quoted(w) +
             " (expected any, inbound, outbound, ipv4, ipv6, tcp, udp, icmp, protocol, port, "
             "remote, not or '(')");
  }

  std::string_view text_;
  std::string field_;
  std::size_t pos_ = 0;
  token tok_;
};

}  // namespace detail

/// Parses a where expression; throws where_error (a parse_error naming `field`, with the
/// column): secgroup.parse.110 for syntax, .107 for a number out of range, .102 for a network.
inline where_expr parse_where(std::string_view text, const std::string& field = "where") {
  return detail::where_parser(text, field).parse();
}

SECGROUP_END_NAMESPACE
