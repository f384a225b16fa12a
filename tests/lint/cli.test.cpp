// End-to-end tests of `secgroup lint`: cli/lint.cpp is compiled into this test and driven the
// way cli/main.cpp drives it (CLI11 parse errors and secgroup::error exit 2), so arguments,
// configuration discovery, formats and exit codes are checked without the tool's target.
#include <filesystem>
#include <sstream>

#include "../../cli/lint.cpp"
#include "lint/support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path data = fs::path(__FILE__).parent_path() / "data";

struct outcome {
  int code = -1;
  std::string out, err;
};

/// Runs `secgroup lint ARGS...` as cli/main.cpp would, in directory `cwd`.
outcome lint_cli(std::vector<std::string> args, const fs::path& cwd = data) {
  struct restore {
    fs::path dir = fs::current_path();
    std::streambuf* out = std::cout.rdbuf();
    std::streambuf* err = std::cerr.rdbuf();
    ~restore() {
      fs::current_path(dir);
      std::cout.rdbuf(out);
      std::cerr.rdbuf(err);
    }
  } guard;
  std::ostringstream out, err;
  std::cout.rdbuf(out.rdbuf());
  std::cerr.rdbuf(err.rdbuf());
  fs::current_path(cwd);
  args.insert(args.begin(), {"secgroup", "lint"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  outcome o;
  CLI::App app{"secgroup"};
  app.require_subcommand(1);
  secgroup::cli::command run;
  secgroup::cli::register_lint(app, run);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    o.code = run();
  } catch (const CLI::ParseError& e) {
    std::cerr << "secgroup: error: " << e.what() << "\n";
    o.code = secgroup::cli::exit_bad_input;
  } catch (const secgroup::error& e) {
    std::cerr << "secgroup: error: " << e.what() << "\n";
    o.code = secgroup::cli::exit_bad_input;
  }
  o.out = out.str();
  o.err = err.str();
  return o;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli lint: exit codes 0, 1 and 2") {
  auto o = lint_cli({"clean.json"});
  CHECK(o.code == 0);
  CHECK(has(o.out, "internal-api"));
  CHECK(has(o.out, "PASSED"));
  o = lint_cli({"ssh-open.json"});
  CHECK(o.code == 1);
  CHECK(has(o.out, "SG001"));
  CHECK(has(o.out, "FAILED (--fail-on low)"));
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "critical"}).code == 0);
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "HIGH"}).code == 1);
  CHECK(lint_cli({"ssh-open.json", "--fail-on", "none"}).code == 0);
  o = lint_cli({"ssh-open.json", "--fail-on", "sometimes"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "--fail-on"));
  o = lint_cli({"bad-cidr.json"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "secgroup.parse.102"));
  CHECK(o.out.empty());
  o = lint_cli({"clean.json", "missing.json"});
  CHECK(o.code == 2);
  CHECK(has(o.err, "missing.json"));
  CHECK(o.out.empty());
  o = lint_cli({});
  CHECK(o.code == 2);
  CHECK(has(o.err, "FILE_OR_DIR"));
  CHECK(lint_cli({"clean.json", "--format", "xml"}).code == 2);
  CHECK(lint_cli({"clean.json", "--config", "suppress.json", "--no-config"}).code == 2);
  CHECK(lint_cli({"clean.json", "--config", "missing-config.json"}).code == 2);
}

TEST_CASE("cli lint: formats") {
  auto o = lint_cli({"ssh-open.json", "--format", "json"});
  CHECK(o.code == 1);
  auto j = secgroup::json::parse(o.out);
  CHECK(j["failed"] == true);
  o = lint_cli({"ssh-open.json", "clean.json", "--format", "SARIF"});
  CHECK(o.code == 1);
  j = secgroup::json::parse(o.out);
  CHECK(j["version"] == "2.1.0");
  CHECK(j["runs"][0]["artifacts"].size() == 2);
  CHECK(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "ssh-open.json");
  o = lint_cli({"ssh-open.json"});
  CHECK(!has(o.out, "\x1b["));
  o = lint_cli({"ssh-open.json", "--color", "always"});
  CHECK(has(o.out, "\x1b["));
  o = lint_cli({"ssh-open.json", "--no-fix"});
  CHECK(!has(o.out, " fix     "));
  o = lint_cli({"--list-checks"});
  CHECK(o.code == 0);
  CHECK(has(o.out, "SG018"));
  o = lint_cli({"--list-checks", "--format", "json"});
  CHECK(secgroup::json::parse(o.out).size() == secgroup::lint::checks.size());
}

TEST_CASE("cli lint: configuration from --config or ./.secgroup.json") {
  auto o = lint_cli({"ssh-open.json", "--config", "suppress.json"});
  CHECK(o.code == 0);
  CHECK(has(o.err, "suppress.json: suppressions[1]"));
  CHECK(has(o.err, "matched no finding"));
  o = lint_cli({"ssh-open.json", "--config", "suppress.json", "--show-suppressed"});
  CHECK(has(o.out, "the bastion is the SSH entry point"));
  // data/tree/.secgroup.json sets fail_on: critical; the tree holds the SSH bastion.
  const auto tree = data / "tree";
  CHECK(lint_cli({"."}, tree).code == 0);
  CHECK(lint_cli({".", "--no-config"}, tree).code == 1);
  CHECK(lint_cli({".", "--fail-on", "high"}, tree).code == 1);
  o = lint_cli({"."}, tree);
  CHECK(has(o.out, "./a/c.json: bastion"));
  CHECK(has(o.out, "2 groups in 2 files"));
}
