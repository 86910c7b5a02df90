#pragma once
// The member constraints of the Step Functions model (lengths, ranges, enums), checked
// before the operation runs and reported as AWS does: one ValidationException listing
// every violation ("2 validation errors detected: ...; ...").
#include <optional>
#include <string>
#include <vector>

#include "sluice/api/service.hpp"

namespace sluice::api::sfn {

struct Rule {
  enum class Kind { String, Sensitive, SensitiveData, Integer, Number, Enum };
  const char* field;
  Kind kind;
  long long min = 0;
  long long max = 0;
  std::vector<std::string> values = {};  // Enum
};

// nullopt when every present member satisfies its rule.
std::optional<Error> check_rules(const Json& input, const std::vector<Rule>& rules);

// Tags: keys 1-128 and values 0-256 characters, reported at "tags.N.member.key".
void check_tags(const Json& tags, std::vector<std::string>& violations);

Error validation_error(const std::vector<std::string>& violations);

}  // namespace sluice::api::sfn
