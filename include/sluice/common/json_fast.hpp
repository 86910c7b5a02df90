#pragma once
// A JSON reader and writer for request and response bodies, faster per byte than
// nlohmann's lexer and serializer (bench/perf-findings.md, section 2, items 1-2) and
// producing exactly what they produce: the same nlohmann::json value from json_parse as
// Json::parse(text, nullptr, false), the same text from json_dump as
// dump(-1, ' ', false, error_handler_t::replace). tests/unit/common/json_fast_test.cpp
// checks both differentially against nlohmann.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sluice {

// Deeper documents are refused (nlohmann has no limit; no AWS request nests this deep).
inline constexpr int kJsonMaxDepth = 512;

// The parsed value, or a discarded value (is_discarded()) if `text` is not one valid JSON
// text (RFC 8259, UTF-8, optional leading BOM as nlohmann accepts it) or nests deeper than
// kJsonMaxDepth.
nlohmann::json json_parse(std::string_view text);

// Compact serialization, appended to `out`. Invalid UTF-8 in strings is replaced by U+FFFD
// the way nlohmann's error_handler_t::replace does.
void json_dump(const nlohmann::json& value, std::string& out);
std::string json_dump(const nlohmann::json& value);

}  // namespace sluice
