#pragma once
// The Step Functions engine: state machines, versions, aliases, activities, executions
// and their interpreter, on an injected clock, timers and store. Plain C++.
//
// Concurrency (see src/services/sfn/README.md): every piece of engine state is owned by
// one engine thread. Public operations post their work there and answer through `done`,
// which runs on the engine thread (or on the store's thread once the change is durable).
// Timers, Lambda/HTTP replies and other engines' callbacks post back to the same thread,
// so executions never race and no engine state is locked.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sluice/common/result.hpp"
#include "sluice/services/runtime.hpp"
#include "sluice/services/sfn/ports.hpp"
#include "sluice/services/sfn/types.hpp"

namespace sluice::services::sfn {

struct EngineOptions {
  std::shared_ptr<ServicePort> sqs;  // sqs:sendMessage and aws-sdk:sqs:* tasks
  std::shared_ptr<ServicePort> sns;  // sns:publish and aws-sdk:sns:* tasks
  std::shared_ptr<HttpPort> http;    // Lambda forwarding and http:invoke
  // Base URL of a service speaking the Lambda Invoke API (e.g. http://127.0.0.1:9001).
  std::string lambda_endpoint;
  // Step Functions Local mock configuration (JSON text); empty: none.
  std::string mock_config;
};

template <typename T>
using Done = std::function<void(Result<T>)>;
using DoneStatus = std::function<void(Status)>;

class Engine;

class SfnEngine : public std::enable_shared_from_this<SfnEngine> {
 public:
  static Result<std::shared_ptr<SfnEngine>> create(Runtime& runtime, EngineOptions options = {});
  ~SfnEngine();
  SfnEngine(const SfnEngine&) = delete;
  SfnEngine& operator=(const SfnEngine&) = delete;

  // Loads persisted state and resumes running executions (startup only).
  Status restore();
  // Drops all state (admin reset), persisted records included. Blocks until done.
  void reset();
  // Stops the engine thread; pending work is dropped.
  void shutdown();
  // Blocks until the engine thread has processed everything posted before this call
  // (tests; never from the engine thread).
  void sync();

  // ---- state machines ----
  void create_state_machine(Scope scope, CreateStateMachineRequest request,
                            Done<CreateStateMachineResult> done);
  void describe_state_machine(std::string arn, Done<StateMachineInfo> done);
  void describe_state_machine_for_execution(std::string execution_arn,
                                            Done<StateMachineForExecution> done);
  void update_state_machine(UpdateStateMachineRequest request, Done<UpdateStateMachineResult> done);
  void delete_state_machine(std::string arn, DoneStatus done);
  void list_state_machines(Scope scope, int max_results, std::string next_token,
                           Done<Page<StateMachineListItem>> done);

  // ---- versions and aliases ----
  void publish_state_machine_version(std::string arn, std::optional<std::string> revision_id,
                                     std::string description, Done<ArnAndDate> done);
  void list_state_machine_versions(std::string arn, int max_results, std::string next_token,
                                   Done<Page<ArnAndDate>> done);
  void delete_state_machine_version(std::string version_arn, DoneStatus done);
  void create_state_machine_alias(std::string name, std::string description,
                                  std::vector<RoutingEntry> routing, Done<ArnAndDate> done);
  void describe_state_machine_alias(std::string alias_arn, Done<AliasInfo> done);
  void update_state_machine_alias(std::string alias_arn, std::optional<std::string> description,
                                  std::optional<std::vector<RoutingEntry>> routing,
                                  Done<TimeMs> done);
  void delete_state_machine_alias(std::string alias_arn, DoneStatus done);
  void list_state_machine_aliases(std::string arn, int max_results, std::string next_token,
                                  Done<Page<ArnAndDate>> done);

  // ---- executions ----
  void start_execution(Scope scope, StartExecutionRequest request, Done<ArnAndDate> done);
  // Express only; answers when the execution ends.
  void start_sync_execution(Scope scope, StartExecutionRequest request, Done<ExecutionInfo> done);
  void stop_execution(std::string arn, std::optional<std::string> error,
                      std::optional<std::string> cause, Done<TimeMs> done);
  void describe_execution(std::string arn, Done<ExecutionInfo> done);
  void list_executions(ListExecutionsRequest request, Done<Page<ExecutionInfo>> done);
  void get_execution_history(HistoryRequest request, Done<Page<HistoryEvent>> done);
  void redrive_execution(std::string arn, std::string client_token, Done<TimeMs> done);

  // ---- callbacks ----
  void send_task_success(std::string token, std::string output, DoneStatus done);
  void send_task_failure(std::string token, std::string error, std::string cause, DoneStatus done);
  void send_task_heartbeat(std::string token, DoneStatus done);

  // ---- activities ----
  void create_activity(Scope scope, std::string name, std::vector<Tag> tags, Doc encryption,
                       Done<ArnAndDate> done);
  void describe_activity(std::string arn, Done<ActivityInfo> done);
  void delete_activity(std::string arn, DoneStatus done);
  void list_activities(Scope scope, int max_results, std::string next_token,
                       Done<Page<ActivityInfo>> done);
  // Long poll: answers with a task as soon as one is scheduled, or an empty task after
  // `wait_ms` (AWS holds the request for up to 60 s).
  void get_activity_task(std::string arn, std::string worker_name, TimeMs wait_ms,
                         Done<ActivityTask> done);

  // ---- tags ----
  void tag_resource(std::string arn, std::vector<Tag> tags, DoneStatus done);
  void untag_resource(std::string arn, std::vector<std::string> keys, DoneStatus done);
  void list_tags_for_resource(std::string arn, Done<std::vector<Tag>> done);

  // ---- map runs ----
  void list_map_runs(std::string execution_arn, int max_results, std::string next_token,
                     Done<Page<MapRunInfo>> done);
  void describe_map_run(std::string arn, Done<MapRunInfo> done);
  void update_map_run(UpdateMapRunRequest request, DoneStatus done);

  // ---- definitions ----
  // Synchronous: validation does not touch engine state.
  static ValidationResult validate_definition(const std::string& definition,
                                              const std::string& type, const std::string& severity,
                                              int max_results);
  void test_state(Scope scope, TestStateRequest request, Done<TestStateResult> done);

 private:
  SfnEngine(Runtime& runtime, EngineOptions options);
  std::unique_ptr<Engine> impl_;
};

}  // namespace sluice::services::sfn
