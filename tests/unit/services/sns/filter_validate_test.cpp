// Filter policy validation, table-driven: each case is a policy, its scope and the
// error AWS answers with (empty: accepted).
#include <gtest/gtest.h>

#include "sluice/services/sns/filter_policy.hpp"

namespace sluice::services::sns {
namespace {

struct ValidateCase {
  const char* name;
  const char* policy;
  FilterScope scope;
  const char* error;  // message after "Invalid parameter: " (empty: valid)
};

constexpr auto kAttr = FilterScope::MessageAttributes;
constexpr auto kBody = FilterScope::MessageBody;

const ValidateCase kCases[] = {
    {"exact_strings", R"({"color":["red","blue"]})", kAttr, ""},
    {"numbers_and_null", R"({"n":[1, 2.5, null, true]})", kAttr, ""},
    {"prefix_suffix", R"({"s":[{"prefix":"a"},{"suffix":"z"}]})", kAttr, ""},
    {"anything_but_forms",
     R"({"a":[{"anything-but":"x"}],"b":[{"anything-but":["x",1]}],"c":[{"anything-but":{"prefix":"p"}}],"d":[{"anything-but":{"suffix":"s"}}]})",
     kAttr, ""},
    {"numeric_range", R"({"p":[{"numeric":[">",0,"<=",100]}]})", kAttr, ""},
    {"exists_and_cidr", R"({"e":[{"exists":false}],"ip":[{"cidr":"10.0.0.0/24"}]})", kAttr, ""},
    {"equals_ignore_case", R"({"s":[{"equals-ignore-case":"RED"}]})", kAttr, ""},
    {"or_branches", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", kAttr, ""},
    {"nested_body", R"({"store":{"item":{"color":["red"]}}})", kBody, ""},
    {"empty_object_matches_all", R"({})", kAttr, ""},
    {"not_json", R"({"a":)", kAttr, "FilterPolicy: failed to parse JSON."},
    {"not_object", R"(["a"])", kAttr, "FilterPolicy: Filter policy must be a JSON object"},
    {"six_keys", R"({"a":[1],"b":[1],"c":[1],"d":[1],"e":[1],"f":[1]})", kAttr,
     "FilterPolicy: Filter policy can not have more than 5 keys"},
    {"scalar_value", R"({"a":"red"})", kAttr, "FilterPolicy: \"a\" must be an object or an array"},
    {"empty_array", R"({"a":[]})", kAttr, "FilterPolicy: Empty arrays are not allowed"},
    {"nested_in_attribute_scope", R"({"a":{"b":["c"]}})", kAttr,
     "Filter policy scope MessageAttributes does not support nested filter policy"},
    {"array_in_array", R"({"a":[["x"]]})", kAttr,
     "FilterPolicy: Match value must be String, number, true, false, or null"},
    {"two_operators", R"({"a":[{"prefix":"x","suffix":"y"}]})", kAttr,
     "FilterPolicy: Only one key allowed in match expression"},
    {"unknown_operator", R"({"a":[{"wildcard":"x*"}]})", kAttr,
     "FilterPolicy: Unrecognized match type wildcard"},
    {"prefix_not_string", R"({"a":[{"prefix":1}]})", kAttr,
     "FilterPolicy: prefix match pattern must be a string"},
    {"exists_not_bool", R"({"a":[{"exists":"yes"}]})", kAttr,
     "FilterPolicy: exists match pattern must be either true or false."},
    {"anything_but_bad_pattern", R"({"a":[{"anything-but":{"wildcard":"x"}}]})", kAttr,
     "FilterPolicy: Unsupported anything-but pattern: wildcard"},
    {"numeric_bad_operator", R"({"a":[{"numeric":["!=",1]}]})", kAttr,
     "FilterPolicy: Unrecognized numeric range operator: !="},
    {"numeric_value_not_number", R"({"a":[{"numeric":["=","1"]}]})", kAttr,
     "FilterPolicy: Value of equals must be numeric"},
    {"numeric_upper_after_lt", R"({"a":[{"numeric":["<",1,">",0]}]})", kAttr,
     "FilterPolicy: Too many elements in numeric expression"},
    {"numeric_bottom_above_top", R"({"a":[{"numeric":[">",5,"<",1]}]})", kAttr,
     "FilterPolicy: Bottom must be less than top"},
    {"numeric_bad_range_operator", R"({"a":[{"numeric":[">",0,">",1]}]})", kAttr,
     "FilterPolicy: Bad numeric range operator: >"},
    {"numeric_empty", R"({"a":[{"numeric":[]}]})", kAttr,
     "FilterPolicy: Invalid member in numeric match: ]"},
    {"cidr_no_slash", R"({"a":[{"cidr":"10.0.0.0"}]})", kAttr,
     "FilterPolicy: Malformed CIDR, one '/' required"},
    {"cidr_bad_mask", R"({"a":[{"cidr":"10.0.0.0/x"}]})", kAttr,
     "FilterPolicy: Malformed CIDR, mask bits must be an integer"},
    {"cidr_bad_ip", R"({"a":[{"cidr":"10.0.0.300/8"}]})", kAttr,
     "FilterPolicy: Nonstandard IP address: 10.0.0.300"},
    // 6 x 5 x 6 = 180 value combinations, more than the 150 AWS allows.
    {"too_complex", R"({"a":[1,2,3,4,5,6],"b":[1,2,3,4,5],"c":[1,2,3,4,5,6]})", kAttr,
     "FilterPolicy: Filter policy is too complex"},
};

class FilterValidate : public ::testing::TestWithParam<ValidateCase> {};

TEST_P(FilterValidate, answers_like_aws) {
  const ValidateCase& c = GetParam();
  auto r = parse_filter_policy(c.policy, c.scope, false);
  if (std::string(c.error).empty()) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "InvalidParameterException");
    EXPECT_EQ(r.error().message, std::string("Invalid parameter: ") + c.error);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FilterValidate, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FilterValidateMessages, subscribe_uses_attributes_reason_prefix) {
  auto r = parse_filter_policy(R"({"a":[]})", FilterScope::MessageAttributes, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed");
}

TEST(FilterValidateBranches, or_expands_into_one_branch_per_alternative) {
  auto r = parse_filter_policy(R"({"k":["v"],"$or":[{"a":["1"]},{"b":["2"]},{"c":["3"]}]})",
                               FilterScope::MessageAttributes, false);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->branches.size(), 3u);
  for (const auto& b : r->branches)
    EXPECT_EQ(b.conditions.size(), 2u);
}

}  // namespace
}  // namespace sluice::services::sns
