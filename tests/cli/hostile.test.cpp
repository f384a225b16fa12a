// Hostile input files against the CLI and the library's readers: text from input never
// breaks a line of output or starts a CI log command (issue 12 item 11), and input files are
// read with a size limit (item 12). Independent of the golden outputs, which hold no control
// characters.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <secgroup/detail/text.hpp>
#include <secgroup/io/json.hpp>
#include <secgroup/io/packets.hpp>
#include <secgroup/io/read.hpp>
#include <secgroup/lint/config.hpp>
#include <sstream>
#include <thread>

#include "support/run_cli.hpp"

namespace hostile_tests {

namespace fs = std::filesystem;
using secgroup::detail::backslash;
using secgroup::detail::escaped;

using outcome = secgroup_test::cli_outcome;

/// Runs `secgroup ARGS...` in process, with stdout and stderr captured.
outcome run_cli(const std::vector<std::string>& args) {
  return secgroup_test::run_cli(args, fs::current_path());
}

/// A scratch directory removed at the end of the test.
struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path() / ("secgroup-hostile-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  }
};

/// The first problem with `text` as terminal or log output, or "" when there is none: a
/// control byte other than the line feed and the tab (the tool's column separator), invalid
/// UTF-8, a C1 or bidirectional control, or a
/// line whose first non-blank characters are "::" or "##" (CI log commands).
std::string output_problem(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  for (std::size_t n = 1; std::getline(lines, line); ++n) {
    const auto start = line.find_first_not_of(' ');
    if (start != std::string::npos &&
        (line.compare(start, 2, "::") == 0 || line.compare(start, 2, "##") == 0))
      return "line " + std::to_string(n) + " starts a CI command: " + line;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return "line " + std::to_string(n) + " has control byte " + std::to_string(c) + ": " + line;
    }
    // Escaping a line that is already clean changes nothing: no invalid UTF-8 or C1/bidi.
    std::string untabbed = line;
    untabbed.erase(std::remove(untabbed.begin(), untabbed.end(), '\t'), untabbed.end());
    if (escaped(untabbed, backslash::keep) != untabbed &&
        untabbed.find("\\x3a") == std::string::npos && untabbed.find("\\x23") == std::string::npos)
      return "line " + std::to_string(n) + " has unsafe characters: " + line;
  }
  return "";
}

// Names, ids and a description holding a newline, a CI command, ANSI and OSC sequences, a
// NUL, a C1 control, a bidi override and invalid UTF-8 (written as JSON escapes, except the
// raw invalid byte \xff, which the JSON reader refuses, so it appears only in non-JSON input).
const std::string evil =
    "x\\n::error::pwned\\u001b[31mred\\u001b]0;title\\u0007\\u0000nul"
    "\\u009bc1\\u202eevil";
const std::string group_json = R"({
  "id": "::error file=a::)" + evil +
                               R"(",
  "name": "  ##vso[task.complete])" +
                               evil + R"(",
  "description": ")" + evil + R"(",
  "inbound_default_policy": "drop",
  "outbound_default_policy": "accept",
  "enable_default_security": false,
  "rules": [
    {"id": "::warning::)" + evil +
                               R"(", "protocol": "TCP", "direction": "inbound",
     "action": "accept", "ip_range": "0.0.0.0/0", "dest_port_from": 22},
    {"id": "r2\r\n::error::y", "protocol": "TCP", "direction": "inbound",
     "action": "drop", "ip_range": "0.0.0.0/0", "dest_port_from": 22},
    {"id": "r3", "protocol": "TCP", "direction": "inbound",
     "action": "accept", "ip_range": "10.0.0.0/8", "dest_port_from": 22}
  ]
})";

// -- Escaping ---------------------------------------------------------------------------------

TEST_CASE("escaped: one printable line for any input, plain text unchanged") {
  CHECK(escaped("web-frontend (8a108b10) é ü 日本") == "web-frontend (8a108b10) é ü 日本");
  CHECK(escaped("a::b ## c") == "a::b ## c");
  CHECK(escaped("a\nb\r\tc") == "a\\nb\\r\\tc");
  CHECK(escaped(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(escaped("\x1b[31m\x1b]0;t\x07\x7f") == "\\x1b[31m\\x1b]0;t\\x07\\x7f");
  CHECK(escaped("\xc2\x9b"
                "c1") == "\\u{009b}c1");
  CHECK(escaped("\xe2\x80\xae"
                "x\xe2\x80\xa8") == "\\u{202e}x\\u{2028}");
  CHECK(escaped("\xef\xbb\xbf") == "\\u{feff}");
  CHECK(escaped("bad\xff\xc3(") == "bad\\xff\\xc3(");
  CHECK(escaped("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate is no UTF-8
  CHECK(escaped("\xc0\xaf") == "\\xc0\\xaf");           // overlong
  CHECK(escaped("::error::x") == "\\x3a:error::x");
  CHECK(escaped("  ::x") == "  \\x3a:x");
  CHECK(escaped("##vso[x]") == "\\x23#vso[x]");
  CHECK(escaped("a\\b") == "a\\\\b");
  CHECK(escaped("a\\b\n", backslash::keep) == "a\\b\\n");
  // Escaped text passes unchanged through a second, backslash-keeping escape.
  const std::string once = escaped("::e\n\x1b\xff\xe2\x80\xae");
  CHECK(escaped(once, backslash::keep) == once);
}

TEST_CASE("escaped: the plain-text shortcut gives what escaping each character gives") {
  // Random strings over characters each rule of escaped() treats apart (spaces before ':' and
  // '#', a backslash, controls, DEL, UTF-8 and a byte that is none), every cut length.
  const std::string_view alphabet[] = {"a",    " ",    ":", "#",        "\\",   "\n",
                                       "\x7f", "\x1f", "~", "\xc3\xa9", "\xff", "\xe2\x80\xae"};
  std::mt19937 rng(29);
  std::size_t whole = 0, each = 0;
  for (int k = 0; k < 20000; ++k) {
    std::string s;
    const auto n = rng() % 9;
    for (std::size_t j = 0; j < n; ++j) {
      const bool any = rng() % 3 == 0;  // else "a" or " ", which the shortcut keeps
      s += alphabet[rng() % (any ? 12 : 2)];
    }
    const auto bs = rng() % 2 ? backslash::escape : backslash::keep;
    const auto max_chars = rng() % 3 == 0 ? std::string_view::npos : std::size_t{rng() % 10};
    bool cut = false, cut_each = true;
    const auto got = escaped(s, bs, max_chars, &cut);
    const auto want = secgroup::detail::escape_detail::escape_each(s, bs, max_chars, &cut_each);
    (secgroup::detail::escape_detail::kept_whole(s, bs, max_chars) ? whole : each)++;
    if (got != want || cut != cut_each) FAIL("escaped('" << want << "') = '" << got << "'");
  }
  CHECK(whole > 1000);  // both ways taken often
  CHECK(each > 1000);
}

TEST_CASE("quoted: escapes and cuts at 64 characters, never inside one") {
  CHECK(secgroup::detail::quoted("a\nb") == "'a\\nb'");
  const std::string e64(64, 'e');
  CHECK(secgroup::detail::quoted(e64) == "'" + e64 + "'");
  CHECK(secgroup::detail::quoted(e64 + "f") == "'" + e64 + "...'");
  std::string accents;
  for (int i = 0; i < 70; ++i) accents += "é";
  std::string first;
  for (int i = 0; i < 64; ++i) first += "é";
  CHECK(secgroup::detail::quoted(accents) == "'" + first + "...'");
}

TEST_CASE("errors hold one line whatever text from input they name") {
  const secgroup::parse_error e(secgroup::errc::bad_enum, std::string("f\n::x", 5),
                                std::string("bad\0\n::error::y", 15));
  const std::string what = e.what();
  CHECK(what == "[secgroup.parse.103] f\\n::x: bad\\x00\\n::error::y");
  CHECK(e.message() == "bad\\x00\\n::error::y");
  CHECK(output_problem(what).empty());
}

// -- Every text output of the CLI -------------------------------------------------------------

TEST_CASE("cli: hostile names, ids and descriptions stay on their line") {
  scratch s;
  const auto file = s.write("evil.json", group_json).string();
  const std::vector<std::vector<std::string>> commands = {
      {"lint", file, "--color", "never"},
      {"lint", file, "--color", "never", "--format", "text", "--show-suppressed"},
      {"analyze", file},
      {"check", file, "--direction", "inbound", "--protocol", "tcp", "--remote", "1.2.3.4",
       "--port", "22"},
      {"diff", file, file},
      {"exposure", file},
      {"query", file, "--direction", "inbound", "--protocol", "tcp", "--ports", "22"},
      {"connect", file, file, "--client", "10.0.0.1", "--server", "10.0.0.2", "--protocol", "tcp",
       "--port", "22"},
      {"check", file, "--group", "nope\n::error::x\x1b[2J", "--direction", "inbound", "--protocol",
       "tcp", "--remote", "1.2.3.4", "--port", "22"},
  };
  for (const auto& args : commands) {
    const auto o = run_cli(args);
    INFO(args.front() << " exit " << o.code << "\nstdout:\n" << o.out << "\nstderr:\n" << o.err);
    CHECK(o.code != 3);
    CHECK(output_problem(o.out) == "");
    CHECK(output_problem(o.err) == "");
  }
  // minimize prints the group as JSON (escaped by JSON's rules, values unchanged) and its
  // report on stderr.
  const auto m = run_cli({"minimize", file});
  CHECK(m.code == 0);
  CHECK(output_problem(m.err) == "");
  CHECK(secgroup::parse_groups(m.out).at(0).name == secgroup::parse_groups(group_json).at(0).name);
  // The values are there, escaped, not dropped.
  const auto o = run_cli({"lint", file, "--color", "never"});
  CHECK(o.out.find("\\x23#vso[task.complete]x\\n::error::pwned\\x1b[31mred\\x1b]0;title\\x07"
                   "\\x00nul\\u{009b}c1\\u{202e}evil") != std::string::npos);
  CHECK(o.out.find("\\x3a:warning::x\\n") != std::string::npos);
  const auto analyzed = run_cli({"analyze", file});
  CHECK(analyzed.out.find("rule r2\\r\\n::error::y (position 2)") != std::string::npos);
}

TEST_CASE("cli: error lines name hostile values escaped, a NUL included") {
  scratch s;
  const auto file = s.write("bad.json",
                            R"({"id": "g", "rules": [{"protocol": "TCP\u0000\n::error::x\u001b[2J",
                  "direction": "inbound", "action": "accept", "ip_range": "0.0.0.0/0"}]})")
                        .string();
  auto o = run_cli({"analyze", file});
  CHECK(o.code == 2);
  CHECK(o.err.find("secgroup.parse.103") != std::string::npos);
  CHECK(o.err.find("'TCP\\x00\\n::error::x\\x1b[2J'") != std::string::npos);
  CHECK(output_problem(o.err) == "");
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  // A file name from the command line, and raw invalid UTF-8 in a packet file.
  const auto packets = s.write("p.txt", "inbound tcp 1.2.3.4 2\xff\x1b[2J\n").string();
  o = run_cli({"check", (fs::path(SECGROUP_SOURCE_DIR) / "examples/groups/web.json").string(),
               "--packets", packets});
  CHECK(o.code == 2);
  CHECK(o.err.find("2\\xff\\x1b[2J") != std::string::npos);
  CHECK(output_problem(o.err) == "");
  o = run_cli({"analyze", (s.dir / "missing\n::error::x.json").string()});
  CHECK(o.code == 2);
  CHECK(output_problem(o.err) == "");
}

// -- Input size limits ------------------------------------------------------------------------

TEST_CASE("parse_byte_size: bytes with K, M, G suffixes") {
  using secgroup::parse_byte_size;
  CHECK(parse_byte_size("1", "s") == 1);
  CHECK(parse_byte_size("64K", "s") == 64u << 10);
  CHECK(parse_byte_size("64kib", "s") == 64u << 10);
  CHECK(parse_byte_size("256M", "s") == 256u << 20);
  CHECK(parse_byte_size("2GB", "s") == std::size_t{2} << 30);
  CHECK(parse_byte_size("100b", "s") == 100);
  for (const char* bad :
       {"", "0", "K", "-1", "1.5M", "12x", "1KX", "99999999999999999999", "17179869184G"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_byte_size(bad, "--max-input-size"), secgroup::parse_error);
  }
  CHECK(secgroup::default_max_input_size == std::size_t{256} << 20);
}

TEST_CASE("read_text_file: a file above the limit is refused, naming file and limit") {
  scratch s;
  const auto file = s.write("big.json", std::string(2048, ' ') + "[]");
  CHECK(secgroup::read_text_file(file, 2050).size() == 2050);
  try {
    secgroup::read_text_file(file, 2049);
    FAIL("no error");
  } catch (const secgroup::parse_error& e) {
    CHECK(e.id() == "secgroup.parse.114");
    CHECK(e.field() == file.string());
    CHECK(e.message().find("2049 bytes") != std::string::npos);
  }
  CHECK_THROWS_AS(secgroup::load_groups(file, 1024), secgroup::parse_error);
  CHECK_THROWS_AS(secgroup::lint::load_config(file, 1024), secgroup::parse_error);
  CHECK_THROWS_AS(secgroup::load_packets(file, 1024), secgroup::parse_error);
  CHECK(secgroup::byte_size_text(std::size_t{256} << 20) == "268435456 bytes (256 MiB)");
}

TEST_CASE("read_text_file: a file above 64 KiB reads whole, at and below its limit") {
  scratch s;
  std::string bytes(300001, '\0');  // above an unsized input's chunk of 64 KiB, not a multiple
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  const auto file = s.write("many.json", bytes);
  CHECK(secgroup::read_text_file(file, bytes.size()) == bytes);
  CHECK(secgroup::read_text_file(file) == bytes);
  CHECK_THROWS_AS(secgroup::read_text_file(file, bytes.size() - 1), secgroup::parse_error);
}

TEST_CASE("read_text_file: endless and unsized inputs stop at the limit") {
  // /dev/zero never ends: read, it would grow without bound.
  try {
    secgroup::read_text_file("/dev/zero", std::size_t{1} << 20);
    FAIL("no error");
  } catch (const secgroup::parse_error& e) {
    CHECK(e.id() == "secgroup.parse.114");
    CHECK(e.field() == "/dev/zero");
  }
  // A FIFO fed more than the limit by a writer that never stops on its own.
  scratch s;
  const auto fifo = s.dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The writer gets EPIPE (not SIGPIPE) when the reader stops early.
  struct ignore_sigpipe {
    void (*old)(int) = std::signal(SIGPIPE, SIG_IGN);
    ~ignore_sigpipe() { std::signal(SIGPIPE, old); }
  } no_sigpipe;
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    const std::string block(4096, ' ');
    for (int i = 0; i < 1024 && out; ++i) out << block;  // 4 MiB, or until the reader closes
  });
  CHECK_THROWS_AS(secgroup::read_text_file(fifo, 64 << 10), secgroup::parse_error);
  writer.join();
}

TEST_CASE("cli: --max-input-size on every reading command, exit 2 above it") {
  scratch s;
  const auto web = (fs::path(SECGROUP_SOURCE_DIR) / "examples/groups/web.json").string();
  const auto size = fs::file_size(web);
  auto o = run_cli({"analyze", web, "--max-input-size", std::to_string(size - 1)});
  CHECK(o.code == 2);
  CHECK(o.err.find("secgroup.parse.114") != std::string::npos);
  CHECK(o.err.find("web.json") != std::string::npos);
  CHECK(o.err.find("--max-input-size") != std::string::npos);
  o = run_cli({"analyze", web, "--max-input-size", std::to_string(size)});
  CHECK(o.code == 0);
  o = run_cli({"lint", web, "--max-input-size", "1K"});
  CHECK(o.code == 2);
  CHECK(o.err.find("secgroup.parse.114") != std::string::npos);
  o = run_cli({"check", "/dev/zero", "--max-input-size", "1M", "--direction", "inbound",
               "--protocol", "tcp", "--remote", "1.2.3.4", "--port", "22"});
  CHECK(o.code == 2);
  CHECK(o.err.find("/dev/zero") != std::string::npos);
  CHECK(o.err.find("1048576 bytes (1 MiB)") != std::string::npos);
  o = run_cli({"analyze", web, "--max-input-size", "lots"});
  CHECK(o.code == 2);
  CHECK(o.err.find("--max-input-size") != std::string::npos);
  // The limit of one run does not leak into the next.
  CHECK(run_cli({"analyze", web}).code == 0);
}

TEST_CASE("cli: output that cannot be written fails the command, exit 2") {
  // Standard output failing (a full disk, /dev/full): every command says so, never exit 0.
  struct failing : std::streambuf {
    int overflow(int) override { return traits_type::eof(); }
    std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
  } sink;
  const auto web = (fs::path(SECGROUP_SOURCE_DIR) / "examples/groups/web.json").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"export", web}, {"analyze", web}, {"exposure", web}, {"lint", web}}) {
    INFO(args.front());
    std::ostringstream err;
    auto* out = std::cout.rdbuf(&sink);
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    const int code = secgroup::cli::run(args);
    std::cout.rdbuf(out);
    std::cerr.rdbuf(old_err);
    std::cout.clear();
    CHECK(code == 2);
    CHECK(err.str().find("cannot write the output") != std::string::npos);
  }
  CHECK(run_cli({"analyze", web}).code == 0);  // the next run writes again
}

TEST_CASE("cli: export -o writes a FIFO or device in place, never renaming over it") {
  scratch s;
  const auto fifo = s.dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const auto web = (fs::path(SECGROUP_SOURCE_DIR) / "examples/groups/web.json").string();
  auto o = run_cli({"export", web, "-o", fifo.string()});
  CHECK(o.code == 0);
  CHECK(fs::is_fifo(fs::status(fifo)));  // not replaced by a regular file
  std::string got;
  char buffer[4096];
  for (ssize_t n; (n = ::read(reader, buffer, sizeof buffer)) > 0;) got.append(buffer, n);
  ::close(reader);
  CHECK(got == run_cli({"export", web}).out);
  // A regular file is still replaced whole, through a temporary.
  const auto file = s.write("out.json", "old");
  CHECK(run_cli({"export", web, "-o", file.string()}).code == 0);
  CHECK(fs::file_size(file) == got.size());
}

}  // namespace hostile_tests
