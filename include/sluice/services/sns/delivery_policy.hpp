#pragma once
// HTTP/S delivery policies (AWS: "Creating an HTTP/S delivery policy") and the retry
// schedule they describe, computed as plain numbers so a virtual clock can run it.
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.hpp"
#include "sluice/common/result.hpp"

namespace sluice::services::sns {

struct RetryPolicy {
  int min_delay_target = 20;  // seconds
  int max_delay_target = 20;
  int num_retries = 3;
  int num_max_delay_retries = 0;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  std::string backoff_function = "linear";  // linear | arithmetic | geometric | exponential
};

struct EffectiveDeliveryPolicy {
  RetryPolicy retry;
  std::optional<int> max_receives_per_second;  // throttlePolicy
  std::string header_content_type = "text/plain; charset=UTF-8";
};

// Validates a subscription DeliveryPolicy ({"healthyRetryPolicy":..., "throttlePolicy":
// ..., "requestPolicy":...}). Message texts follow AWS's "Invalid parameter:
// DeliveryPolicy: ..." form; `prefix` is prepended ("Invalid parameter: Attributes
// Reason: " at Subscribe).
Status validate_subscription_delivery_policy(const std::string& text, const std::string& prefix);
// Validates a topic DeliveryPolicy ({"http": {"defaultHealthyRetryPolicy": ...}}).
Status validate_topic_delivery_policy(const std::string& text);

// The policy an HTTP/S subscription runs under: the topic's http defaults, overridden
// by the subscription's own policy unless the topic disables overrides.
EffectiveDeliveryPolicy effective_delivery_policy(const std::string& topic_policy,
                                                  const std::string& subscription_policy);

// The default EffectiveDeliveryPolicy topic attribute AWS reports.
std::string default_topic_effective_delivery_policy();
// The EffectiveDeliveryPolicy subscription attribute for an http/https subscription.
std::string describe_effective_delivery_policy(const EffectiveDeliveryPolicy& policy);

// Delay in milliseconds before retry number `retry` (1-based) of `policy`, or nullopt
// once the policy is exhausted. The four phases run in AWS's order: immediate
// (no delay), pre-backoff (min delay), backoff (min -> max by the backoff function),
// post-backoff (max delay).
std::optional<TimeMs> retry_delay_ms(const RetryPolicy& policy, int retry);

// The AWS-managed policy for SQS and Lambda endpoints: 3 immediate, 2 at 1 s, 10
// exponential from 1 s to 20 s, then 100,000 at 20 s.
RetryPolicy managed_endpoint_retry_policy();

}  // namespace sluice::services::sns
