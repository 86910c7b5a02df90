#include <gtest/gtest.h>

#include "sluice/services/sfn/asl.hpp"

namespace sluice::services::sfn::asl {
namespace {

std::vector<Diagnostic> errors(const std::string& def, ParseOptions opts = {}) {
  auto p = parse_definition(def, opts);
  std::vector<Diagnostic> out;
  for (auto& d : p.diagnostics)
    if (d.severity == "ERROR") out.push_back(d);
  EXPECT_EQ(p.ok(), out.empty());
  return out;
}

bool has(const std::vector<Diagnostic>& ds, const std::string& code, const std::string& location,
         const std::string& message_part = "") {
  for (const auto& d : ds)
    if (d.code == code && d.location == location &&
        d.message.find(message_part) != std::string::npos)
      return true;
  return false;
}

std::string dump(const std::vector<Diagnostic>& ds) {
  return invalid_definition_message(ds);
}

TEST(AslValidate, a_minimal_machine_is_valid) {
  auto p = parse_definition(R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.definition->start_at, "P");
  EXPECT_EQ(p.definition->states.at("P").type, StateType::Pass);
}

TEST(AslValidate, a_state_may_name_the_jsonpath_query_language) {
  auto p = parse_definition(R"({"StartAt":"P","States":{"P":{"Type":"Pass",
      "QueryLanguage":"JSONPath","End":true}}})");
  EXPECT_TRUE(p.ok()) << dump(p.diagnostics);
  auto e = errors(R"({"StartAt":"P","States":{"P":{"Type":"Pass","QueryLanguage":"XPath",
      "End":true}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/P/QueryLanguage")) << dump(e);
  e = errors(R"({"StartAt":"P","States":{"P":{"Type":"Pass","QueryLanguage":"JSONata",
      "End":true}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/P/QueryLanguage", "JSONata")) << dump(e);
}

TEST(AslValidate, invalid_json_is_reported_as_such) {
  auto e = errors("{");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].code, "INVALID_JSON_DESCRIPTION");
}

TEST(AslValidate, missing_top_level_fields) {
  auto e = errors(R"({"Comment":"x"})");
  EXPECT_TRUE(
      has(e, "SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [StartAt, States]"))
      << dump(e);
}

TEST(AslValidate, unknown_state_type_names_the_allowed_values) {
  auto e = errors(R"({"StartAt":"X","States":{"X":{"Type":"Nope","End":true}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/X/Type",
                  "should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, "
                  "Parallel, Map]"))
      << dump(e);
}

TEST(AslValidate, missing_transition_targets_and_unreachable_states) {
  auto e = errors(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"},
                      "B":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(e, "MISSING_TRANSITION_TARGET", "/States/A/Next", "Missing 'Next' target: Nope"))
      << dump(e);
  auto u = errors(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true},
                      "B":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(u, "MISSING_TRANSITION_TARGET", "/States/B", "is not reachable")) << dump(u);
  auto s = errors(R"({"StartAt":"Z","States":{"A":{"Type":"Pass","End":true}}})");
  EXPECT_TRUE(has(s, "MISSING_TRANSITION_TARGET", "/StartAt")) << dump(s);
}

TEST(AslValidate, next_and_end_are_exclusive_and_one_is_required) {
  auto both = errors(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}})");
  EXPECT_TRUE(has(both, "SCHEMA_VALIDATION_FAILED", "/States/A", "Only one of these fields"));
  auto none = errors(R"({"StartAt":"A","States":{"A":{"Type":"Pass"}}})");
  EXPECT_TRUE(has(none, "SCHEMA_VALIDATION_FAILED", "/States/A", "These fields are required"));
}

TEST(AslValidate, unsupported_fields_are_named) {
  auto e = errors(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Foo":1}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/A", "\"Foo\" is not supported"));
  auto w = errors(R"({"StartAt":"A","States":{"A":{"Type":"Succeed","Next":"A"}}})");
  EXPECT_TRUE(has(w, "SCHEMA_VALIDATION_FAILED", "/States/A", "\"Next\" is not supported"));
}

TEST(AslValidate, paths_and_parameters_are_checked) {
  auto e = errors(R"J({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,
                      "InputPath":"nope","ResultPath":"$.a[*]",
                      "Parameters":{"x.$":"not a path","y.$":"States.Bogus()"}}}})J");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/A/InputPath", "valid JSONPath"))
      << dump(e);
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath", "ReferencePath"));
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/A/Parameters", "'x.$'"));
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/A/Parameters", "'y.$'"));
}

TEST(AslValidate, task_fields) {
  auto e = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
                      "Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,
                      "HeartbeatSeconds":10}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/T/HeartbeatSeconds")) << dump(e);
  auto r = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,"Resource":"x"}}})");
  EXPECT_TRUE(has(r, "INVALID_RESOURCE", "/States/T/Resource")) << dump(r);
  auto m = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true}}})");
  EXPECT_TRUE(has(m, "SCHEMA_VALIDATION_FAILED", "/States/T", "[Resource]"));
}

TEST(AslValidate, express_machines_refuse_sync_callbacks_and_activities) {
  ParseOptions express{true};
  auto s = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
                      "Resource":"arn:aws:states:::states:startExecution.sync:2"}}})",
                  express);
  EXPECT_TRUE(has(s, "SCHEMA_VALIDATION_FAILED", "/States/T/Resource", ".sync")) << dump(s);
  auto a = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
                      "Resource":"arn:aws:states:us-east-1:000000000000:activity:a"}}})",
                  express);
  EXPECT_TRUE(has(a, "SCHEMA_VALIDATION_FAILED", "/States/T/Resource", "Activity")) << dump(a);
}

TEST(AslValidate, retry_and_catch_rules) {
  auto e = errors(R"({"StartAt":"T","States":{"T":{"Type":"Task","End":true,
      "Resource":"arn:aws:states:::lambda:invoke",
      "Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"],"BackoffRate":0.5}],
      "Catch":[{"ErrorEquals":["States.ALL","Y"],"Next":"Nope"}]}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/T/Retry[0]/ErrorEquals", "last"))
      << dump(e);
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/T/Retry[1]/BackoffRate"));
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/T/Catch[0]/ErrorEquals", "alone"));
}

TEST(AslValidate, choice_rules) {
  auto e = errors(R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
      {"Variable":"$.a","NumericEquals":"x","Next":"D"},
      {"Variable":"$.a","Next":"D"},
      {"And":[{"Variable":"$.a","IsNull":true,"Next":"D"}],"Next":"D"}],"Default":"D"},
      "D":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]/NumericEquals")) << dump(e);
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[1]"));
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[2]/And[0]/Next"));
  auto empty = errors(R"({"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[],
                          "Default":"D"},"D":{"Type":"Succeed"}}})");
  EXPECT_TRUE(has(empty, "SCHEMA_VALIDATION_FAILED", "/States/C/Choices", "non-empty"));
}

TEST(AslValidate, wait_needs_exactly_one_duration_field) {
  auto e = errors(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,
                      "Timestamp":"2020-01-01T00:00:00Z","End":true}}})");
  EXPECT_TRUE(has(e, "SCHEMA_VALIDATION_FAILED", "/States/W", "Exactly one")) << dump(e);
  auto t = errors(R"({"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"yesterday",
                      "End":true}}})");
  EXPECT_TRUE(has(t, "SCHEMA_VALIDATION_FAILED", "/States/W/Timestamp"));
}

TEST(AslValidate, parallel_and_map_validate_their_inner_machines) {
  auto e = errors(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Gone"}}}]}}})");
  EXPECT_TRUE(has(e, "MISSING_TRANSITION_TARGET", "/States/P/Branches[0]/States/A/Next"))
      << dump(e);
  auto m = errors(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},
      "Iterator":{"StartAt":"I2","States":{"I2":{"Type":"Pass","End":true}}}}}})");
  EXPECT_TRUE(has(m, "SCHEMA_VALIDATION_FAILED", "/States/M", "Only one")) << dump(m);
  auto d = errors(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ToleratedFailureCount":1,
      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}}}})");
  EXPECT_TRUE(has(d, "SCHEMA_VALIDATION_FAILED", "/States/M", "DISTRIBUTED")) << dump(d);
}

TEST(AslValidate, state_names_are_unique_across_branches) {
  auto e = errors(R"({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
      {"StartAt":"A","States":{"A":{"Type":"Succeed"}}},
      {"StartAt":"A","States":{"A":{"Type":"Succeed"}}}]}}})");
  EXPECT_TRUE(has(e, "DUPLICATE_STATE_NAME", "/States/P/Branches[1]/States/A")) << dump(e);
}

TEST(AslValidate, a_map_legacy_parameters_become_the_item_selector) {
  auto p = parse_definition(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "Parameters":{"v.$":"$$.Map.Item.Value"},
      "Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}}}})");
  ASSERT_TRUE(p.ok()) << dump(p.diagnostics);
  const auto& m = p.definition->states.at("M");
  EXPECT_TRUE(m.item_selector.has_value());
  EXPECT_FALSE(m.parameters.has_value());
  ASSERT_TRUE(m.processor);
}

TEST(AslValidate, warnings_do_not_fail_the_definition) {
  auto p = parse_definition(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true,
                              "Parameters":{"x":"$.looks.like.path"}}}})");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.diagnostics.size(), 1u);
  EXPECT_EQ(p.diagnostics[0].severity, "WARNING");
  EXPECT_EQ(p.diagnostics[0].code, "NO_DOLLAR");
}

TEST(AslValidate, the_invalid_definition_message_joins_diagnostics) {
  std::vector<Diagnostic> ds = {{"ERROR", "A", "one", "/x"}, {"ERROR", "B", "two", "/y"}};
  EXPECT_EQ(invalid_definition_message(ds),
            "Invalid State Machine Definition: 'A: one at /x, B: two at /y'");
}

TEST(AslValidate, resources_are_classified) {
  auto sqs = classify_resource("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
  EXPECT_EQ(sqs.kind, TaskResource::Kind::Service);
  EXPECT_EQ(sqs.service, "sqs");
  EXPECT_EQ(sqs.action, "sendMessage");
  EXPECT_EQ(sqs.pattern, "waitForTaskToken");
  auto sync2 = classify_resource("arn:aws:states:::states:startExecution.sync:2");
  EXPECT_EQ(sync2.action, "startExecution");
  EXPECT_EQ(sync2.pattern, "sync:2");
  auto sdk = classify_resource("arn:aws:states:::aws-sdk:sqs:sendMessage");
  EXPECT_EQ(sdk.service, "aws-sdk:sqs");
  EXPECT_EQ(sdk.action, "sendMessage");
  EXPECT_EQ(classify_resource("arn:aws:lambda:us-east-1:1:function:f").kind,
            TaskResource::Kind::LambdaFunction);
  EXPECT_EQ(classify_resource("arn:aws:states:us-east-1:1:activity:a").kind,
            TaskResource::Kind::Activity);
  EXPECT_EQ(classify_resource("arn:aws:states:::sqs:sendMessage.bogus").kind,
            TaskResource::Kind::Unknown);
}

}  // namespace
}  // namespace sluice::services::sfn::asl
