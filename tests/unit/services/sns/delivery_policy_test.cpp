// The DeliveryPolicy retry schedule and its validation.
#include <gtest/gtest.h>

#include "sluice/services/sns/delivery_policy.hpp"

namespace sluice::services::sns {
namespace {

TEST(DeliveryPolicy, default_policy_is_three_retries_twenty_seconds_apart) {
  RetryPolicy p;
  EXPECT_EQ(retry_delay_ms(p, 1), 20'000);
  EXPECT_EQ(retry_delay_ms(p, 3), 20'000);
  EXPECT_EQ(retry_delay_ms(p, 4), std::nullopt);
}

TEST(DeliveryPolicy, phases_run_in_aws_order) {
  RetryPolicy p{5, 60, 10, 2, 2, 2, "linear"};
  // immediate, immediate, min, min, backoff x4 (min -> max), max, max
  std::vector<TimeMs> expected = {0, 0, 5000, 5000, 18750, 32500, 46250, 60000, 60000, 60000};
  for (int i = 1; i <= 10; ++i)
    EXPECT_EQ(retry_delay_ms(p, i), expected[i - 1]) << "retry " << i;
  EXPECT_EQ(retry_delay_ms(p, 11), std::nullopt);
}

TEST(DeliveryPolicy, backoff_functions_reach_max_and_grow_at_different_rates) {
  for (const char* fn : {"linear", "arithmetic", "geometric", "exponential"}) {
    RetryPolicy p{1, 100, 10, 0, 0, 0, fn};
    EXPECT_EQ(retry_delay_ms(p, 10), 100'000) << fn;
    for (int i = 2; i <= 10; ++i)
      EXPECT_GE(*retry_delay_ms(p, i), *retry_delay_ms(p, i - 1)) << fn;
  }
  RetryPolicy lin{1, 100, 10, 0, 0, 0, "linear"};
  RetryPolicy exp{1, 100, 10, 0, 0, 0, "exponential"};
  EXPECT_LT(*retry_delay_ms(exp, 5), *retry_delay_ms(lin, 5));
}

TEST(DeliveryPolicy, validation_enforces_aws_limits) {
  const std::string prefix = "Invalid parameter: ";
  EXPECT_TRUE(
      validate_subscription_delivery_policy(
          R"({"healthyRetryPolicy":{"numRetries":5,"minDelayTarget":1,"maxDelayTarget":10,"backoffFunction":"geometric"},"throttlePolicy":{"maxReceivesPerSecond":5},"requestPolicy":{"headerContentType":"application/json"}})",
          prefix)
          .ok());
  EXPECT_FALSE(
      validate_subscription_delivery_policy(R"({"healthyRetryPolicy":{"numRetries":101}})", prefix)
          .ok());
  EXPECT_FALSE(validate_subscription_delivery_policy(
                   R"({"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":10}})", prefix)
                   .ok());
  EXPECT_FALSE(validate_subscription_delivery_policy(
                   R"({"healthyRetryPolicy":{"backoffFunction":"cubic"}})", prefix)
                   .ok());
  EXPECT_FALSE(
      validate_subscription_delivery_policy(
          R"({"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":3600,"maxDelayTarget":3600}})",
          prefix)
          .ok());
  EXPECT_FALSE(validate_subscription_delivery_policy("{", prefix).ok());
}

TEST(DeliveryPolicy, header_content_type_is_one_of_the_documented_types) {
  const std::string prefix = "Invalid parameter: ";
  auto with = [&](const std::string& type) {
    return validate_subscription_delivery_policy(
        R"({"requestPolicy":{"headerContentType":")" + type + R"("}})", prefix);
  };
  for (const char* ok : {"text/plain", "application/json", "application/xml",
                         "text/plain; charset=UTF-8", "Application/JSON;charset=utf-8"})
    EXPECT_TRUE(with(ok).ok()) << ok;
  for (const char* bad : {"", "text/html", "application/json+x", "image/png", "json"}) {
    auto r = with(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("headerContentType must be text/plain, application/json or "
                                     "application/xml"),
              std::string::npos)
        << r.error().message;
  }
  EXPECT_FALSE(validate_topic_delivery_policy(
                   R"({"http":{"defaultRequestPolicy":{"headerContentType":"text/csv"}}})")
                   .ok());
}

TEST(DeliveryPolicy, topic_defaults_apply_unless_the_subscription_overrides) {
  const std::string topic =
      R"({"http":{"defaultHealthyRetryPolicy":{"numRetries":7,"minDelayTarget":2,"maxDelayTarget":2},"defaultRequestPolicy":{"headerContentType":"application/json"}}})";
  auto p = effective_delivery_policy(topic, "");
  EXPECT_EQ(p.retry.num_retries, 7);
  EXPECT_EQ(p.header_content_type, "application/json");
  auto o = effective_delivery_policy(topic, R"({"healthyRetryPolicy":{"numRetries":1}})");
  EXPECT_EQ(o.retry.num_retries, 1);
  auto locked = effective_delivery_policy(
      R"({"http":{"defaultHealthyRetryPolicy":{"numRetries":7},"disableSubscriptionOverrides":true}})",
      R"({"healthyRetryPolicy":{"numRetries":1}})");
  EXPECT_EQ(locked.retry.num_retries, 7);
}

}  // namespace
}  // namespace sluice::services::sns
