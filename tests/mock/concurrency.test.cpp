// Many threads calling one router and store at once: every call succeeds as if alone, and the
// final state is exactly what the calls add up to (counts, positions 1..N, unique ids, a
// snapshot that restores). Fixed seeds; run under -fsanitize=thread to look for data races.
#include "fixture.hpp"

#include <atomic>
#include <map>
#include <random>
#include <thread>

using namespace mock_test;

namespace {

json random_rule(std::mt19937& rng) {
  static const char* const protocols[] = {"TCP", "udp", "ICMP", "any"};
  json r = {{"protocol", protocols[rng() % 4]},
            {"direction", rng() % 2 ? "inbound" : "outbound"},
            {"action", rng() % 2 ? "accept" : "drop"},
            {"ip_range", "10." + std::to_string(rng() % 256) + ".0.0/16"}};
  if (rng() % 2) r["dest_port_from"] = 1 + rng() % 1000;
  if (rng() % 3 == 0) r["position"] = rng() % 5;
  return r;
}

/// The user rules of a rule list response.
std::vector<json> user_rules(const mock::response& r) {
  std::vector<json> out;
  auto body = body_of(r);
  for (const auto& rule : body["rules"])
    if (rule["editable"] == true) out.push_back(rule);
  return out;
}

}  // namespace

TEST_CASE("concurrent calls from many threads never corrupt the store", "[mock][threads]") {
  constexpr int threads = 8;
  constexpr int steps = 250;
  mock::store store({secgroup::instance_zones(), mock::stepping_clock(t0()),
                     mock::seeded_id_generator(2026)});
  mock::router api(store);
  const auto shared = store.create_group(zone, [] {
    mock::group_spec s;
    s.name = "shared";
    s.project = project_a;
    return s;
  }()).id;
  const std::string shared_rules = base + "/" + shared + "/rules";

  std::atomic<int> failures{0}, shared_count{0};
  std::vector<std::map<std::string, std::size_t>> owned(threads);  // group id -> user rules
  auto expect = [&](const mock::response& r, int status) {
    if (r.status != status) ++failures;
    return r.status == status;
  };

  auto worker = [&](int t) {
    std::mt19937 rng(static_cast<unsigned>(1000 + t));
    auto& mine = owned[t];
    std::vector<std::string> my_shared_rules;
    auto pick = [&]() -> std::string {
      auto it = mine.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % mine.size()));
      return it->first;
    };
    for (int step = 0; step < steps; ++step) {
      auto op = mine.empty() ? 0u : rng() % 11;
      switch (op) {
        case 0: {
          auto r = api.call("POST", base, json{{"name", "t" + std::to_string(t)},
                                               {"project", project_a},
                                               {"project_default", rng() % 4 == 0}}
                                              .dump());
          if (expect(r, 201)) mine[body_of(r)["security_group"]["id"].get<std::string>()] = 0;
          break;
        }
        case 1:
        case 2: {
          auto g = pick();
          if (expect(api.call("POST", base + "/" + g + "/rules", random_rule(rng).dump()), 201))
            ++mine[g];
          break;
        }
        case 3: {
          auto r = api.call("POST", shared_rules, random_rule(rng).dump());
          if (expect(r, 201)) {
            my_shared_rules.push_back(body_of(r)["rule"]["id"].get<std::string>());
            ++shared_count;
          }
          break;
        }
        case 4: {
          if (my_shared_rules.empty()) break;
          auto id = my_shared_rules.back();
          my_shared_rules.pop_back();
          if (expect(api.call("DELETE", shared_rules + "/" + id), 204)) --shared_count;
          break;
        }
        case 5: {
          auto g = pick();
          auto rules = user_rules(api.call("GET", base + "/" + g + "/rules"));
          if (rules.size() != mine[g]) ++failures;
          if (rules.empty()) break;
          auto victim = rules[rng() % rules.size()]["id"].get<std::string>();
          if (expect(api.call("DELETE", base + "/" + g + "/rules/" + victim), 204)) --mine[g];
          break;
        }
        case 6: {
          auto g = pick();
          json body = {{"rules", json::array()}};
          auto n = rng() % 5;
          for (unsigned i = 0; i < n; ++i) body["rules"].push_back(random_rule(rng));
          if (expect(api.call("PUT", base + "/" + g + "/rules", body.dump()), 200)) mine[g] = n;
          break;
        }
        case 7: {
          auto g = pick();
          expect(api.call("PATCH", base + "/" + g,
                          json{{"name", "n" + std::to_string(rng() % 3)},
                               {"project_default", rng() % 2 == 0}}
                              .dump()),
                 200);
          break;
        }
        case 8: {
          auto g = pick();
          auto rules = user_rules(api.call("GET", base + "/" + g + "/rules"));
          if (rules.empty()) break;
          auto id = rules[rng() % rules.size()]["id"].get<std::string>();
          expect(api.call("PATCH", base + "/" + g + "/rules/" + id,
                          json{{"position", 1 + rng() % 6}}.dump()),
                 200);
          break;
        }
        case 9: {
          auto r = api.call("GET", base + "?per_page=7&page=" + std::to_string(1 + rng() % 4));
          expect(r, 200);
          if (rng() % 8 == 0) (void)store.snapshot();
          break;
        }
        case 10: {
          auto g = pick();
          if (expect(api.call("DELETE", base + "/" + g), 204)) mine.erase(g);
          break;
        }
      }
    }
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& th : pool) th.join();

  CHECK(failures == 0);
  std::size_t alive = 1;
  for (const auto& mine : owned) {
    for (const auto& [id, count] : mine) {
      auto rules = user_rules(api.call("GET", base + "/" + id + "/rules"));
      CHECK(rules.size() == count);
      for (std::size_t i = 0; i < rules.size(); ++i) CHECK(rules[i]["position"] == i + 1);
    }
    alive += mine.size();
  }
  CHECK(store.size() == alive);
  auto shared_list = user_rules(api.call("GET", shared_rules));
  CHECK(shared_list.size() == static_cast<std::size_t>(shared_count.load()));
  for (std::size_t i = 0; i < shared_list.size(); ++i) CHECK(shared_list[i]["position"] == i + 1);

  std::size_t defaults = 0;
  for (const auto& g : store.groups()) defaults += g.project_default ? 1 : 0;
  CHECK(defaults <= 1);  // one project, one zone

  mock::store copy(test_options());
  REQUIRE_NOTHROW(copy.restore(store.snapshot()));  // ids unique, every field valid
  CHECK(copy.groups() == store.groups());
}
