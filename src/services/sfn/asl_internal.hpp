#pragma once
// Shared by the ASL parser files: the validator that turns definition JSON into the
// model while collecting AWS-style diagnostics.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sluice/services/sfn/asl.hpp"

namespace sluice::services::sfn::asl {

namespace detail {
std::string json_kind(const Json& v);
bool valid_path(const std::string& text);
bool valid_reference_path(const std::string& text);
bool valid_timestamp(const std::string& text);
std::set<std::string> allowed_fields(StateType t);
std::optional<StateType> parse_type(const std::string& s);
}  // namespace detail

class Validator {
 public:
  explicit Validator(ParseOptions options) : options_(options) {}

  // A whole machine (top level, a Parallel branch or a Map processor). `allow_dangling`
  // skips transition checks (TestState of a single state).
  std::shared_ptr<StateMachineDef> machine(const Json& m, const std::string& loc, bool top_level,
                                           bool map_processor, bool allow_dangling = false);
  std::optional<State> state(const std::string& name, const Json& st, const std::string& loc,
                             bool allow_dangling);

  void error(std::string code, std::string message, std::string location);
  void warning(std::string code, std::string message, std::string location);
  void schema(const std::string& message, const std::string& location);
  bool has_errors() const { return !diagnostics_.empty(); }
  std::vector<Diagnostic> take();

  // field helpers (asl_parse.cpp)
  std::optional<std::string> string_field(const Json& obj, const char* name,
                                          const std::string& loc);
  std::optional<std::int64_t> int_field(const Json& obj, const char* name, const std::string& loc,
                                        std::int64_t min, std::int64_t max);
  std::optional<double> number_field(const Json& obj, const char* name, const std::string& loc,
                                     double min, double max);
  PathField path_field(const Json& obj, const char* name, const std::string& loc, bool reference);
  void payload_template(const Json& value, const std::string& field, const std::string& loc);
  std::vector<std::string> error_equals(const Json& obj, const std::string& loc);
  void retriers(const Json& st, State& s, const std::string& loc);
  void catchers(const Json& st, State& s, const std::string& loc);
  std::optional<ChoiceRule> choice_rule(const Json& r, const std::string& loc, bool top_level);

 private:
  void task_fields(const Json& st, State& s, const std::string& loc);
  void wait_fields(const Json& st, State& s, const std::string& loc);
  void fail_fields(const Json& st, State& s, const std::string& loc);
  void map_fields(const Json& st, State& s, const std::string& loc);
  void transitions(const StateMachineDef& def, const std::string& loc);

  ParseOptions options_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<Diagnostic> warnings_;
  std::set<std::string> all_state_names_;  // state names are unique machine-wide
};

}  // namespace sluice::services::sfn::asl
