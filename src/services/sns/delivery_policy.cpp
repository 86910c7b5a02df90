// HTTP/S delivery policies: validation, the effective policy of a subscription and the
// retry schedule (AWS: "Amazon SNS message delivery retries").
#include "sluice/services/sns/delivery_policy.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "internal.hpp"

namespace sluice::services::sns {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

Error bad(const std::string& prefix, const std::string& what) {
  return Error::sender("InvalidParameterException", prefix + "DeliveryPolicy: " + what);
}

// Reads an integer member (absent: keeps `out`).
Status read_int(const Json& obj, const char* name, int& out, const std::string& prefix,
                const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return ok_status();
  if (!it->is_number_integer()) return bad(prefix, where + "." + name + " must be an integer");
  const auto v = it->get<long long>();
  if (v < 0 || v > 1000000) return bad(prefix, where + "." + name + " must be non-negative");
  out = static_cast<int>(v);
  return ok_status();
}

Result<RetryPolicy> parse_retry(const Json& obj, const std::string& prefix,
                                const std::string& where, RetryPolicy base) {
  if (!obj.is_object()) return bad(prefix, where + " must be an object");
  RetryPolicy p = base;
  SLUICE_TRY(read_int(obj, "minDelayTarget", p.min_delay_target, prefix, where));
  SLUICE_TRY(read_int(obj, "maxDelayTarget", p.max_delay_target, prefix, where));
  SLUICE_TRY(read_int(obj, "numRetries", p.num_retries, prefix, where));
  SLUICE_TRY(read_int(obj, "numMaxDelayRetries", p.num_max_delay_retries, prefix, where));
  SLUICE_TRY(read_int(obj, "numNoDelayRetries", p.num_no_delay_retries, prefix, where));
  SLUICE_TRY(read_int(obj, "numMinDelayRetries", p.num_min_delay_retries, prefix, where));
  if (auto it = obj.find("backoffFunction"); it != obj.end() && !it->is_null()) {
    if (!it->is_string()) return bad(prefix, where + ".backoffFunction must be a string");
    p.backoff_function = *it;
  }
  // AWS's documented limits for HTTP/S policies.
  if (p.min_delay_target < 1) return bad(prefix, where + ".minDelayTarget must be at least 1");
  if (p.max_delay_target > 3600) return bad(prefix, where + ".maxDelayTarget must be at most 3600");
  if (p.min_delay_target > p.max_delay_target)
    return bad(prefix, where + ".minDelayTarget must be less than or equal to maxDelayTarget");
  if (p.num_retries > 100) return bad(prefix, where + ".numRetries must be at most 100");
  if (p.num_no_delay_retries + p.num_min_delay_retries + p.num_max_delay_retries > p.num_retries)
    return bad(prefix, where +
                           ".numRetries must be at least the sum of numNoDelayRetries, "
                           "numMinDelayRetries and numMaxDelayRetries");
  if (p.backoff_function != "linear" && p.backoff_function != "arithmetic" &&
      p.backoff_function != "geometric" && p.backoff_function != "exponential")
    return bad(prefix, where +
                           ".backoffFunction must be one of linear, arithmetic, geometric, "
                           "exponential");
  // AWS: the total retry time of an HTTP/S policy cannot exceed 3,600 seconds.
  TimeMs total = 0;
  for (int i = 1; i <= p.num_retries; ++i)
    total += retry_delay_ms(p, i).value_or(0);
  if (total > 3600 * 1000)
    return bad(prefix, where + ": the total retry time cannot be greater than 3600 seconds");
  return p;
}

Status parse_throttle(const Json& obj, const std::string& prefix, const std::string& where,
                      std::optional<int>& out) {
  if (!obj.is_object()) return bad(prefix, where + " must be an object");
  auto it = obj.find("maxReceivesPerSecond");
  if (it == obj.end() || it->is_null()) return ok_status();
  if (!it->is_number_integer() || it->get<long long>() < 1)
    return bad(prefix, where + ".maxReceivesPerSecond must be a positive integer");
  out = static_cast<int>(it->get<long long>());
  return ok_status();
}

// AWS documents three values for headerContentType (set-sub-attributes-delivery-
// policy-json: "text/plain | application/json | application/xml"); its own default
// carries a parameter ("text/plain; charset=UTF-8"), so parameters are allowed.
bool supported_content_type(const std::string& value) {
  std::string type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.pop_back();
  std::size_t start = type.find_first_not_of(" \t");
  type = start == std::string::npos ? "" : ascii_lower(type.substr(start));
  return type == "text/plain" || type == "application/json" || type == "application/xml";
}

Status parse_request(const Json& obj, const std::string& prefix, const std::string& where,
                     std::string& out) {
  if (!obj.is_object()) return bad(prefix, where + " must be an object");
  auto it = obj.find("headerContentType");
  if (it == obj.end() || it->is_null()) return ok_status();
  if (!it->is_string() || !supported_content_type(it->get_ref<const std::string&>()))
    return bad(prefix, where +
                           ".headerContentType must be text/plain, application/json or "
                           "application/xml, optionally with parameters such as charset");
  out = *it;
  return ok_status();
}

Result<EffectiveDeliveryPolicy> parse_subscription_policy(const Json& p, const std::string& prefix,
                                                          EffectiveDeliveryPolicy base) {
  if (!p.is_object()) return bad(prefix, "must be a JSON object");
  if (auto it = p.find("healthyRetryPolicy"); it != p.end() && !it->is_null()) {
    auto r = parse_retry(*it, prefix, "healthyRetryPolicy", base.retry);
    if (!r.ok()) return std::move(r).error();
    base.retry = *r;
  }
  if (auto it = p.find("throttlePolicy"); it != p.end() && !it->is_null())
    SLUICE_TRY(parse_throttle(*it, prefix, "throttlePolicy", base.max_receives_per_second));
  if (auto it = p.find("requestPolicy"); it != p.end() && !it->is_null())
    SLUICE_TRY(parse_request(*it, prefix, "requestPolicy", base.header_content_type));
  return base;
}

Result<std::pair<EffectiveDeliveryPolicy, bool>> parse_topic_policy(const Json& p) {
  const std::string prefix = "Invalid parameter: ";
  if (!p.is_object()) return bad(prefix, "must be a JSON object");
  EffectiveDeliveryPolicy out;
  bool disable_overrides = false;
  auto http = p.find("http");
  if (http == p.end() || http->is_null()) return std::make_pair(out, false);
  if (!http->is_object()) return bad(prefix, "http must be an object");
  if (auto it = http->find("defaultHealthyRetryPolicy"); it != http->end() && !it->is_null()) {
    auto r = parse_retry(*it, prefix, "http.defaultHealthyRetryPolicy", out.retry);
    if (!r.ok()) return std::move(r).error();
    out.retry = *r;
  }
  if (auto it = http->find("defaultThrottlePolicy"); it != http->end() && !it->is_null())
    SLUICE_TRY(
        parse_throttle(*it, prefix, "http.defaultThrottlePolicy", out.max_receives_per_second));
  if (auto it = http->find("defaultRequestPolicy"); it != http->end() && !it->is_null())
    SLUICE_TRY(parse_request(*it, prefix, "http.defaultRequestPolicy", out.header_content_type));
  if (auto it = http->find("disableSubscriptionOverrides"); it != http->end() && !it->is_null()) {
    if (!it->is_boolean())
      return bad(prefix, "http.disableSubscriptionOverrides must be a boolean");
    disable_overrides = *it;
  }
  return std::make_pair(out, disable_overrides);
}

OrderedJson retry_json(const RetryPolicy& p) {
  return {{"minDelayTarget", p.min_delay_target},
          {"maxDelayTarget", p.max_delay_target},
          {"numRetries", p.num_retries},
          {"numMaxDelayRetries", p.num_max_delay_retries},
          {"numNoDelayRetries", p.num_no_delay_retries},
          {"numMinDelayRetries", p.num_min_delay_retries},
          {"backoffFunction", p.backoff_function}};
}

}  // namespace

Status validate_subscription_delivery_policy(const std::string& text, const std::string& prefix) {
  if (text.empty()) return ok_status();
  auto p = Json::parse(text, nullptr, false);
  if (p.is_discarded()) return bad(prefix, "failed to parse JSON");
  auto r = parse_subscription_policy(p, prefix, {});
  if (!r.ok()) return std::move(r).error();
  return ok_status();
}

Status validate_topic_delivery_policy(const std::string& text) {
  auto p = Json::parse(text, nullptr, false);
  if (p.is_discarded()) return bad("Invalid parameter: ", "failed to parse JSON");
  auto r = parse_topic_policy(p);
  if (!r.ok()) return std::move(r).error();
  return ok_status();
}

EffectiveDeliveryPolicy effective_delivery_policy(const std::string& topic_policy,
                                                  const std::string& subscription_policy) {
  EffectiveDeliveryPolicy out;
  bool disable_overrides = false;
  if (!topic_policy.empty()) {
    auto p = Json::parse(topic_policy, nullptr, false);
    if (!p.is_discarded()) {
      if (auto r = parse_topic_policy(p); r.ok()) std::tie(out, disable_overrides) = *r;
    }
  }
  if (!subscription_policy.empty() && !disable_overrides) {
    auto p = Json::parse(subscription_policy, nullptr, false);
    if (!p.is_discarded()) {
      if (auto r = parse_subscription_policy(p, "", out); r.ok()) out = *r;
    }
  }
  return out;
}

std::string default_topic_effective_delivery_policy() {
  OrderedJson p = {
      {"http",
       {{"defaultHealthyRetryPolicy", retry_json(RetryPolicy{})},
        {"disableSubscriptionOverrides", false},
        {"defaultRequestPolicy", {{"headerContentType", "text/plain; charset=UTF-8"}}}}}};
  return p.dump();
}

std::string describe_effective_delivery_policy(const EffectiveDeliveryPolicy& policy) {
  OrderedJson p = {{"healthyRetryPolicy", retry_json(policy.retry)},
                   {"sicklyRetryPolicy", nullptr},
                   {"throttlePolicy", nullptr},
                   {"requestPolicy", {{"headerContentType", policy.header_content_type}}},
                   {"guaranteed", false}};
  if (policy.max_receives_per_second)
    p["throttlePolicy"] = {{"maxReceivesPerSecond", *policy.max_receives_per_second}};
  return p.dump();
}

std::optional<TimeMs> retry_delay_ms(const RetryPolicy& p, int retry) {
  if (retry < 1 || retry > p.num_retries) return std::nullopt;
  const TimeMs min_ms = static_cast<TimeMs>(p.min_delay_target) * 1000;
  const TimeMs max_ms = static_cast<TimeMs>(p.max_delay_target) * 1000;
  const int no_delay = p.num_no_delay_retries;
  const int pre = p.num_min_delay_retries;
  const int post = p.num_max_delay_retries;
  const int backoff = std::max(0, p.num_retries - no_delay - pre - post);
  if (retry <= no_delay) return 0;
  if (retry <= no_delay + pre) return min_ms;
  if (retry <= no_delay + pre + backoff) {
    // AWS documents the shapes of the four backoff functions, not their formulas: each
    // goes from the minimum delay to the maximum over the backoff phase, linear as a
    // straight line, the others increasingly steep towards the end.
    const int k = retry - no_delay - pre;
    const double x = static_cast<double>(k) / backoff;
    double f = x;
    if (p.backoff_function == "arithmetic") {
      f = (static_cast<double>(k) * (k + 1) / 2.0) /
          (static_cast<double>(backoff) * (backoff + 1) / 2.0);
    } else if (p.backoff_function == "geometric") {
      f = x * x * x;
    } else if (p.backoff_function == "exponential") {
      f = (std::pow(2.0, k) - 1.0) / (std::pow(2.0, backoff) - 1.0);
    }
    return min_ms + static_cast<TimeMs>(std::llround(static_cast<double>(max_ms - min_ms) * f));
  }
  return max_ms;
}

RetryPolicy managed_endpoint_retry_policy() {
  RetryPolicy p;
  p.min_delay_target = 1;
  p.max_delay_target = 20;
  p.num_no_delay_retries = 3;
  p.num_min_delay_retries = 2;
  p.num_max_delay_retries = 100000;
  p.num_retries = 3 + 2 + 10 + 100000;
  p.backoff_function = "exponential";
  return p;
}

}  // namespace sluice::services::sns
