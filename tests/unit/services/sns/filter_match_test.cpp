// Filter policy matching, table-driven: a policy, a message (attributes or body) and
// whether AWS delivers it.
#include <gtest/gtest.h>

#include "sluice/services/sns/filter_policy.hpp"

namespace sluice::services::sns {
namespace {

struct AttrCase {
  const char* name;
  const char* policy;
  MessageAttributes attributes;
  bool matches;
};

MessageAttribute s(const char* v) {
  return {"String", v, ""};
}
MessageAttribute n(const char* v) {
  return {"Number", v, ""};
}
MessageAttribute arr(const char* v) {
  return {"String.Array", v, ""};
}

const AttrCase kAttrCases[] = {
    {"exact_match", R"({"color":["red","blue"]})", {{"color", s("blue")}}, true},
    {"exact_miss", R"({"color":["red"]})", {{"color", s("green")}}, false},
    {"missing_key", R"({"color":["red"]})", {}, false},
    {"all_keys_must_match", R"({"a":["1"],"b":["2"]})", {{"a", s("1")}, {"b", s("3")}}, false},
    {"number_exact", R"({"n":[10]})", {{"n", n("10.0")}}, true},
    {"number_rule_ignores_string_type", R"({"n":[10]})", {{"n", s("10")}}, false},
    {"string_rule_ignores_number_type", R"({"n":["10"]})", {{"n", n("10")}}, false},
    {"prefix", R"({"s":[{"prefix":"eu-"}]})", {{"s", s("eu-west-1")}}, true},
    {"prefix_miss", R"({"s":[{"prefix":"eu-"}]})", {{"s", s("us-east-1")}}, false},
    {"suffix", R"({"s":[{"suffix":".png"}]})", {{"s", s("cat.png")}}, true},
    {"equals_ignore_case", R"({"s":[{"equals-ignore-case":"RED"}]})", {{"s", s("rEd")}}, true},
    {"anything_but_value", R"({"s":[{"anything-but":"red"}]})", {{"s", s("blue")}}, true},
    {"anything_but_value_miss", R"({"s":[{"anything-but":"red"}]})", {{"s", s("red")}}, false},
    {"anything_but_list", R"({"s":[{"anything-but":["a","b"]}]})", {{"s", s("b")}}, false},
    {"anything_but_needs_key", R"({"s":[{"anything-but":"red"}]})", {}, false},
    {"anything_but_prefix",
     R"({"s":[{"anything-but":{"prefix":"tmp"}}]})",
     {{"s", s("tmpx")}},
     false},
    {"anything_but_suffix",
     R"({"s":[{"anything-but":{"suffix":".tmp"}}]})",
     {{"s", s("a.txt")}},
     true},
    {"anything_but_number", R"({"n":[{"anything-but":[1,2]}]})", {{"n", n("3")}}, true},
    {"numeric_range_in", R"({"p":[{"numeric":[">",0,"<=",100]}]})", {{"p", n("100")}}, true},
    {"numeric_range_out", R"({"p":[{"numeric":[">",0,"<=",100]}]})", {{"p", n("0")}}, false},
    {"numeric_equals", R"({"p":[{"numeric":["=",3.5]}]})", {{"p", n("3.50")}}, true},
    {"numeric_on_string_type", R"({"p":[{"numeric":[">",0]}]})", {{"p", s("5")}}, false},
    // Five digits of accuracy after the decimal point (AWS's filter policy constraints).
    {"numeric_equals_to_five_digits",
     R"({"p":[{"numeric":["=",301.5]}]})",
     {{"p", n("301.500001")}},
     true},
    {"numeric_equals_sixth_digit_rounds_up",
     R"({"p":[{"numeric":["=",301.5]}]})",
     {{"p", n("301.500006")}},
     false},
    {"numeric_greater_within_five_digits",
     R"({"p":[{"numeric":[">",1.5]}]})",
     {{"p", n("1.500001")}},
     false},
    {"exact_number_to_five_digits", R"({"p":[7.25]})", {{"p", n("7.250004")}}, true},
    {"numeric_outside_the_documented_range",
     R"({"p":[{"numeric":[">",1e9]}]})",
     {{"p", n("5e12")}},
     true},
    {"exists_true", R"({"k":[{"exists":true}]})", {{"k", s("x")}}, true},
    {"exists_true_missing", R"({"k":[{"exists":true}]})", {}, false},
    {"exists_false", R"({"k":[{"exists":false}]})", {{"other", s("x")}}, true},
    {"exists_false_present", R"({"k":[{"exists":false}]})", {{"k", s("x")}}, false},
    {"cidr_v4", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {{"ip", s("10.0.0.255")}}, true},
    {"cidr_v4_out", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {{"ip", s("10.0.1.1")}}, false},
    {"cidr_v6", R"({"ip":[{"cidr":"2001:db8::/32"}]})", {{"ip", s("2001:db8::1")}}, true},
    {"string_array_any_element", R"({"tags":["b"]})", {{"tags", arr(R"(["a","b"])")}}, true},
    {"string_array_numbers", R"({"tags":[2]})", {{"tags", arr(R"([1,2])")}}, true},
    {"string_array_miss", R"({"tags":["z"]})", {{"tags", arr(R"(["a","b"])")}}, false},
    {"or_first", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", {{"a", s("1")}}, true},
    {"or_second", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", {{"b", s("2")}}, true},
    {"or_none", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", {{"a", s("2")}}, false},
    {"or_with_common_key",
     R"({"k":["v"],"$or":[{"a":["1"]},{"b":["2"]}]})",
     {{"a", s("1")}},
     false},
    {"binary_has_no_value", R"({"b":["x"]})", {{"b", {"Binary", "", "x"}}}, false},
    {"binary_exists", R"({"b":[{"exists":true}]})", {{"b", {"Binary", "", "x"}}}, true},
    {"empty_policy_matches_all", R"({})", {}, true},
};

class FilterMatchAttributes : public ::testing::TestWithParam<AttrCase> {};

TEST_P(FilterMatchAttributes, delivers_like_aws) {
  const AttrCase& c = GetParam();
  auto policy = parse_filter_policy(c.policy, FilterScope::MessageAttributes, false);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(filter_matches_attributes(*policy, c.attributes), c.matches);
}

INSTANTIATE_TEST_SUITE_P(Cases, FilterMatchAttributes, ::testing::ValuesIn(kAttrCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct BodyCase {
  const char* name;
  const char* policy;
  const char* body;
  bool matches;
};

const BodyCase kBodyCases[] = {
    {"top_level", R"({"color":["red"]})", R"({"color":"red"})", true},
    {"nested", R"({"store":{"item":{"color":["red"]}}})",
     R"({"store":{"item":{"color":"red","size":1}}})", true},
    {"nested_miss", R"({"store":{"item":{"color":["red"]}}})",
     R"({"store":{"item":{"color":"blue"}}})", false},
    {"array_of_values", R"({"tags":["b"]})", R"({"tags":["a","b"]})", true},
    {"array_of_objects", R"({"items":{"sku":["x2"]}})", R"({"items":[{"sku":"x1"},{"sku":"x2"}]})",
     true},
    {"numbers", R"({"price":[{"numeric":[">=",10]}]})", R"({"price":12.5})", true},
    {"number_in_string_not_numeric", R"({"price":[{"numeric":[">=",10]}]})", R"({"price":"12"})",
     false},
    {"booleans", R"({"ok":[true]})", R"({"ok":true})", true},
    {"null_value", R"({"v":[null]})", R"({"v":null})", true},
    {"exists_false_missing", R"({"a":{"b":[{"exists":false}]}})", R"({"a":{"c":1}})", true},
    {"exists_true_object_is_not_leaf", R"({"a":[{"exists":true}]})", R"({"a":{"c":1}})", false},
    {"dotted_key_matches_nested", R"({"a.b":["x"]})", R"({"a":{"b":"x"}})", true},
    {"not_json_body", R"({"a":["x"]})", "plain text", false},
    {"array_body", R"({"a":["x"]})", R"([{"a":"x"}])", false},
    {"or_nested", R"({"$or":[{"a":{"b":["1"]}},{"c":["2"]}]})", R"({"c":"2"})", true},
};

class FilterMatchBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(FilterMatchBody, delivers_like_aws) {
  const BodyCase& c = GetParam();
  auto policy = parse_filter_policy(c.policy, FilterScope::MessageBody, false);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(filter_matches_body(*policy, c.body), c.matches);
}

INSTANTIATE_TEST_SUITE_P(Cases, FilterMatchBody, ::testing::ValuesIn(kBodyCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sluice::services::sns
