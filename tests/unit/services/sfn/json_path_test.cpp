#include "sluice/services/sfn/json_path.hpp"

#include <gtest/gtest.h>

namespace sluice::services::sfn {
namespace {

Json doc() {
  return Json::parse(R"({
    "store": {
      "book": [
        {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
        {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
        {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
         "isbn": "0-553-21311-3", "price": 8.99}
      ],
      "bicycle": {"color": "red", "price": 19.95}
    },
    "a b": {"c": 1},
    "n": null
  })");
}

Json eval(const std::string& path, const Json& root = doc()) {
  auto p = JsonPath::parse(path);
  EXPECT_TRUE(p.ok()) << path;
  auto r = p->evaluate(root);
  EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Json();
}

TEST(JsonPath, root_returns_the_whole_document) {
  EXPECT_EQ(eval("$"), doc());
}

TEST(JsonPath, dot_and_bracket_names_select_children) {
  EXPECT_EQ(eval("$.store.bicycle.color"), "red");
  EXPECT_EQ(eval("$['store']['bicycle']['color']"), "red");
  EXPECT_EQ(eval("$[\"a b\"].c"), 1);
  EXPECT_TRUE(eval("$.n").is_null());
}

TEST(JsonPath, indices_count_from_either_end) {
  EXPECT_EQ(eval("$.store.book[0].author"), "Nigel Rees");
  EXPECT_EQ(eval("$.store.book[-1].title"), "Moby Dick");
}

TEST(JsonPath, wildcards_unions_and_slices_are_indefinite_and_return_arrays) {
  EXPECT_EQ(eval("$.store.book[*].author"),
            Json::parse(R"(["Nigel Rees","Evelyn Waugh","Herman Melville"])"));
  EXPECT_EQ(eval("$.store.book[0,2].price"), Json::parse("[8.95, 8.99]"));
  EXPECT_EQ(eval("$.store.book[1:].title"), Json::parse(R"(["Sword","Moby Dick"])"));
  EXPECT_EQ(eval("$.store.book[:1].title"), Json::parse(R"(["Sayings"])"));
  EXPECT_EQ(eval("$.store.book[-2:].title"), Json::parse(R"(["Sword","Moby Dick"])"));
  EXPECT_EQ(eval("$.store.bicycle.*"), Json::parse(R"(["red", 19.95])"));
  EXPECT_EQ(eval("$.store['bicycle','missing']"),
            Json::parse(R"([{"color":"red","price":19.95}])"));
}

TEST(JsonPath, deep_scan_finds_every_match_in_document_order) {
  EXPECT_EQ(eval("$..price"), Json::parse("[8.95, 12.99, 8.99, 19.95]"));
  EXPECT_EQ(eval("$..isbn"), Json::parse(R"(["0-553-21311-3"])"));
}

TEST(JsonPath, filters_compare_existence_and_combine) {
  EXPECT_EQ(eval("$.store.book[?(@.price < 10)].title"), Json::parse(R"(["Sayings","Moby Dick"])"));
  EXPECT_EQ(eval("$.store.book[?(@.isbn)].title"), Json::parse(R"(["Moby Dick"])"));
  EXPECT_EQ(eval("$.store.book[?(@.category == 'fiction' && @.price > 10)].title"),
            Json::parse(R"(["Sword"])"));
  EXPECT_EQ(eval("$.store.book[?(@.price > 12 || @.author == \"Nigel Rees\")].title"),
            Json::parse(R"(["Sayings","Sword"])"));
  EXPECT_EQ(eval("$.store.book[?(@.author =~ /.*melville/i)].title"),
            Json::parse(R"(["Moby Dick"])"));
  EXPECT_EQ(eval("$.store.book[?(@.category in ['reference'])].price"), Json::parse("[8.95]"));
  EXPECT_EQ(eval("$.store.book[?(@.price > 100)]"), Json::array());
}

TEST(JsonPath, a_missing_definite_path_fails_with_the_jayway_message) {
  auto p = JsonPath::parse("$.store.missing");
  ASSERT_TRUE(p.ok());
  auto r = p->evaluate(doc());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No results for path: $['store']['missing']");
  EXPECT_FALSE(p->find(doc()).has_value());
  auto idx = JsonPath::parse("$.store.book[7]");
  EXPECT_FALSE(idx->evaluate(doc()).ok());
}

TEST(JsonPath, an_indefinite_path_that_matches_nothing_is_an_empty_array) {
  EXPECT_EQ(eval("$.store.book[*].missing"), Json::array());
}

TEST(JsonPath, syntax_errors_are_reported) {
  EXPECT_FALSE(JsonPath::parse("store").ok());
  EXPECT_FALSE(JsonPath::parse("$.").ok());
  EXPECT_FALSE(JsonPath::parse("$[").ok());
  EXPECT_FALSE(JsonPath::parse("$['a'").ok());
  EXPECT_FALSE(JsonPath::parse("$[?(@.a == )]").ok());
}

TEST(JsonPath, normalized_form_names_each_step) {
  EXPECT_EQ(JsonPath::parse("$.a.b[0]")->normalized(), "$['a']['b'][0]");
}

TEST(JsonPath, reference_paths_assign_and_create_objects) {
  auto p = JsonPath::parse("$.result.value");
  ASSERT_TRUE(p->is_reference());
  auto r = p->assign(Json::parse(R"({"a":1})"), Json(42));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Json::parse(R"({"a":1,"result":{"value":42}})"));
  // replacing the root
  EXPECT_EQ(*JsonPath::parse("$")->assign(Json(1), Json(2)), Json(2));
  // through a non-object: ResultPathMatchFailure
  auto bad = JsonPath::parse("$.a.b")->assign(Json::parse(R"({"a":"text"})"), Json(1));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "States.ResultPathMatchFailure");
  EXPECT_FALSE(JsonPath::parse("$.a[*]")->is_reference());
}

TEST(JsonPath, context_paths_use_the_context_object) {
  Json input = Json::parse(R"({"x":1})");
  Json ctx = Json::parse(R"({"Execution":{"Name":"run"}})");
  EXPECT_EQ(*evaluate_path("$$.Execution.Name", input, ctx), "run");
  EXPECT_EQ(*evaluate_path("$.x", input, ctx), 1);
}

TEST(JsonPath, key_order_of_objects_is_preserved) {
  Json v = Json::parse(R"({"z":1,"a":2})");
  EXPECT_EQ(to_text(eval("$", v)), R"({"z":1,"a":2})");
}

}  // namespace
}  // namespace sluice::services::sfn
