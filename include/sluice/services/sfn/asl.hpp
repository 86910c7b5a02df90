#pragma once
// The Amazon States Language model: a definition parsed and validated once (at
// CreateStateMachine, UpdateStateMachine, ValidateStateMachineDefinition, TestState) and
// then shared, immutable, by every execution that runs it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/services/sfn/value.hpp"

namespace sluice::services::sfn::asl {

enum class StateType { Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map };

const char* state_type_name(StateType t);

// InputPath/OutputPath/ResultPath/ItemsPath: absent means "$"; JSON null means "discard"
// (InputPath/OutputPath: {} ; ResultPath: keep the input, drop the result).
struct PathField {
  bool is_null = false;
  std::string path = "$";
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  std::int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<std::int64_t> max_delay_seconds;
  bool jitter_full = false;
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next;
  PathField result_path;
};

struct ChoiceRule {
  enum class Kind { And, Or, Not, Compare };
  Kind kind = Kind::Compare;
  std::vector<ChoiceRule> children;  // And/Or: operands; Not: one operand
  std::string variable;              // Compare
  std::string op;                    // "StringEquals", "NumericLessThanPath", "IsNull", ...
  Json operand;                      // the comparison value (a path text for *Path)
  std::string next;                  // top-level rules only
};

struct StateMachineDef;

struct State {
  std::string name;
  StateType type = StateType::Pass;
  std::string next;
  bool end = false;
  PathField input_path, output_path, result_path;
  std::optional<Json> parameters;       // Pass, Task, Parallel; Map legacy item Parameters
  std::optional<Json> result_selector;  // Task, Parallel, Map
  std::optional<Json> result;           // Pass
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;
  // Whether "$$" appears anywhere in the state's text: when not, no path of the state can
  // read the context object and the interpreter need not build it.
  bool mentions_context = true;

  // Task
  std::string resource;
  std::optional<std::int64_t> timeout_seconds;
  std::string timeout_seconds_path;
  std::optional<std::int64_t> heartbeat_seconds;
  std::string heartbeat_seconds_path;
  std::optional<Json> credentials;

  // Choice
  std::vector<ChoiceRule> choices;
  std::string default_next;

  // Wait
  std::optional<std::int64_t> seconds;
  std::string timestamp, seconds_path, timestamp_path;

  // Fail
  std::optional<std::string> error, cause, error_path, cause_path;

  // Parallel
  std::vector<std::shared_ptr<const StateMachineDef>> branches;

  // Map
  std::shared_ptr<const StateMachineDef> processor;  // ItemProcessor or legacy Iterator
  bool distributed = false;                          // ProcessorConfig.Mode
  std::string child_execution_type = "STANDARD";     // ProcessorConfig.ExecutionType
  PathField items_path;
  std::optional<Json> item_selector;  // ItemSelector, or the legacy Parameters
  std::int64_t max_concurrency = 0;   // 0: no limit
  std::string max_concurrency_path;
  std::optional<Json> item_batcher;
  std::optional<Json> item_reader;
  std::optional<Json> result_writer;
  std::optional<double> tolerated_failure_percentage;
  std::string tolerated_failure_percentage_path;
  std::optional<std::int64_t> tolerated_failure_count;
  std::string tolerated_failure_count_path;
  std::string label;
};

struct StateMachineDef {
  std::string start_at;
  std::string comment;
  std::map<std::string, State> states;
  std::optional<std::int64_t> timeout_seconds;  // top level only
  std::string query_language = "JSONPath";
};

struct Diagnostic {
  std::string severity = "ERROR";
  std::string code;  // SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...
  std::string message;
  std::string location;  // "/States/Pass/Next"
};

struct ParseOptions {
  bool express = false;  // EXPRESS machines reject .sync, .waitForTaskToken and activities
};

struct Parsed {
  std::shared_ptr<const StateMachineDef> definition;  // null when there are errors
  std::vector<Diagnostic> diagnostics;                // errors first, then warnings
  bool ok() const { return definition != nullptr; }
};

// Parses the definition text and validates it the way CreateStateMachine does.
Parsed parse_definition(std::string_view text, const ParseOptions& options = {});

// Parses one state given alone (TestState), validated as a single-state machine whose
// Next targets are not required to exist.
Parsed parse_single_state(std::string_view state_json, std::string_view state_name,
                          const ParseOptions& options = {});

// "Invalid State Machine Definition: '<CODE>: <message> at <location>, ...'"
std::string invalid_definition_message(const std::vector<Diagnostic>& diagnostics);

// Which resource a Task state calls, split from its ARN.
struct TaskResource {
  enum class Kind { Activity, LambdaFunction, Service, Unknown };
  Kind kind = Kind::Unknown;
  std::string service;  // "sqs", "sns", "lambda", "states", "http", "aws-sdk:sqs", ...
  std::string action;   // "sendMessage", "invoke", "startExecution", ...
  std::string pattern;  // "", "sync", "sync:2", "waitForTaskToken"
};
TaskResource classify_resource(const std::string& arn);

}  // namespace sluice::services::sfn::asl
