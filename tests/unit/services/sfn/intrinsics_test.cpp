#include "sluice/services/sfn/intrinsics.hpp"

#include <gtest/gtest.h>

namespace sluice::services::sfn {
namespace {

const Json kInput = Json::parse(R"({
  "name": "World", "n": 3, "arr": [1, 2, 2, 3, "a", "a"], "obj": {"a": 1},
  "text": "1,2;3", "json": "{\"k\":[1,2]}", "b64": "SGVsbG8="
})");
const Json kContext = Json::parse(R"({"Execution": {"Name": "exec-1"}})");

Json ok(const std::string& text) {
  auto r = evaluate_intrinsic_text(text, kInput, kContext);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Json();
}

std::string fails(const std::string& text) {
  auto r = evaluate_intrinsic_text(text, kInput, kContext);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, "States.Runtime");
  return r.error().message;
}

TEST(Intrinsics, format_fills_placeholders_in_order_and_keeps_escaped_braces) {
  EXPECT_EQ(ok("States.Format('Hello, {}!', $.name)"), "Hello, World!");
  EXPECT_EQ(ok("States.Format('{} {} {} {}', $.n, true, null, 'x')"), "3 true null x");
  EXPECT_EQ(ok("States.Format('\\{\\} {} it\\'s', $$.Execution.Name)"), "{} exec-1 it's");
  fails("States.Format('{} {}', $.name)");
  fails("States.Format('{}', $.obj)");
}

TEST(Intrinsics, json_string_round_trip) {
  EXPECT_EQ(ok("States.StringToJson($.json)"), Json::parse(R"({"k":[1,2]})"));
  EXPECT_EQ(ok("States.JsonToString($.obj)"), R"({"a":1})");
  fails("States.StringToJson('{nope')");
}

TEST(Intrinsics, array_builds_from_arguments) {
  EXPECT_EQ(ok("States.Array($.n, 'x', States.Array(1))"), Json::parse(R"([3,"x",[1]])"));
  EXPECT_EQ(ok("States.Array()"), Json::array());
}

TEST(Intrinsics, array_partition_chunks_with_a_short_last_chunk) {
  EXPECT_EQ(ok("States.ArrayPartition(States.Array(1,2,3,4,5), 2)"),
            Json::parse("[[1,2],[3,4],[5]]"));
  fails("States.ArrayPartition($.arr, 0)");
}

TEST(Intrinsics, array_contains_compares_json_values) {
  EXPECT_EQ(ok("States.ArrayContains($.arr, 3)"), true);
  EXPECT_EQ(ok("States.ArrayContains($.arr, 'b')"), false);
}

TEST(Intrinsics, array_range_includes_the_end_and_honours_negative_steps) {
  EXPECT_EQ(ok("States.ArrayRange(1, 9, 2)"), Json::parse("[1,3,5,7,9]"));
  EXPECT_EQ(ok("States.ArrayRange(5, 1, -2)"), Json::parse("[5,3,1]"));
  fails("States.ArrayRange(1, 2, 0)");
  fails("States.ArrayRange(0, 1000, 1)");  // 1001 items: over the limit
}

TEST(Intrinsics, array_get_item_length_and_unique) {
  EXPECT_EQ(ok("States.ArrayGetItem($.arr, 4)"), "a");
  EXPECT_EQ(ok("States.ArrayLength($.arr)"), 6);
  EXPECT_EQ(ok("States.ArrayUnique($.arr)"), Json::parse(R"([1,2,3,"a"])"));
  fails("States.ArrayGetItem($.arr, 6)");
}

TEST(Intrinsics, base64_round_trip) {
  EXPECT_EQ(ok("States.Base64Encode('Hello')"), "SGVsbG8=");
  EXPECT_EQ(ok("States.Base64Decode($.b64)"), "Hello");
  fails("States.Base64Decode('***')");
}

TEST(Intrinsics, hash_supports_the_aws_algorithms) {
  EXPECT_EQ(ok("States.Hash('input data', 'SHA-1')"), "aaff4a450a104cd177d28d18d74485e8cae074b7");
  EXPECT_EQ(ok("States.Hash('abc', 'MD5')"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(ok("States.Hash('abc', 'SHA-256')"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ok("States.Hash('abc', 'SHA-384')").get<std::string>().size(), 96u);
  EXPECT_EQ(ok("States.Hash('abc', 'SHA-512')").get<std::string>().size(), 128u);
  fails("States.Hash('abc', 'SHA-3')");
}

TEST(Intrinsics, json_merge_is_shallow_and_the_second_object_wins) {
  EXPECT_EQ(ok("States.JsonMerge($.obj, States.StringToJson('{\"a\":2,\"b\":3}'), false)"),
            Json::parse(R"({"a":2,"b":3})"));
  fails("States.JsonMerge($.obj, $.obj, true)");
}

TEST(Intrinsics, math_random_stays_in_range_and_a_seed_repeats) {
  for (int i = 0; i < 50; ++i) {
    auto v = ok("States.MathRandom(1, 5)").get<int>();
    EXPECT_GE(v, 1);
    EXPECT_LT(v, 5);
  }
  EXPECT_EQ(ok("States.MathRandom(1, 1000, 7)"), ok("States.MathRandom(1, 1000, 7)"));
}

TEST(Intrinsics, math_add_sums) {
  EXPECT_EQ(ok("States.MathAdd($.n, -4)"), -1);
  fails("States.MathAdd($.name, 1)");
}

TEST(Intrinsics, string_split_uses_every_delimiter_character) {
  EXPECT_EQ(ok("States.StringSplit($.text, ',;')"), Json::parse(R"(["1","2","3"])"));
  EXPECT_EQ(ok("States.StringSplit('a,,b', ',')"), Json::parse(R"(["a","b"])"));
}

TEST(Intrinsics, uuid_is_a_version_4_uuid) {
  std::string u = ok("States.UUID()").get<std::string>();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
}

TEST(Intrinsics, a_missing_path_argument_names_the_path) {
  std::string m = fails("States.Array($.missing)");
  EXPECT_NE(m.find("The function 'States.Array($.missing)' had the following error: The "
                   "JsonPath argument for the field '$.missing' could not be found"),
            std::string::npos)
      << m;
}

TEST(Intrinsics, parse_rejects_unknown_functions_bad_arity_and_syntax) {
  EXPECT_FALSE(parse_intrinsic("States.Nope(1)").ok());
  EXPECT_FALSE(parse_intrinsic("States.UUID(1)").ok());
  EXPECT_FALSE(parse_intrinsic("States.ArrayLength()").ok());
  EXPECT_FALSE(parse_intrinsic("States.Format('x'").ok());
  EXPECT_FALSE(parse_intrinsic("States.Format('x') extra").ok());
  EXPECT_TRUE(parse_intrinsic("States.Format('{}', $.a[0])").ok());
  EXPECT_TRUE(is_intrinsic_call("States.UUID()"));
  EXPECT_FALSE(is_intrinsic_call("$.a"));
}

}  // namespace
}  // namespace sluice::services::sfn
