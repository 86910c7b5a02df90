#pragma once
// Engine results -> Step Functions JSON (member names and shapes of the AWS model;
// timestamps as epoch seconds with fractions).
#include "sluice/api/service.hpp"
#include "sluice/services/sfn/types.hpp"

namespace sluice::api::sfn {

namespace sfn_types = services::sfn;

inline double seconds(TimeMs t) {
  return static_cast<double>(t) / 1000.0;
}

Json render_state_machine(const sfn_types::StateMachineInfo& i, bool metadata_only);
Json render_execution(const sfn_types::ExecutionInfo& i, bool metadata_only);
Json render_execution_item(const sfn_types::ExecutionInfo& i);
Json render_sync_execution(const sfn_types::ExecutionInfo& i, bool metadata_only);
Json render_event(const sfn_types::HistoryEvent& e);
Json render_map_run(const sfn_types::MapRunInfo& i);
Json render_tags(const std::vector<sfn_types::Tag>& tags);
std::vector<sfn_types::Tag> parse_tags(const Json& tags);

}  // namespace sluice::api::sfn
