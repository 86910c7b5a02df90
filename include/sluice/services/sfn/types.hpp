#pragma once
// The Step Functions engine's request and result types. Plain C++; the API layer maps
// them to and from the wire.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/clock.hpp"

namespace sluice::services::sfn {

// Opaque configuration documents the service stores and echoes (logging, tracing,
// encryption). Null when absent.
using Doc = nlohmann::json;

// Who is asking: ARNs are built in the caller's region and account.
struct Scope {
  std::string region;
  std::string account;
};

struct Tag {
  std::string key;
  std::string value;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty: last page
};

// ---- state machines ----

struct CreateStateMachineRequest {
  std::string name;
  std::string definition;
  std::string role_arn;
  std::string type = "STANDARD";
  Doc logging_configuration;
  Doc tracing_configuration;
  Doc encryption_configuration;
  std::vector<Tag> tags;
  bool publish = false;
  std::string version_description;
};

struct CreateStateMachineResult {
  std::string state_machine_arn;
  TimeMs creation_date = 0;
  std::string version_arn;  // when published
};

struct StateMachineInfo {
  std::string arn;
  std::string name;
  std::string status = "ACTIVE";
  std::string definition;
  std::string role_arn;
  std::string type;
  std::string revision_id;
  std::string description;  // versions
  TimeMs creation_date = 0;
  Doc logging_configuration;
  Doc tracing_configuration;
  Doc encryption_configuration;
};

struct StateMachineForExecution {
  std::string arn;
  std::string name;
  std::string definition;
  std::string role_arn;
  std::string revision_id;
  std::string label;        // child executions of a distributed Map
  std::string map_run_arn;  // idem
  TimeMs update_date = 0;
  Doc logging_configuration;
  Doc tracing_configuration;
  Doc encryption_configuration;
};

struct UpdateStateMachineRequest {
  std::string arn;
  std::optional<std::string> definition;
  std::optional<std::string> role_arn;
  Doc logging_configuration;
  Doc tracing_configuration;
  Doc encryption_configuration;
  bool publish = false;
  std::string version_description;
};

struct UpdateStateMachineResult {
  TimeMs update_date = 0;
  std::string revision_id;
  std::string version_arn;
};

struct StateMachineListItem {
  std::string arn;
  std::string name;
  std::string type;
  TimeMs creation_date = 0;
};

struct ArnAndDate {
  std::string arn;
  TimeMs date = 0;
};

struct RoutingEntry {
  std::string version_arn;
  int weight = 0;
};

struct AliasInfo {
  std::string arn;
  std::string name;
  std::string description;
  std::vector<RoutingEntry> routing;
  TimeMs creation_date = 0;
  TimeMs update_date = 0;
};

// ---- executions ----

struct StartExecutionRequest {
  std::string target_arn;  // state machine, version or alias ARN
  std::string name;        // empty: a UUID
  std::optional<std::string> input;
  std::string trace_header;
};

struct ExecutionInfo {
  std::string arn;
  std::string state_machine_arn;
  std::string name;
  std::string status;  // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
  std::string input;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::string trace_header;
  std::string map_run_arn;
  std::string version_arn;
  std::string alias_arn;
  TimeMs start_date = 0;
  TimeMs stop_date = 0;  // 0: still running
  int redrive_count = 0;
  TimeMs redrive_date = 0;
  std::string redrive_status;  // REDRIVABLE, NOT_REDRIVABLE, REDRIVABLE_BY_MAP_RUN
  std::string redrive_status_reason;
  bool express = false;
};

struct ListExecutionsRequest {
  std::string state_machine_arn;
  std::string map_run_arn;
  std::string status_filter;
  std::string redrive_filter;
  int max_results = 0;
  std::string next_token;
};

struct HistoryEvent {
  std::int64_t id = 0;
  std::int64_t previous_id = 0;
  TimeMs timestamp = 0;
  std::string type;
  std::string detail_key;  // "stateEnteredEventDetails", ...; empty when none
  Doc detail;
};

struct HistoryRequest {
  std::string execution_arn;
  int max_results = 0;
  bool reverse_order = false;
  std::string next_token;
  bool include_execution_data = true;
};

// ---- activities ----

struct ActivityInfo {
  std::string arn;
  std::string name;
  TimeMs creation_date = 0;
  Doc encryption_configuration;
};

struct ActivityTask {
  std::string task_token;  // empty: no task within the poll
  std::string input;
};

// ---- map runs ----

struct MapRunCounts {
  std::int64_t pending = 0, running = 0, succeeded = 0, failed = 0, timed_out = 0, aborted = 0,
               total = 0, results_written = 0, failures_not_redrivable = 0, pending_redrive = 0;
};

struct MapRunInfo {
  std::string arn;
  std::string execution_arn;
  std::string state_machine_arn;  // the child workflow's "state machine" (label ARN)
  std::string status;             // RUNNING, SUCCEEDED, FAILED, ABORTED
  TimeMs start_date = 0;
  TimeMs stop_date = 0;
  std::int64_t max_concurrency = 0;
  double tolerated_failure_percentage = 0;
  std::int64_t tolerated_failure_count = 0;
  MapRunCounts item_counts;
  MapRunCounts execution_counts;
  int redrive_count = 0;
  TimeMs redrive_date = 0;
};

struct UpdateMapRunRequest {
  std::string arn;
  std::optional<std::int64_t> max_concurrency;
  std::optional<double> tolerated_failure_percentage;
  std::optional<std::int64_t> tolerated_failure_count;
};

// ---- validation and TestState ----

struct ValidationDiagnostic {
  std::string severity;
  std::string code;
  std::string message;
  std::string location;
};

struct ValidationResult {
  std::string result;  // OK, FAIL
  std::vector<ValidationDiagnostic> diagnostics;
  bool truncated = false;
};

struct TestStateRequest {
  std::string definition;
  std::string role_arn;
  std::optional<std::string> input;
  std::string inspection_level = "INFO";  // INFO, DEBUG, TRACE
  bool reveal_secrets = false;
  std::string state_name;
  std::optional<std::string> context;
  // mock
  std::optional<std::string> mock_result;
  std::optional<std::string> mock_error;
  std::optional<std::string> mock_cause;
  bool mock_error_given = false;
  // stateConfiguration
  std::optional<std::int64_t> retrier_retry_count;
  std::optional<std::string> error_caused_by_state;         // Map/Parallel with a mocked error
  std::optional<std::int64_t> map_iteration_failure_count;  // Map with a mock
  std::optional<std::string> map_item_reader_data;          // what a Map's ItemReader reads
};

struct TestStateResult {
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::string next_state;
  std::string status;   // SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR
  Doc inspection_data;  // null at INFO
};

}  // namespace sluice::services::sfn
