#pragma once
// Intrinsic functions of the JSONPath query language ("States.Format('{}', $.x)").
// Parsed once when a definition is validated, evaluated per state visit.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

struct IntrinsicExpr {
  enum class Kind { Call, Literal, Path };
  Kind kind = Kind::Literal;
  std::string name;                 // Call: "States.Format"
  std::vector<IntrinsicExpr> args;  // Call
  Json literal;                     // Literal (strings are unescaped)
  std::string raw;                  // Literal strings: text between the quotes, escapes kept
  std::string path;                 // Path: "$.x" or "$$.Execution.Id"
};

// True for text that names an intrinsic ("States.X(...)"): the value of a ".$" field is
// either this or a path.
bool is_intrinsic_call(std::string_view text);

// Parses a call; fails (code "InvalidIntrinsic") on syntax errors, unknown functions and
// wrong argument counts, which AWS reports when the definition is created.
Result<IntrinsicExpr> parse_intrinsic(std::string_view text);

// Evaluates a parsed call. Failures have code "States.Runtime" and the message AWS puts
// after the state prefix: "The function 'States.X(...)' had the following error: ...".
Result<Json> evaluate_intrinsic(const IntrinsicExpr& expr, std::string_view text, const Json& input,
                                const Json& context);

// Parses and evaluates in one step (for callers that did not keep the parse).
Result<Json> evaluate_intrinsic_text(std::string_view text, const Json& input, const Json& context);

// Digests States.Hash supports: MD5, SHA-1, SHA-256, SHA-384, SHA-512 (hex, lower case).
Result<std::string> hash_hex(std::string_view data, std::string_view algorithm);

}  // namespace sluice::services::sfn
