// Step Functions Local mock configuration (see mock_config.hpp).
#include "sluice/services/sfn/mock_config.hpp"

#include <algorithm>
#include <charconv>

namespace sluice::services::sfn {

namespace {

Error bad(const std::string& message) {
  return Error::sender("InvalidMockConfig", message);
}

bool parse_int(const std::string& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

}  // namespace

Result<MockConfig> MockConfig::parse(const std::string& text) {
  MockConfig cfg;
  Json root;
  if (!parse_json(text, root) || !root.is_object())
    return bad("The mock configuration is not a JSON object.");
  auto machines = root.find("StateMachines");
  auto responses = root.find("MockedResponses");
  if (responses != root.end()) {
    if (!responses->is_object()) return bad("MockedResponses must be an object.");
    for (const auto& [name, calls] : responses->items()) {
      if (!calls.is_object()) return bad("MockedResponses." + name + " must be an object.");
      std::vector<Range> ranges;
      for (const auto& [key, spec] : calls.items()) {
        Range r;
        auto dash = key.find('-');
        if (dash == std::string::npos) {
          if (!parse_int(key, r.first)) return bad("Bad call number '" + key + "' in " + name);
          r.last = r.first;
        } else if (!parse_int(key.substr(0, dash), r.first) ||
                   !parse_int(key.substr(dash + 1), r.last) || r.last < r.first) {
          return bad("Bad call range '" + key + "' in " + name);
        }
        if (!spec.is_object())
          return bad("MockedResponses." + name + "." + key + " must be an object.");
        if (auto ret = spec.find("Return"); ret != spec.end()) {
          r.response.value = *ret;
        } else if (auto th = spec.find("Throw"); th != spec.end()) {
          r.response.is_throw = true;
          if (!th->is_object()) return bad("Throw in " + name + " must be an object.");
          r.response.error = th->value("Error", "");
          r.response.cause = th->value("Cause", "");
        } else {
          return bad("MockedResponses." + name + "." + key + " needs Return or Throw.");
        }
        ranges.push_back(std::move(r));
      }
      std::sort(ranges.begin(), ranges.end(),
                [](const Range& a, const Range& b) { return a.first < b.first; });
      cfg.responses_[name] = std::move(ranges);
    }
  }
  if (machines != root.end()) {
    if (!machines->is_object()) return bad("StateMachines must be an object.");
    for (const auto& [machine, spec] : machines->items()) {
      auto cases = spec.find("TestCases");
      if (cases == spec.end() || !cases->is_object())
        return bad("StateMachines." + machine + ".TestCases must be an object.");
      for (const auto& [test_case, states] : cases->items()) {
        if (!states.is_object()) return bad("Test case " + test_case + " must be an object.");
        auto& dst = cfg.cases_[machine][test_case];
        for (const auto& [state, mock] : states.items()) {
          if (!mock.is_string()) return bad("The mock for " + state + " must be a name.");
          if (!cfg.responses_.count(mock.get<std::string>()))
            return bad("Test case " + test_case + " names an unknown mocked response '" +
                       mock.get<std::string>() + "'.");
          dst[state] = mock.get<std::string>();
        }
      }
    }
  }
  return cfg;
}

bool MockConfig::has_case(const std::string& machine, const std::string& test_case) const {
  auto m = cases_.find(machine);
  return m != cases_.end() && m->second.count(test_case);
}

bool MockConfig::mocks_state(const std::string& machine, const std::string& test_case,
                             const std::string& state) const {
  auto m = cases_.find(machine);
  if (m == cases_.end()) return false;
  auto c = m->second.find(test_case);
  return c != m->second.end() && c->second.count(state);
}

std::optional<MockResponse> MockConfig::response(const std::string& machine,
                                                 const std::string& test_case,
                                                 const std::string& state, int call) const {
  if (!mocks_state(machine, test_case, state)) return std::nullopt;
  const auto& name = cases_.at(machine).at(test_case).at(state);
  const auto& ranges = responses_.at(name);
  if (ranges.empty()) return std::nullopt;
  for (const auto& r : ranges)
    if (call >= r.first && call <= r.last) return r.response;
  return ranges.back().response;
}

}  // namespace sluice::services::sfn
