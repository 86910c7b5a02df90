#include "render.hpp"

namespace sluice::api::sfn {

Json render_state_machine(const sfn_types::StateMachineInfo& i, bool metadata_only) {
  Json out = {{"stateMachineArn", i.arn}, {"name", i.name},
              {"status", i.status},       {"roleArn", i.role_arn},
              {"type", i.type},           {"creationDate", seconds(i.creation_date)}};
  if (!metadata_only) out["definition"] = i.definition;
  if (!i.logging_configuration.is_null()) out["loggingConfiguration"] = i.logging_configuration;
  if (!i.tracing_configuration.is_null()) out["tracingConfiguration"] = i.tracing_configuration;
  if (!i.encryption_configuration.is_null())
    out["encryptionConfiguration"] = i.encryption_configuration;
  if (!i.revision_id.empty()) out["revisionId"] = i.revision_id;
  if (!i.description.empty()) out["description"] = i.description;
  return out;
}

Json render_execution(const sfn_types::ExecutionInfo& i, bool metadata_only) {
  Json out = {{"executionArn", i.arn},
              {"stateMachineArn", i.state_machine_arn},
              {"name", i.name},
              {"status", i.status},
              {"startDate", seconds(i.start_date)}};
  if (i.stop_date) out["stopDate"] = seconds(i.stop_date);
  if (!metadata_only) {
    out["input"] = i.input;
    out["inputDetails"] = {{"included", true}};
    if (i.output) {
      out["output"] = *i.output;
      out["outputDetails"] = {{"included", true}};
    }
  } else {
    out["inputDetails"] = {{"included", false}};
    if (i.output) out["outputDetails"] = {{"included", false}};
  }
  if (!i.trace_header.empty()) out["traceHeader"] = i.trace_header;
  if (!i.map_run_arn.empty()) out["mapRunArn"] = i.map_run_arn;
  if (i.error) out["error"] = *i.error;
  if (i.cause) out["cause"] = *i.cause;
  if (!i.version_arn.empty()) out["stateMachineVersionArn"] = i.version_arn;
  if (!i.alias_arn.empty()) out["stateMachineAliasArn"] = i.alias_arn;
  if (!i.express) {
    out["redriveCount"] = i.redrive_count;
    if (i.redrive_date) out["redriveDate"] = seconds(i.redrive_date);
    out["redriveStatus"] = i.redrive_status;
    if (!i.redrive_status_reason.empty()) out["redriveStatusReason"] = i.redrive_status_reason;
  }
  return out;
}

Json render_execution_item(const sfn_types::ExecutionInfo& i) {
  Json out = {{"executionArn", i.arn},
              {"stateMachineArn", i.state_machine_arn},
              {"name", i.name},
              {"status", i.status},
              {"startDate", seconds(i.start_date)}};
  if (i.stop_date) out["stopDate"] = seconds(i.stop_date);
  if (!i.map_run_arn.empty()) out["mapRunArn"] = i.map_run_arn;
  if (!i.version_arn.empty()) out["stateMachineVersionArn"] = i.version_arn;
  if (!i.alias_arn.empty()) out["stateMachineAliasArn"] = i.alias_arn;
  out["redriveCount"] = i.redrive_count;
  if (i.redrive_date) out["redriveDate"] = seconds(i.redrive_date);
  return out;
}

Json render_sync_execution(const sfn_types::ExecutionInfo& i, bool metadata_only) {
  Json out = {{"executionArn", i.arn},
              {"stateMachineArn", i.state_machine_arn},
              {"name", i.name},
              {"startDate", seconds(i.start_date)},
              {"stopDate", seconds(i.stop_date)},
              {"status", i.status}};
  if (i.error) out["error"] = *i.error;
  if (i.cause) out["cause"] = *i.cause;
  if (!metadata_only) {
    out["input"] = i.input;
    out["inputDetails"] = {{"included", true}};
    if (i.output) {
      out["output"] = *i.output;
      out["outputDetails"] = {{"included", true}};
    }
  }
  if (!i.trace_header.empty()) out["traceHeader"] = i.trace_header;
  // AWS bills Express executions per 100 ms and 64 MB steps.
  const TimeMs duration = i.stop_date - i.start_date;
  out["billingDetails"] = {
      {"billedMemoryUsedInMB", 64},
      {"billedDurationInMilliseconds", std::max<TimeMs>(100, (duration + 99) / 100 * 100)}};
  return out;
}

Json render_event(const sfn_types::HistoryEvent& e) {
  Json out = {{"timestamp", seconds(e.timestamp)},
              {"type", e.type},
              {"id", e.id},
              {"previousEventId", e.previous_id}};
  if (!e.detail_key.empty()) out[e.detail_key] = e.detail.is_null() ? Json::object() : e.detail;
  return out;
}

Json render_map_run(const sfn_types::MapRunInfo& i) {
  auto counts = [](const sfn_types::MapRunCounts& c) {
    return Json{{"pending", c.pending},
                {"running", c.running},
                {"succeeded", c.succeeded},
                {"failed", c.failed},
                {"timedOut", c.timed_out},
                {"aborted", c.aborted},
                {"total", c.total},
                {"resultsWritten", c.results_written},
                {"failuresNotRedrivable", c.failures_not_redrivable},
                {"pendingRedrive", c.pending_redrive}};
  };
  Json out = {{"mapRunArn", i.arn},
              {"executionArn", i.execution_arn},
              {"status", i.status},
              {"startDate", seconds(i.start_date)},
              {"maxConcurrency", i.max_concurrency},
              {"toleratedFailurePercentage", i.tolerated_failure_percentage},
              {"toleratedFailureCount", i.tolerated_failure_count},
              {"itemCounts", counts(i.item_counts)},
              {"executionCounts", counts(i.execution_counts)},
              {"redriveCount", i.redrive_count}};
  if (i.stop_date) out["stopDate"] = seconds(i.stop_date);
  if (i.redrive_date) out["redriveDate"] = seconds(i.redrive_date);
  return out;
}

Json render_tags(const std::vector<sfn_types::Tag>& tags) {
  Json out = Json::array();
  for (const auto& t : tags)
    out.push_back({{"key", t.key}, {"value", t.value}});
  return out;
}

std::vector<sfn_types::Tag> parse_tags(const Json& tags) {
  std::vector<sfn_types::Tag> out;
  if (!tags.is_array()) return out;
  for (const auto& t : tags)
    out.push_back({t.value("key", ""), t.value("value", "")});
  return out;
}

}  // namespace sluice::api::sfn
