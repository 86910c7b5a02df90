#pragma once
// Data values flowing through executions. AWS keeps the key order of the JSON it is
// given (Jackson), so the engine uses nlohmann's insertion-ordered JSON for user data.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sluice::services::sfn {

using Json = nlohmann::ordered_json;

// Deep equality as AWS compares JSON values: objects regardless of key order, numbers by
// value (1 equals 1.0).
bool json_equal(const Json& a, const Json& b);

// Compact JSON text, the form AWS puts in history events and execution output.
std::string to_text(const Json& v);

// Parses JSON text; false when it is not a single valid JSON value.
bool parse_json(std::string_view text, Json& out);

}  // namespace sluice::services::sfn
