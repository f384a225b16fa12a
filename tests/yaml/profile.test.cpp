// Tests of secgroup/client/profile.hpp: the Scaleway profile in effect, as the official clients
// find it (config file path, profile choice, precedence of file and environment), each value's
// provenance, validation, and redaction of secrets.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <secgroup/client/profile.hpp>
#include <string>

namespace yaml_profile_test {

namespace fs = std::filesystem;
namespace client = secgroup::client;
using client::environment;
using kind = client::provenance::kind;

// Fixed, made-up credentials.
const std::string secret_a = "11111111-2222-4333-8444-555555555555";
const std::string secret_b = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const std::string secret_env = "99999999-8888-4777-8666-555555555555";
const std::string access_a = "SCWAAAAAAAAAAAAAAAAA";
const std::string access_b = "SCWBBBBBBBBBBBBBBBBB";
const std::string project_a = "00000000-0000-4000-8000-00000000000a";
const std::string project_b = "00000000-0000-4000-8000-00000000000b";

/// A fresh directory under the temporary directory, removed by the destructor.
struct scratch {
  fs::path dir;
  explicit scratch(const std::string& name)
      : dir(fs::temp_directory_path() / ("secgroup-profile-test-" + name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  /// Writes `text` to `relative` (mode 0600) and returns its path.
  fs::path write(const std::string& relative, const std::string& text) const {
    const auto p = dir / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    return p;
  }
};

/// A config file with top-level keys, an active profile and two profiles.
std::string config_text() {
  return "access_key: " + access_a + "\n" +                         // line 1
         "secret_key: " + secret_a + "\n" +                         // line 2
         "default_project_id: " + project_a + "\n" +                // line 3
         "default_zone: fr-par-2\n" +                               // line 4
         "active_profile: prod\n" +                                 // line 5
         "profiles:\n" +                                            // line 6
         "  prod:\n" +                                              // line 7
         "    secret_key: " + secret_b + "\n" +                     // line 8
         "    access_key: " + access_b + "\n" +                     // line 9
         "    default_zone: nl-ams-1\n" +                           // line 10
         "  staging:\n" +                                           // line 11
         "    default_project_id: " + project_b + "\n" +            // line 12
         "    insecure: yes\n";                                     // line 13
}

/// The error `fn` throws, as what() reads, or "" when it throws none.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const secgroup::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace yaml_profile_test

using namespace yaml_profile_test;

TEST_CASE("scw profile: the config file path, as the clients find it") {
  using client::find_config_file;
  CHECK(!find_config_file({}));
  auto at = find_config_file({{"HOME", "/home/u"}});
  REQUIRE(at);
  CHECK(at->path == fs::path("/home/u/.config/scw/config.yaml"));
  CHECK(at->source.name == "HOME");
  CHECK(!at->explicit_path);
  at = find_config_file({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "/xdg"}});
  CHECK(at->path == fs::path("/xdg/scw/config.yaml"));
  CHECK(at->source.name == "XDG_CONFIG_HOME");
  // An empty variable is unset here (Go's os.Getenv(...) != "").
  at = find_config_file({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", ""}, {"SCW_CONFIG_PATH", ""}});
  CHECK(at->path == fs::path("/home/u/.config/scw/config.yaml"));
  at = find_config_file({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "/xdg"},
                         {"SCW_CONFIG_PATH", "/etc/scw.yaml"}});
  CHECK(at->path == fs::path("/etc/scw.yaml"));
  CHECK(at->source.name == "SCW_CONFIG_PATH");
  CHECK(at->explicit_path);
  client::profile_options o;
  o.config_path = "/opt/c.yaml";
  at = find_config_file({{"SCW_CONFIG_PATH", "/etc/scw.yaml"}}, o);
  CHECK(at->path == fs::path("/opt/c.yaml"));
  CHECK(at->source.from == kind::option);
}

TEST_CASE("scw profile: nothing configured gives the built-in defaults") {
  const auto p = client::resolve_profile({});
  CHECK(!p.access_key);
  CHECK(!p.secret_key);
  CHECK(!p.default_project_id);
  CHECK(!p.insecure);
  CHECK(p.api_url->value == "https://api.scaleway.com");
  CHECK(p.default_region->value == "fr-par");
  CHECK(p.default_zone->value == "fr-par-1");
  CHECK(p.default_zone->source.from == kind::built_in);
  CHECK(to_string(p.default_zone->source) == "secgroup's default");
  CHECK(p.profile_name == "default");
  CHECK(p.config_file.empty());
  CHECK(p.secrets.empty());
}

TEST_CASE("scw profile: precedence, key by key (later wins)") {
  scratch s("precedence");
  const auto file = s.write("home/.config/scw/config.yaml", config_text());
  const environment home{{"HOME", (s.dir / "home").string()}};
  auto with = [&](environment extra) {
    extra.insert(home.begin(), home.end());
    return client::resolve_profile(extra);
  };

  struct row {
    const char* what;
    environment env;
    std::string secret, secret_from, zone, zone_from, project, project_from, profile;
  };
  const std::string top = "the top level of " + file.string();
  const std::string prod = "profile 'prod' in " + file.string();
  const std::string staging = "profile 'staging' in " + file.string();
  const row rows[] = {
      // active_profile: prod overlays the top level: its keys win, the others stay.
      {"active_profile", {}, secret_b, prod + ":8", "nl-ams-1", prod + ":10", project_a,
       top + ":3", "prod"},
      // SCW_PROFILE beats active_profile.
      {"SCW_PROFILE", {{"SCW_PROFILE", "staging"}}, secret_a, top + ":2", "fr-par-2", top + ":4",
       project_b, staging + ":12", "staging"},
      // SCW_PROFILE=default is the top level alone.
      {"default", {{"SCW_PROFILE", "default"}}, secret_a, top + ":2", "fr-par-2", top + ":4",
       project_a, top + ":3", "default"},
      // An empty SCW_PROFILE is unset: active_profile applies.
      {"empty SCW_PROFILE", {{"SCW_PROFILE", ""}}, secret_b, prod + ":8", "nl-ams-1",
       prod + ":10", project_a, top + ":3", "prod"},
      // Environment variables beat every profile.
      {"environment",
       {{"SCW_SECRET_KEY", secret_env}, {"SCW_DEFAULT_ZONE", "pl-waw-3"}},
       secret_env, "SCW_SECRET_KEY", "pl-waw-3", "SCW_DEFAULT_ZONE", project_a, top + ":3", "prod"},
      // A variable set to "" is set (Go's LookupEnv); validate() refuses it.
      {"empty variable", {{"SCW_DEFAULT_PROJECT_ID", ""}}, secret_b, prod + ":8", "nl-ams-1",
       prod + ":10", "", "SCW_DEFAULT_PROJECT_ID", "prod"},
      // Deprecated names are read after the current ones.
      {"SCW_TOKEN", {{"SCW_TOKEN", secret_env}}, secret_env, "SCW_TOKEN", "nl-ams-1",
       prod + ":10", project_a, top + ":3", "prod"},
      {"SCW_SECRET_KEY over SCW_TOKEN", {{"SCW_TOKEN", secret_b}, {"SCW_SECRET_KEY", secret_env}},
       secret_env, "SCW_SECRET_KEY", "nl-ams-1", prod + ":10", project_a, top + ":3", "prod"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    const auto p = with(r.env);
    CHECK(p.profile_name == r.profile);
    CHECK(p.config_file == file.string());
    REQUIRE(p.secret_key);
    CHECK(p.secret_key->value == r.secret);
    CHECK(to_string(p.secret_key->source) == r.secret_from);
    CHECK(p.default_zone->value == r.zone);
    CHECK(to_string(p.default_zone->source) == r.zone_from);
    REQUIRE(p.default_project_id);
    CHECK(p.default_project_id->value == r.project);
    CHECK(to_string(p.default_project_id->source) == r.project_from);
  }
}

TEST_CASE("scw profile: the profile's chooser and the option beating SCW_PROFILE") {
  scratch s("chooser");
  const auto file = s.write("c.yaml", config_text());
  const environment env{{"SCW_CONFIG_PATH", file.string()}, {"SCW_PROFILE", "staging"}};
  auto p = client::resolve_profile(env);
  CHECK(p.profile_source.from == kind::environment);
  CHECK(to_string(client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}}).profile_source) ==
        "active_profile in " + file.string() + ":5");
  CHECK(to_string(p.profile_source) == "SCW_PROFILE");
  client::profile_options o;
  o.profile = "prod";
  p = client::resolve_profile(env, o);
  CHECK(p.profile_name == "prod");
  CHECK(to_string(p.profile_source) == "--profile");
  p = client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}});
  CHECK(p.profile_name == "prod");
  CHECK(field_of(p.profile_source) == file.string() + ":5: active_profile");
}

TEST_CASE("scw profile: XDG_CONFIG_HOME beats HOME, and config.yml is the fallback") {
  scratch s("xdg");
  s.write("home/.config/scw/config.yaml", "default_zone: nl-ams-2\n");
  s.write("xdg/scw/config.yml", "default_zone: pl-waw-1\n");
  environment env{{"HOME", (s.dir / "home").string()}};
  CHECK(client::resolve_profile(env).default_zone->value == "nl-ams-2");
  env["XDG_CONFIG_HOME"] = (s.dir / "xdg").string();
  auto p = client::resolve_profile(env);
  CHECK(p.default_zone->value == "pl-waw-1");
  CHECK(p.config_file == (s.dir / "xdg" / "scw" / "config.yml").string());
  // An explicit path gets no .yml fallback; a missing file is no error, with a warning.
  env["SCW_CONFIG_PATH"] = (s.dir / "xdg" / "scw" / "config.yaml").string();
  p = client::resolve_profile(env);
  CHECK(p.config_file.empty());
  CHECK(p.default_zone->value == "fr-par-1");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].find("SCW_CONFIG_PATH names ") == 0);
}

TEST_CASE("scw profile: the region follows the zone unless given") {
  auto p = client::resolve_profile({{"SCW_DEFAULT_ZONE", "nl-ams-3"}});
  CHECK(p.default_region->value == "nl-ams");
  CHECK(p.default_region->source.from == kind::derived);
  CHECK(to_string(p.default_region->source) == "default_zone (SCW_DEFAULT_ZONE)");
  p = client::resolve_profile({{"SCW_DEFAULT_ZONE", "nl-ams-3"}, {"SCW_DEFAULT_REGION", "fr-par"}});
  CHECK(p.default_region->value == "fr-par");
  CHECK(p.default_region->source.name == "SCW_DEFAULT_REGION");
  // Go's v1 region names.
  p = client::resolve_profile({{"SCW_DEFAULT_REGION", "ams1"}});
  CHECK(p.default_region->value == "nl-ams");
  CHECK(!p.warnings.empty());
}

TEST_CASE("scw profile: SCW_INSECURE and SCW_TLSVERIFY as Go parses them") {
  CHECK(client::resolve_profile({{"SCW_INSECURE", "true"}}).insecure->value);
  CHECK(client::resolve_profile({{"SCW_INSECURE", "1"}}).insecure->value);
  CHECK(!client::resolve_profile({{"SCW_INSECURE", "F"}}).insecure->value);
  // The deprecated SCW_TLSVERIFY is the inverse.
  const auto p = client::resolve_profile({{"SCW_TLSVERIFY", "false"}});
  CHECK(p.insecure->value);
  CHECK(p.warnings.at(0) == "SCW_TLSVERIFY is deprecated; use SCW_INSECURE instead");
  CHECK(error_of([] { (void)client::resolve_profile({{"SCW_INSECURE", "yes"}}); }) ==
        "[secgroup.validation.207] SCW_INSECURE: invalid boolean 'yes' (expected 1, t, true, "
        "TRUE, True, 0, f, false, FALSE or False)");
  // The file's `insecure` is a YAML 1.1 boolean, as yaml.v2 reads it: `yes` is true there.
  scratch s("insecure");
  const auto file = s.write("c.yaml", config_text());
  CHECK(client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}, {"SCW_PROFILE", "staging"}})
            .insecure->value);
}

TEST_CASE("scw profile: an unknown profile is an error listing the profiles") {
  scratch s("unknown");
  const auto file = s.write("c.yaml", config_text());
  CHECK(error_of([&] {
          (void)client::resolve_profile({{"SCW_CONFIG_PATH", file.string()},
                                         {"SCW_PROFILE", "qa"}});
        }) == "[secgroup.lookup.301] SCW_PROFILE: no profile 'qa' in " + file.string() +
                  " (profiles: default, prod, staging)");
  const auto bad_active = s.write("active.yaml", "active_profile: gone\nprofiles:\n  a: {}\n");
  CHECK(error_of([&] { (void)client::resolve_profile({{"SCW_CONFIG_PATH", bad_active.string()}}); }) ==
        "[secgroup.lookup.301] " + bad_active.string() + ":1: active_profile: no profile 'gone' in " +
            bad_active.string() + " (profiles: default, a)");
  // Without a config file, a named profile cannot exist.
  const auto none = error_of([] { (void)client::resolve_profile({{"SCW_PROFILE", "prod"}}); });
  CHECK(none.find("[secgroup.lookup.301] SCW_PROFILE: no profile 'prod': no config file at ") == 0);
}

TEST_CASE("scw profile: a malformed config file is an error naming file:line") {
  scratch s("malformed");
  auto error_for = [&](const std::string& text) {
    const auto file = s.write("c.yaml", text);
    return error_of([&] { (void)client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}}); });
  };
  const std::string f = (s.dir / "c.yaml").string();
  CHECK(error_for("access_key: x\n secret_key: y\n").find("[secgroup.parse.115] " + f + ":2:") == 0);
  CHECK(error_for("profiles:\n  prod:\n    default_zone: [fr-par-1]\n") ==
        "[secgroup.parse.105] " + f + ":3: profiles.prod.default_zone: expected a string, got a sequence");
  CHECK(error_for("insecure: \"true\"\n") ==
        "[secgroup.parse.105] " + f + ":1: insecure: expected a boolean (true or false, unquoted), got 'true'");
  CHECK(error_for("- a\n- b\n") ==
        "[secgroup.parse.105] " + f + ":1: the config file must be a mapping of keys to values");
  CHECK(error_for("profiles: [a]\n") ==
        "[secgroup.parse.105] " + f + ":1: profiles: expected a mapping of profile names to profiles");
  CHECK(error_for("default_zone: a\ndefault_zone: b\n") ==
        "[secgroup.parse.115] " + f + ":2: default_zone: key 'default_zone' is repeated");
  // Unknown keys are ignored, as Go ignores them; numbers are read as their text.
  const auto file = s.write("ok.yaml", "colour: blue\nsend_telemetry: false\nuser_agent: 42\n");
  CHECK(client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}}).user_agent->value == "42");
  // A directory is not readable as a file.
  CHECK(error_of([&] { (void)client::resolve_profile({{"SCW_CONFIG_PATH", s.dir.string()}}); })
            .find("[secgroup.parse.109] " + s.dir.string()) == 0);
}

TEST_CASE("scw profile: a config file readable by others is read, with a warning") {
  scratch s("perms");
  const auto file = s.write("c.yaml", "default_zone: nl-ams-1\n");
  fs::permissions(file, fs::perms::group_read, fs::perm_options::add);
  const auto p = client::resolve_profile({{"SCW_CONFIG_PATH", file.string()}});
  CHECK(p.default_zone->value == "nl-ams-1");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].find("permissions are not 0600") != std::string::npos);
}

TEST_CASE("scw profile: validation names the setting and its origin, never the secret") {
  scratch s("validate");
  const auto file = s.write("c.yaml", config_text());
  const environment base{{"SCW_CONFIG_PATH", file.string()}};
  auto refusal = [&](environment extra) {
    extra.insert(base.begin(), base.end());
    return error_of([&] { client::validate(client::resolve_profile(extra)); });
  };
  CHECK(refusal({}) == "");
  CHECK(refusal({{"SCW_DEFAULT_ZONE", "fr-par-9"}}) ==
        "[secgroup.validation.207] SCW_DEFAULT_ZONE: zone 'fr-par-9' is not an Instance zone "
        "(zones: fr-par-1, fr-par-2, fr-par-3, nl-ams-1, nl-ams-2, nl-ams-3, pl-waw-1, pl-waw-2, "
        "pl-waw-3, it-mil-1)");
  CHECK(refusal({{"SCW_DEFAULT_ZONE", "paris"}}).find("zone 'paris' is no zone name") !=
        std::string::npos);
  CHECK(refusal({{"SCW_DEFAULT_REGION", "us-east"}})
            .find("region 'us-east' has no Instance zones") != std::string::npos);
  CHECK(refusal({{"SCW_DEFAULT_PROJECT_ID", "my-project"}}) ==
        "[secgroup.validation.207] SCW_DEFAULT_PROJECT_ID: project ID 'my-project' is not a UUID "
        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
  CHECK(refusal({{"SCW_DEFAULT_PROJECT_ID", ""}}).find("project ID is empty") !=
        std::string::npos);
  CHECK(refusal({{"SCW_ACCESS_KEY", "scwlower"}}).find(
            "[secgroup.validation.207] SCW_ACCESS_KEY: access key 'scwlower' is not SCW followed") ==
        0);
  CHECK(refusal({{"SCW_API_URL", "https://api.example.test/"}}).find("ends with a slash") !=
        std::string::npos);
  CHECK(refusal({{"SCW_API_URL", "ftp://x"}}).find("not an http:// or https:// URL") !=
        std::string::npos);
  CHECK(refusal({{"SCW_API_URL", "http://127.0.0.1:8080"}}) == "");
  CHECK(refusal({{"SCW_USER_AGENT", "bad\tagent"}}).find("printable ASCII") !=
        std::string::npos);

  // A secret key that is no UUID: the message names it by origin and length, never by value.
  const std::string not_uuid = "my-very-secret-password";
  auto e = refusal({{"SCW_SECRET_KEY", not_uuid}});
  CHECK(e.find("[secgroup.validation.207] SCW_SECRET_KEY: secret key is not a UUID") == 0);
  CHECK(e.find(not_uuid) == std::string::npos);
  // A secret key pasted as the access key is not printed either.
  e = refusal({{"SCW_ACCESS_KEY", secret_env}});
  CHECK(e.find("(a UUID, not shown: is it a secret key?)") != std::string::npos);
  CHECK(e.find(secret_env) == std::string::npos);
  // From the file, the field is file:line and key, the message says which profile.
  const auto bad_file = s.write("bad.yaml", "profiles:\n  p:\n    secret_key: " + access_a +
                                                "\n    access_key: " + access_a + "\n");
  e = error_of([&] {
    client::validate(client::resolve_profile({{"SCW_CONFIG_PATH", bad_file.string()},
                                              {"SCW_PROFILE", "p"}}));
  });
  CHECK(e.find("[secgroup.validation.207] " + bad_file.string() +
               ":3: profiles.p.secret_key: secret key is not a UUID") == 0);
  CHECK(e.find("(from profile 'p' in " + bad_file.string() + ":3)") != std::string::npos);
  CHECK(e.find(access_a) == std::string::npos);  // it was the secret here: redacted
}

TEST_CASE("scw profile: credentials are required together") {
  CHECK(error_of([] { client::validate(client::resolve_profile({})); }).find(
            "[secgroup.validation.207] SCW_SECRET_KEY: no secret key") == 0);
  CHECK(error_of([] { client::validate(client::resolve_profile({}), false); }) == "");
  CHECK(error_of([] {
          client::validate(client::resolve_profile({{"SCW_SECRET_KEY", secret_env}}));
        }).find("[secgroup.validation.207] SCW_ACCESS_KEY: no access key") == 0);
  CHECK(error_of([] {
          client::validate(client::resolve_profile(
              {{"SCW_SECRET_KEY", secret_env}, {"SCW_ACCESS_KEY", access_a}}));
        }) == "");
}

TEST_CASE("scw profile: redact() removes every known secret") {
  scratch s("redact");
  const auto file = s.write("c.yaml", config_text());
  const auto p = client::resolve_profile({{"SCW_CONFIG_PATH", file.string()},
                                          {"SCW_SECRET_KEY", secret_env}});
  // The environment's, the chosen profile's, and the other profiles' secrets.
  CHECK(p.secrets.size() == 3);
  const std::string log = "token " + secret_env + " then " + secret_a + ", " + secret_b +
                          " and upper " + std::string("AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE");
  const auto clean = client::redact(log, p);
  CHECK(clean == "token [REDACTED] then [REDACTED], [REDACTED] and upper [REDACTED]");
  // Access keys are identifiers, not secrets: they stay.
  CHECK(client::redact(access_a, p) == access_a);
  // Empty secrets are skipped; a secret inside a word is still removed.
  const std::vector<std::string> secrets{"", "abc"};
  CHECK(client::redact("xabcx abc", secrets) ==
        "x" + std::string(client::redacted_secret) + "x " + std::string(client::redacted_secret));
  // A secret holding characters that error messages escape is removed in that form too.
  const std::vector<std::string> odd{"se\ncret"};
  const secgroup::error err("secgroup.test", "", "token " + odd[0]);
  const auto clean_error = client::redact(err.what(), odd);
  CHECK(std::string(err.what()).find("cret") != std::string::npos);
  CHECK(clean_error.find("cret") == std::string::npos);
  CHECK(clean_error == "[secgroup.test] token " + std::string(client::redacted_secret));
}

TEST_CASE("scw profile: zone and region names") {
  CHECK(secgroup::instance_zones().size() == 10);
  CHECK(secgroup::instance_zones().front() == "fr-par-1");
  CHECK(secgroup::instance_zones().back() == "it-mil-1");
  CHECK(secgroup::instance_regions().size() == 4);
  for (auto z : secgroup::instance_zones()) {
    CHECK(secgroup::is_zone_name(z));
    CHECK(secgroup::is_instance_region(*secgroup::region_of_zone(z)));
  }
  CHECK(secgroup::is_zone_name("xx-abcdefg-12"));
  CHECK(!secgroup::is_zone_name("xx-abcdefgh-1"));
  CHECK(!secgroup::is_zone_name("fr-par-123"));
  CHECK(!secgroup::is_zone_name("FR-par-1"));
  CHECK(!secgroup::is_zone_name("fr-par"));
  CHECK(secgroup::is_region_name("fr-par"));
  CHECK(!secgroup::is_region_name("fr-pa"));
  CHECK(!secgroup::region_of_zone("fr-par"));
  CHECK(secgroup::is_uuid("ABCDEF01-2345-6789-abcd-ef0123456789"));
  CHECK(!secgroup::is_uuid("ABCDEF01-2345-6789-abcd-ef012345678"));
  CHECK(!secgroup::is_uuid("ABCDEF0123456789abcdef0123456789"));
  CHECK(client::is_access_key("SCW0123456789ABCDEFG"));
  CHECK(!client::is_access_key("SCW0123456789ABCDEFg"));
  CHECK(!client::is_access_key("SCX0123456789ABCDEFG"));
}
