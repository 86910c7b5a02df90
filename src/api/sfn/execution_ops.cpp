// Executions, history, callbacks, activity tasks, map runs and TestState.
#include "handlers.hpp"

namespace sluice::api::sfn {

using namespace protocol;
using services::sfn::ActivityTask;
using services::sfn::ArnAndDate;
using services::sfn::ExecutionInfo;
using services::sfn::HistoryEvent;
using services::sfn::MapRunInfo;
using services::sfn::Page;
using services::sfn::StateMachineForExecution;
using K = Rule::Kind;

namespace {

const std::vector<std::string> kIncluded = {"ALL_DATA", "METADATA_ONLY"};

// AWS holds GetActivityTask for up to 60 seconds.
constexpr TimeMs kActivityPollMs = 60000;

std::vector<Rule> start_rules() {
  return {{"stateMachineArn", K::String, 1, 256},
          {"name", K::String, 1, 80},
          {"input", K::SensitiveData, 0, 262144},
          {"traceHeader", K::String, 0, 256}};
}

services::sfn::StartExecutionRequest start_request(const Json& in) {
  services::sfn::StartExecutionRequest r;
  r.target_arn = str(in, "stateMachineArn");
  r.name = str(in, "name");
  r.input = opt_str(in, "input");
  r.trace_header = str(in, "traceHeader");
  return r;
}

ShapePtr start_shape(bool sync) {
  std::vector<Member> members = {member("stateMachineArn", string_shape()).req(),
                                 member("name", string_shape()), member("input", string_shape()),
                                 member("traceHeader", string_shape())};
  if (sync) members.push_back(member("includedData", string_shape()));
  return structure(std::move(members));
}

}  // namespace

void add_execution_ops(ServiceDecl& decl, EnginePtr engine) {
  add_op(decl, "StartExecution", start_shape(false), start_rules(),
         [engine](const Call& c, Json in, Reply reply) {
           engine->start_execution(
               scope_of(c), start_request(in), answer<ArnAndDate>(reply, [](const ArnAndDate& o) {
                 return Json{{"executionArn", o.arn}, {"startDate", seconds(o.date)}};
               }));
         });

  auto sync_rules = start_rules();
  sync_rules.push_back({"includedData", K::Enum, 0, 0, kIncluded});
  add_op(decl, "StartSyncExecution", start_shape(true), sync_rules,
         [engine](const Call& c, Json in, Reply reply) {
           const bool meta = str(in, "includedData") == "METADATA_ONLY";
           engine->start_sync_execution(
               scope_of(c), start_request(in),
               answer<ExecutionInfo>(reply, [meta](const ExecutionInfo& i) {
                 return render_sync_execution(i, meta);
               }));
         });

  add_op(decl, "StopExecution",
         structure({member("executionArn", string_shape()).req(), member("error", string_shape()),
                    member("cause", string_shape())}),
         {{"executionArn", K::String, 1, 256},
          {"error", K::Sensitive, 0, 256},
          {"cause", K::Sensitive, 0, 32768}},
         [engine](const Call&, Json in, Reply reply) {
           engine->stop_execution(str(in, "executionArn"), opt_str(in, "error"),
                                  opt_str(in, "cause"), answer<TimeMs>(reply, [](TimeMs t) {
                                    return Json{{"stopDate", seconds(t)}};
                                  }));
         });

  add_op(decl, "DescribeExecution",
         structure({member("executionArn", string_shape()).req(),
                    member("includedData", string_shape())}),
         {{"executionArn", K::String, 1, 256}, {"includedData", K::Enum, 0, 0, kIncluded}},
         [engine](const Call&, Json in, Reply reply) {
           const bool meta = str(in, "includedData") == "METADATA_ONLY";
           engine->describe_execution(str(in, "executionArn"),
                                      answer<ExecutionInfo>(reply, [meta](const ExecutionInfo& i) {
                                        return render_execution(i, meta);
                                      }));
         });

  add_op(decl, "DescribeStateMachineForExecution",
         structure({member("executionArn", string_shape()).req(),
                    member("includedData", string_shape())}),
         {{"executionArn", K::String, 1, 256}, {"includedData", K::Enum, 0, 0, kIncluded}},
         [engine](const Call&, Json in, Reply reply) {
           const bool meta = str(in, "includedData") == "METADATA_ONLY";
           engine->describe_state_machine_for_execution(
               str(in, "executionArn"),
               answer<StateMachineForExecution>(reply, [meta](const StateMachineForExecution& m) {
                 Json out = {{"stateMachineArn", m.arn},
                             {"name", m.name},
                             {"roleArn", m.role_arn},
                             {"updateDate", seconds(m.update_date)}};
                 if (!meta) out["definition"] = m.definition;
                 if (!m.logging_configuration.is_null())
                   out["loggingConfiguration"] = m.logging_configuration;
                 if (!m.tracing_configuration.is_null())
                   out["tracingConfiguration"] = m.tracing_configuration;
                 if (!m.encryption_configuration.is_null())
                   out["encryptionConfiguration"] = m.encryption_configuration;
                 if (!m.revision_id.empty()) out["revisionId"] = m.revision_id;
                 if (!m.map_run_arn.empty()) out["mapRunArn"] = m.map_run_arn;
                 if (!m.label.empty()) out["label"] = m.label;
                 return out;
               }));
         });

  add_op(
      decl, "ListExecutions",
      structure({member("stateMachineArn", string_shape()), member("statusFilter", string_shape()),
                 member("maxResults", integer_shape()), member("nextToken", string_shape()),
                 member("mapRunArn", string_shape()), member("redriveFilter", string_shape())}),
      {{"stateMachineArn", K::String, 1, 256},
       {"statusFilter",
        K::Enum,
        0,
        0,
        {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}},
       {"maxResults", K::Integer, 0, 1000},
       {"nextToken", K::String, 1, 3096},
       {"mapRunArn", K::String, 1, 2000},
       {"redriveFilter", K::Enum, 0, 0, {"REDRIVEN", "NOT_REDRIVEN"}}},
      [engine](const Call&, Json in, Reply reply) {
        services::sfn::ListExecutionsRequest r;
        r.state_machine_arn = str(in, "stateMachineArn");
        r.map_run_arn = str(in, "mapRunArn");
        r.status_filter = str(in, "statusFilter");
        r.redrive_filter = str(in, "redriveFilter");
        r.max_results = integer(in, "maxResults");
        r.next_token = str(in, "nextToken");
        engine->list_executions(
            std::move(r), answer<Page<ExecutionInfo>>(reply, [](const Page<ExecutionInfo>& p) {
              Json items = Json::array();
              for (const auto& i : p.items)
                items.push_back(render_execution_item(i));
              Json out = {{"executions", items}};
              if (!p.next_token.empty()) out["nextToken"] = p.next_token;
              return out;
            }));
      });

  add_op(decl, "GetExecutionHistory",
         structure({member("executionArn", string_shape()).req(),
                    member("maxResults", integer_shape()), member("reverseOrder", boolean_shape()),
                    member("nextToken", string_shape()),
                    member("includeExecutionData", boolean_shape())}),
         {{"executionArn", K::String, 1, 256},
          {"maxResults", K::Integer, 0, 1000},
          {"nextToken", K::String, 1, 1024}},
         [engine](const Call&, Json in, Reply reply) {
           services::sfn::HistoryRequest r;
           r.execution_arn = str(in, "executionArn");
           r.max_results = integer(in, "maxResults");
           r.reverse_order = boolean(in, "reverseOrder");
           r.next_token = str(in, "nextToken");
           r.include_execution_data = boolean(in, "includeExecutionData", true);
           engine->get_execution_history(
               std::move(r), answer<Page<HistoryEvent>>(reply, [](const Page<HistoryEvent>& p) {
                 Json events = Json::array();
                 for (const auto& e : p.items)
                   events.push_back(render_event(e));
                 Json out = {{"events", events}};
                 if (!p.next_token.empty()) out["nextToken"] = p.next_token;
                 return out;
               }));
         });

  add_op(decl, "RedriveExecution",
         structure(
             {member("executionArn", string_shape()).req(), member("clientToken", string_shape())}),
         {{"executionArn", K::String, 1, 256}, {"clientToken", K::String, 1, 64}},
         [engine](const Call&, Json in, Reply reply) {
           engine->redrive_execution(str(in, "executionArn"), str(in, "clientToken"),
                                     answer<TimeMs>(reply, [](TimeMs t) {
                                       return Json{{"redriveDate", seconds(t)}};
                                     }));
         });

  // ---- callbacks ----
  add_op(decl, "SendTaskSuccess",
         structure(
             {member("taskToken", string_shape()).req(), member("output", string_shape()).req()}),
         {{"taskToken", K::String, 1, 2048}, {"output", K::SensitiveData, 0, 262144}},
         [engine](const Call&, Json in, Reply reply) {
           engine->send_task_success(str(in, "taskToken"), str(in, "output"), answer_empty(reply));
         });

  add_op(decl, "SendTaskFailure",
         structure({member("taskToken", string_shape()).req(), member("error", string_shape()),
                    member("cause", string_shape())}),
         {{"taskToken", K::String, 1, 2048},
          {"error", K::Sensitive, 0, 256},
          {"cause", K::Sensitive, 0, 32768}},
         [engine](const Call&, Json in, Reply reply) {
           engine->send_task_failure(str(in, "taskToken"), str(in, "error"), str(in, "cause"),
                                     answer_empty(reply));
         });

  add_op(decl, "SendTaskHeartbeat", structure({member("taskToken", string_shape()).req()}),
         {{"taskToken", K::String, 1, 2048}}, [engine](const Call&, Json in, Reply reply) {
           engine->send_task_heartbeat(str(in, "taskToken"), answer_empty(reply));
         });

  add_op(decl, "GetActivityTask",
         structure(
             {member("activityArn", string_shape()).req(), member("workerName", string_shape())}),
         {{"activityArn", K::String, 1, 256}, {"workerName", K::String, 1, 80}},
         [engine](const Call&, Json in, Reply reply) {
           engine->get_activity_task(str(in, "activityArn"), str(in, "workerName"), kActivityPollMs,
                                     answer<ActivityTask>(reply, [](const ActivityTask& t) {
                                       if (t.task_token.empty()) return Json::object();
                                       return Json{{"taskToken", t.task_token}, {"input", t.input}};
                                     }));
         });

  // ---- map runs ----
  add_op(decl, "ListMapRuns",
         structure({member("executionArn", string_shape()).req(),
                    member("maxResults", integer_shape()), member("nextToken", string_shape())}),
         {{"executionArn", K::String, 1, 256},
          {"maxResults", K::Integer, 0, 1000},
          {"nextToken", K::String, 1, 1024}},
         [engine](const Call&, Json in, Reply reply) {
           engine->list_map_runs(str(in, "executionArn"), integer(in, "maxResults"),
                                 str(in, "nextToken"),
                                 answer<Page<MapRunInfo>>(reply, [](const Page<MapRunInfo>& p) {
                                   Json items = Json::array();
                                   for (const auto& r : p.items) {
                                     Json j = {{"executionArn", r.execution_arn},
                                               {"mapRunArn", r.arn},
                                               {"stateMachineArn", r.state_machine_arn},
                                               {"startDate", seconds(r.start_date)}};
                                     if (r.stop_date) j["stopDate"] = seconds(r.stop_date);
                                     items.push_back(std::move(j));
                                   }
                                   Json out = {{"mapRuns", items}};
                                   if (!p.next_token.empty()) out["nextToken"] = p.next_token;
                                   return out;
                                 }));
         });

  add_op(decl, "DescribeMapRun", structure({member("mapRunArn", string_shape()).req()}),
         {{"mapRunArn", K::String, 1, 2000}}, [engine](const Call&, Json in, Reply reply) {
           engine->describe_map_run(
               str(in, "mapRunArn"),
               answer<MapRunInfo>(reply, [](const MapRunInfo& r) { return render_map_run(r); }));
         });

  add_op(
      decl, "UpdateMapRun",
      structure({member("mapRunArn", string_shape()).req(),
                 member("maxConcurrency", integer_shape()),
                 member("toleratedFailurePercentage", double_shape()),
                 member("toleratedFailureCount", long_shape())}),
      {{"mapRunArn", K::String, 1, 2000},
       {"maxConcurrency", K::Integer, 0, 0},
       {"toleratedFailurePercentage", K::Number, 0, 100},
       {"toleratedFailureCount", K::Integer, 0, 0}},
      [engine](const Call&, Json in, Reply reply) {
        services::sfn::UpdateMapRunRequest r;
        r.arn = str(in, "mapRunArn");
        if (in.contains("maxConcurrency") && in["maxConcurrency"].is_number_integer())
          r.max_concurrency = in["maxConcurrency"].get<std::int64_t>();
        if (in.contains("toleratedFailureCount") && in["toleratedFailureCount"].is_number_integer())
          r.tolerated_failure_count = in["toleratedFailureCount"].get<std::int64_t>();
        if (in.contains("toleratedFailurePercentage") &&
            in["toleratedFailurePercentage"].is_number())
          r.tolerated_failure_percentage = in["toleratedFailurePercentage"].get<double>();
        engine->update_map_run(std::move(r), answer_empty(reply));
      });

  // ---- TestState ----
  add_op(
      decl, "TestState",
      structure({member("definition", string_shape()).req(), member("roleArn", string_shape()),
                 member("input", string_shape()), member("inspectionLevel", string_shape()),
                 member("revealSecrets", boolean_shape()), member("variables", string_shape()),
                 member("stateName", string_shape()),
                 member("mock", structure({member("result", string_shape()),
                                           member("errorOutput",
                                                  structure({member("error", string_shape()),
                                                             member("cause", string_shape())})),
                                           member("fieldValidationMode", string_shape())})),
                 member("context", string_shape()),
                 member("stateConfiguration",
                        structure({member("retrierRetryCount", integer_shape()),
                                   member("errorCausedByState", string_shape()),
                                   member("mapIterationFailureCount", integer_shape()),
                                   member("mapItemReaderData", string_shape())}))}),
      {{"definition", K::Sensitive, 1, 1048576},
       {"roleArn", K::String, 1, 256},
       {"input", K::SensitiveData, 0, 262144},
       {"inspectionLevel", K::Enum, 0, 0, {"INFO", "DEBUG", "TRACE"}},
       {"variables", K::SensitiveData, 0, 262144},
       {"stateName", K::String, 1, 80},
       {"context", K::SensitiveData, 0, 262144}},
      [engine](const Call& c, Json in, Reply reply) {
        services::sfn::TestStateRequest r;
        r.definition = str(in, "definition");
        r.role_arn = str(in, "roleArn");
        r.input = opt_str(in, "input");
        if (auto l = opt_str(in, "inspectionLevel")) r.inspection_level = *l;
        r.reveal_secrets = boolean(in, "revealSecrets");
        r.state_name = str(in, "stateName");
        r.context = opt_str(in, "context");
        if (auto m = in.find("mock"); m != in.end() && m->is_object()) {
          r.mock_result = opt_str(*m, "result");
          if (auto eo = m->find("errorOutput"); eo != m->end() && eo->is_object()) {
            r.mock_error_given = true;
            r.mock_error = opt_str(*eo, "error");
            r.mock_cause = opt_str(*eo, "cause");
          }
        }
        if (auto sc = in.find("stateConfiguration"); sc != in.end() && sc->is_object()) {
          if (sc->contains("retrierRetryCount") && (*sc)["retrierRetryCount"].is_number_integer())
            r.retrier_retry_count = (*sc)["retrierRetryCount"].get<std::int64_t>();
          r.error_caused_by_state = opt_str(*sc, "errorCausedByState");
          if (sc->contains("mapIterationFailureCount") &&
              (*sc)["mapIterationFailureCount"].is_number_integer())
            r.map_iteration_failure_count = (*sc)["mapIterationFailureCount"].get<std::int64_t>();
          r.map_item_reader_data = opt_str(*sc, "mapItemReaderData");
        }
        engine->test_state(scope_of(c), std::move(r),
                           answer<services::sfn::TestStateResult>(
                               reply, [](const services::sfn::TestStateResult& t) {
                                 Json out = {{"status", t.status}};
                                 if (t.output) out["output"] = *t.output;
                                 if (t.error) out["error"] = *t.error;
                                 if (t.cause) out["cause"] = *t.cause;
                                 if (!t.next_state.empty()) out["nextState"] = t.next_state;
                                 if (!t.inspection_data.is_null())
                                   out["inspectionData"] = t.inspection_data;
                                 return out;
                               }));
      });
}

}  // namespace sluice::api::sfn
