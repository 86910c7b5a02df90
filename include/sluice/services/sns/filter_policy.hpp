#pragma once
// Subscription filter policies: validated when a subscription's FilterPolicy (or its
// FilterPolicyScope) is set (filter_validate.cpp), matched at Publish
// (filter_match.cpp). Two separate pieces, as AWS documents them
// (sns-message-filtering, subscription-filter-policy-constraints).
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/result.hpp"
#include "sluice/services/sns/types.hpp"

namespace sluice::services::sns {

enum class FilterScope { MessageAttributes, MessageBody };

// One branch of a policy after $or expansion: every key must match one of its rules.
struct FilterBranch {
  // Dotted key path (body scope: nested keys joined with '.'); attribute scope: name.
  std::vector<std::pair<std::vector<std::string>, nlohmann::json>> conditions;
};

struct FilterPolicy {
  FilterScope scope = FilterScope::MessageAttributes;
  nlohmann::json policy;               // as the user wrote it
  std::vector<FilterBranch> branches;  // matches when any branch matches
};

// Parses and validates `text` (the FilterPolicy attribute). `subscribe_call` selects the
// message prefix AWS uses ("Invalid parameter: Attributes Reason: " at Subscribe,
// "Invalid parameter: " at SetSubscriptionAttributes). Errors are InvalidParameter, or
// FilterPolicyLimitExceeded is never raised here (that is a per-account count).
Result<FilterPolicy> parse_filter_policy(const std::string& text, FilterScope scope,
                                         bool subscribe_call);

// Matching. Attribute scope reads the message attributes; body scope parses the message
// body as JSON (a body that is not a JSON object never matches).
bool filter_matches_attributes(const FilterPolicy& policy, const MessageAttributes& attributes);
bool filter_matches_body(const FilterPolicy& policy, const std::string& body);
bool filter_matches(const FilterPolicy& policy, const std::string& body,
                    const MessageAttributes& attributes);

}  // namespace sluice::services::sns
