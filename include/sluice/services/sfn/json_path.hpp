#pragma once
// JSONPath as Amazon States Language uses it (AWS evaluates paths with Jayway JsonPath):
// `$`, `.name`, `['name']`, `[n]` (negative counts from the end), `[*]`, `.*`,
// unions `[0,2]` / `['a','b']`, slices `[1:3]`, deep scan `..name`, and filters
// `[?(@.price < 10 && @.tag == 'x')]`.
//
// A definite path (names and single indices only) yields one value or fails with
// "No results for path"; an indefinite path yields the array of its matches, possibly
// empty — the Jayway semantics AWS shows.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn {

struct FilterExpr;

class JsonPath {
 public:
  enum class SegKind { Name, Index, Wildcard, Slice, DeepScan, Filter, Union };
  struct Segment {
    SegKind kind = SegKind::Name;
    std::string name;                        // Name; DeepScan (empty: any)
    std::int64_t index = 0;                  // Index
    std::optional<std::int64_t> start, end;  // Slice
    std::int64_t step = 1;                   // Slice
    std::vector<std::string> names;          // Union of names
    std::vector<std::int64_t> indices;       // Union of indices
    std::shared_ptr<const FilterExpr> filter;
  };

  // Parses "$..." (the caller strips one leading '$' of a "$$" context path). Fails
  // with code "InvalidPath" and a message naming the problem.
  static Result<JsonPath> parse(std::string_view text);

  // Definite paths yield the value or fail ("No results for path: $['a']");
  // indefinite ones yield an array of matches.
  Result<Json> evaluate(const Json& root) const;
  // Like evaluate, but a definite path that matches nothing is nullopt (IsPresent).
  std::optional<Json> find(const Json& root) const;

  bool definite() const { return definite_; }
  // A reference path (ResultPath): names and non-negative indices only.
  bool is_reference() const;
  // Writes `value` at this reference path inside `root`, creating objects for missing
  // names. Fails when the path runs through a non-object (ResultPathMatchFailure).
  Result<Json> assign(Json root, Json value) const;

  const std::string& text() const { return text_; }
  // Jayway's normalized form used in AWS error messages: $['a']['b'][0]
  std::string normalized() const;
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  std::string text_;
  std::vector<Segment> segments_;
  bool definite_ = true;
};

// Evaluates a path that may refer to the context object: "$$.Execution.Id" looks in
// `context`, "$.x" in `input`.
Result<Json> evaluate_path(std::string_view path, const Json& input, const Json& context);

}  // namespace sluice::services::sfn
