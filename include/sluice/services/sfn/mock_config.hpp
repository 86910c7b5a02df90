#pragma once
// Mocked service integrations in the Step Functions Local mock configuration format:
//
//   {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<state>": "<mock>"}}}},
//    "MockedResponses": {"<mock>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..,
//                                                                   "Cause": ..}}}}}
//
// An execution started with stateMachineArn "<arn>#<case>" answers the Task states the
// case names with the mocked responses, by call number (0 for the first call of that
// state in the execution, retries included).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

struct MockResponse {
  bool is_throw = false;
  Json value;                // Return
  std::string error, cause;  // Throw
};

class MockConfig {
 public:
  // Fails (code "InvalidMockConfig") with what is wrong.
  static Result<MockConfig> parse(const std::string& text);

  bool empty() const { return cases_.empty(); }
  bool has_case(const std::string& machine, const std::string& test_case) const;
  // True when the case mocks `state`.
  bool mocks_state(const std::string& machine, const std::string& test_case,
                   const std::string& state) const;
  // The response for the `call`-th call (0-based) of `state`; beyond the last defined
  // call number the last response repeats.
  std::optional<MockResponse> response(const std::string& machine, const std::string& test_case,
                                       const std::string& state, int call) const;

 private:
  struct Range {
    int first = 0, last = 0;
    MockResponse response;
  };
  // machine -> case -> state -> mocked response name
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> cases_;
  std::map<std::string, std::vector<Range>> responses_;
};

}  // namespace sluice::services::sfn
