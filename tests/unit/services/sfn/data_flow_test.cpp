#include "sluice/services/sfn/data_flow.hpp"

#include <gtest/gtest.h>

namespace sluice::services::sfn {
namespace {

const QueryLanguage& ql() {
  return jsonpath_language();
}

asl::PathField path(const std::string& p) {
  return asl::PathField{false, p};
}
asl::PathField null_path() {
  return asl::PathField{true, "$"};
}

const Json kCtx = Json::parse(R"({"Execution":{"Name":"e1"},"Map":{"Item":{"Index":2}}})");

TEST(DataFlow, input_path_selects_or_discards) {
  Json raw = Json::parse(R"({"a":{"b":1}})");
  EXPECT_EQ(*ql().input(path("$.a"), raw, kCtx), Json::parse(R"({"b":1})"));
  EXPECT_EQ(*ql().input(null_path(), raw, kCtx), Json::object());
  auto missing = ql().input(path("$.x"), raw, kCtx);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "States.Runtime");
  EXPECT_EQ(missing.error().message, "Invalid path '$.x' : No results for path: $['x']");
}

TEST(DataFlow, payload_templates_resolve_paths_context_and_intrinsics_recursively) {
  Json tmpl = Json::parse(R"J({
    "static": "v", "fromInput.$": "$.a", "ctx.$": "$$.Execution.Name",
    "nested": {"idx.$": "$$.Map.Item.Index", "list": [{"x.$": "$.a"}]},
    "fmt.$": "States.Format('n={}', $.a)"})J");
  auto r = ql().payload(tmpl, Json::parse(R"({"a":7})"), kCtx);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      to_text(*r),
      R"({"static":"v","fromInput":7,"ctx":"e1","nested":{"idx":2,"list":[{"x":7}]},"fmt":"n=7"})");
}

TEST(DataFlow, payload_missing_path_names_field_and_input) {
  auto r = ql().payload(Json::parse(R"({"x.$":"$.nope"})"), Json::parse(R"({"a":1})"), kCtx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input "
            "'{\"a\":1}'");
}

TEST(DataFlow, result_path_merges_replaces_or_discards) {
  Json raw = Json::parse(R"({"a":1})");
  EXPECT_EQ(*ql().result(path("$"), raw, Json(5)), Json(5));
  EXPECT_EQ(to_text(*ql().result(path("$.r"), raw, Json(5))), R"({"a":1,"r":5})");
  EXPECT_EQ(*ql().result(null_path(), raw, Json(5)), raw);
  auto bad = ql().result(path("$.r"), Json("text"), Json(5));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "States.ResultPathMatchFailure");
  EXPECT_EQ(bad.error().message, "Unable to apply ResultPath \"$.r\" to input \"\"text\"\"");
}

TEST(DataFlow, output_path_selects_or_discards) {
  Json v = Json::parse(R"({"a":{"b":2}})");
  EXPECT_EQ(*ql().output(path("$.a.b"), v, kCtx), Json(2));
  EXPECT_EQ(*ql().output(null_path(), v, kCtx), Json::object());
  EXPECT_FALSE(ql().output(path("$.zz"), v, kCtx).ok());
}

}  // namespace
}  // namespace sluice::services::sfn
