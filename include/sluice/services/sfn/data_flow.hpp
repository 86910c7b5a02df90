#pragma once
// Input and output processing of a state, and Choice rules. This is the query-language
// seam: the interpreter asks a QueryLanguage to turn a state's raw input into what its
// work sees and the work's result into the state's output. JSONPath is the only
// implementation today; JSONata would be a second one behind the same interface.
#include <memory>
#include <string>

#include "sluice/common/result.hpp"
#include "sluice/services/sfn/asl.hpp"
#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

// Failures carry the AWS error name in `code` ("States.Runtime",
// "States.ResultPathMatchFailure") and the cause text in `message`; the interpreter
// prefixes States.Runtime causes with "An error occurred while executing the state...".
class QueryLanguage {
 public:
  virtual ~QueryLanguage() = default;
  // InputPath (Pass, Task, Choice, Wait, Succeed, Parallel, Map).
  virtual Result<Json> input(const asl::PathField& input_path, const Json& raw,
                             const Json& context) const = 0;
  // Parameters / ResultSelector / ItemSelector payload templates.
  virtual Result<Json> payload(const Json& tmpl, const Json& input, const Json& context) const = 0;
  // ResultPath: merges the result into the state's raw input.
  virtual Result<Json> result(const asl::PathField& result_path, const Json& raw,
                              const Json& result) const = 0;
  // OutputPath.
  virtual Result<Json> output(const asl::PathField& output_path, const Json& value,
                              const Json& context) const = 0;
  // A path-valued field (SecondsPath, ItemsPath, ErrorPath, ...).
  virtual Result<Json> path(const std::string& path, const Json& input,
                            const Json& context) const = 0;
  // Choice: the Next of the first matching rule, "" when none matches.
  virtual Result<std::string> choose(const asl::State& choice, const Json& input,
                                     const Json& context) const = 0;
  // One rule (exposed for tests).
  virtual Result<bool> matches(const asl::ChoiceRule& rule, const Json& input,
                               const Json& context) const = 0;
};

const QueryLanguage& jsonpath_language();

// StringMatches: '*' matches any run of characters; "\*" and "\\" are literal.
bool string_matches(const std::string& value, const std::string& pattern);

}  // namespace sluice::services::sfn
