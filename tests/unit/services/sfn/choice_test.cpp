#include <gtest/gtest.h>

#include "sluice/services/sfn/asl.hpp"
#include "sluice/services/sfn/data_flow.hpp"

namespace sluice::services::sfn {
namespace {

const Json kInput = Json::parse(R"({
  "s": "banana", "n": 10, "f": 2.5, "b": true, "z": null,
  "t": "2024-03-01T10:00:00Z", "t2": "2024-03-01T10:00:00.500Z",
  "other": {"s": "banana", "n": 11, "b": false, "t": "2024-01-01T00:00:00Z"}
})");
const Json kContext = Json::parse(R"({"State": {"Name": "C"}})");

// Builds a one-rule Choice state through the real parser so the rule is validated too.
bool match(const std::string& rule_json) {
  std::string def = R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[)" + rule_json +
                    R"(],"Default":"D"},"Y":{"Type":"Succeed"},"D":{"Type":"Succeed"}}})";
  // every rule needs a Next at the top level
  auto parsed = asl::parse_definition(def);
  EXPECT_TRUE(parsed.ok()) << rule_json << ": "
                           << asl::invalid_definition_message(parsed.diagnostics);
  if (!parsed.ok()) return false;
  const auto& state = parsed.definition->states.at("C");
  auto r = jsonpath_language().matches(state.choices.at(0), kInput, kContext);
  EXPECT_TRUE(r.ok()) << rule_json << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() && *r;
}

std::string rule(const std::string& var, const std::string& op, const std::string& operand) {
  return R"({"Variable":")" + var + R"(",")" + op + R"(":)" + operand + R"(,"Next":"Y"})";
}

TEST(Choice, string_operators) {
  EXPECT_TRUE(match(rule("$.s", "StringEquals", R"("banana")")));
  EXPECT_FALSE(match(rule("$.s", "StringEquals", R"("apple")")));
  EXPECT_TRUE(match(rule("$.s", "StringLessThan", R"("cherry")")));
  EXPECT_TRUE(match(rule("$.s", "StringGreaterThan", R"("apple")")));
  EXPECT_TRUE(match(rule("$.s", "StringLessThanEquals", R"("banana")")));
  EXPECT_TRUE(match(rule("$.s", "StringGreaterThanEquals", R"("banana")")));
  EXPECT_FALSE(match(rule("$.n", "StringEquals", R"("10")")));  // type mismatch: no match
}

TEST(Choice, string_path_operators_compare_with_another_value) {
  EXPECT_TRUE(match(rule("$.s", "StringEqualsPath", R"("$.other.s")")));
  EXPECT_FALSE(match(rule("$.s", "StringLessThanPath", R"("$.other.s")")));
  EXPECT_FALSE(match(rule("$.s", "StringGreaterThanPath", R"("$.other.s")")));
  EXPECT_TRUE(match(rule("$.s", "StringLessThanEqualsPath", R"("$.other.s")")));
  EXPECT_TRUE(match(rule("$.s", "StringGreaterThanEqualsPath", R"("$.other.s")")));
  EXPECT_TRUE(match(rule("$$.State.Name", "StringEquals", R"("C")")));
}

TEST(Choice, string_matches_wildcards_and_escapes) {
  EXPECT_TRUE(match(rule("$.s", "StringMatches", R"("b*a")")));
  EXPECT_TRUE(match(rule("$.s", "StringMatches", R"("*nan*")")));
  EXPECT_FALSE(match(rule("$.s", "StringMatches", R"("b*x")")));
  EXPECT_TRUE(string_matches("log*.txt", "log\\*.txt"));
  EXPECT_FALSE(string_matches("logs.txt", "log\\*.txt"));
  EXPECT_TRUE(string_matches("a\\b", "a\\\\b"));
  EXPECT_TRUE(string_matches("", "*"));
}

TEST(Choice, numeric_operators_and_paths) {
  EXPECT_TRUE(match(rule("$.n", "NumericEquals", "10")));
  EXPECT_TRUE(match(rule("$.n", "NumericEquals", "10.0")));
  EXPECT_TRUE(match(rule("$.f", "NumericLessThan", "3")));
  EXPECT_TRUE(match(rule("$.n", "NumericGreaterThan", "9.5")));
  EXPECT_TRUE(match(rule("$.n", "NumericLessThanEquals", "10")));
  EXPECT_TRUE(match(rule("$.n", "NumericGreaterThanEquals", "10")));
  EXPECT_FALSE(match(rule("$.s", "NumericEquals", "10")));
  EXPECT_FALSE(match(rule("$.n", "NumericEqualsPath", R"("$.other.n")")));
  EXPECT_TRUE(match(rule("$.n", "NumericLessThanPath", R"("$.other.n")")));
  EXPECT_FALSE(match(rule("$.n", "NumericGreaterThanPath", R"("$.other.n")")));
  EXPECT_TRUE(match(rule("$.n", "NumericLessThanEqualsPath", R"("$.other.n")")));
  EXPECT_FALSE(match(rule("$.n", "NumericGreaterThanEqualsPath", R"("$.other.n")")));
}

TEST(Choice, boolean_operators) {
  EXPECT_TRUE(match(rule("$.b", "BooleanEquals", "true")));
  EXPECT_FALSE(match(rule("$.b", "BooleanEqualsPath", R"("$.other.b")")));
  EXPECT_FALSE(match(rule("$.s", "BooleanEquals", "true")));
}

TEST(Choice, timestamp_operators_compare_instants) {
  EXPECT_TRUE(match(rule("$.t", "TimestampEquals", R"("2024-03-01T11:00:00+01:00")")));
  EXPECT_TRUE(match(rule("$.t", "TimestampLessThan", R"("2024-03-01T10:00:00.001Z")")));
  EXPECT_TRUE(match(rule("$.t2", "TimestampGreaterThan", R"("2024-03-01T10:00:00Z")")));
  EXPECT_TRUE(match(rule("$.t", "TimestampLessThanEquals", R"("2024-03-01T10:00:00Z")")));
  EXPECT_TRUE(match(rule("$.t", "TimestampGreaterThanEquals", R"("2024-03-01T10:00:00Z")")));
  EXPECT_FALSE(match(rule("$.t", "TimestampEqualsPath", R"("$.other.t")")));
  EXPECT_TRUE(match(rule("$.t", "TimestampGreaterThanPath", R"("$.other.t")")));
  EXPECT_FALSE(match(rule("$.t", "TimestampLessThanPath", R"("$.other.t")")));
  EXPECT_TRUE(match(rule("$.t", "TimestampGreaterThanEqualsPath", R"("$.other.t")")));
  EXPECT_FALSE(match(rule("$.t", "TimestampLessThanEqualsPath", R"("$.other.t")")));
  EXPECT_FALSE(match(rule("$.s", "TimestampEquals", R"("2024-03-01T10:00:00Z")")));
}

TEST(Choice, type_tests) {
  EXPECT_TRUE(match(rule("$.z", "IsNull", "true")));
  EXPECT_TRUE(match(rule("$.s", "IsNull", "false")));
  EXPECT_TRUE(match(rule("$.s", "IsPresent", "true")));
  EXPECT_TRUE(match(rule("$.missing", "IsPresent", "false")));
  EXPECT_TRUE(match(rule("$.f", "IsNumeric", "true")));
  EXPECT_TRUE(match(rule("$.s", "IsString", "true")));
  EXPECT_TRUE(match(rule("$.b", "IsBoolean", "true")));
  EXPECT_TRUE(match(rule("$.t", "IsTimestamp", "true")));
  EXPECT_FALSE(match(rule("$.s", "IsTimestamp", "true")));
}

TEST(Choice, and_or_not_combine_rules) {
  EXPECT_TRUE(match(R"({"And":[{"Variable":"$.n","NumericGreaterThan":5},
                              {"Variable":"$.s","StringEquals":"banana"}],"Next":"Y"})"));
  EXPECT_FALSE(match(R"({"And":[{"Variable":"$.n","NumericGreaterThan":50},
                               {"Variable":"$.s","StringEquals":"banana"}],"Next":"Y"})"));
  EXPECT_TRUE(match(R"({"Or":[{"Variable":"$.n","NumericGreaterThan":50},
                             {"Variable":"$.s","StringEquals":"banana"}],"Next":"Y"})"));
  EXPECT_TRUE(match(R"({"Not":{"Variable":"$.s","StringEquals":"apple"},"Next":"Y"})"));
}

TEST(Choice, a_missing_variable_is_a_runtime_error) {
  auto parsed = asl::parse_definition(
      R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.nope",
         "StringEquals":"x","Next":"Y"}]},"Y":{"Type":"Succeed"}}})");
  ASSERT_TRUE(parsed.ok());
  auto r = jsonpath_language().choose(parsed.definition->states.at("C"), kInput, kContext);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "States.Runtime");
  EXPECT_EQ(r.error().message,
            "Invalid path '$.nope': The choice state's condition path references an invalid "
            "value.");
}

TEST(Choice, no_match_and_no_default_yields_an_empty_next) {
  auto parsed = asl::parse_definition(
      R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n",
         "NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}})");
  ASSERT_TRUE(parsed.ok());
  auto r = jsonpath_language().choose(parsed.definition->states.at("C"), kInput, kContext);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

}  // namespace
}  // namespace sluice::services::sfn
