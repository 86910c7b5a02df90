#pragma once
// The SNS engine's state, shared by its .cpp files only.
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/ascii.hpp"
#include "sluice/common/result.hpp"
#include "sluice/services/sns/delivery_policy.hpp"
#include "sluice/services/sns/engine.hpp"
#include "sluice/services/sns/filter_policy.hpp"

namespace sluice::services::sns::detail {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

struct DedupEntry {
  TimeMs expires_ms = 0;
  std::string message_id;
  std::string sequence_number;
};

struct Topic {
  std::string arn;
  std::string name;
  std::string region;
  std::string account;
  bool fifo = false;
  // Attributes the user set (DisplayName, Policy, DeliveryPolicy, ...). Owner, TopicArn
  // and the subscription counts are computed when read.
  AttributeMap attributes;
  TagMap tags;
  std::string data_protection_policy;
  std::vector<std::string> subscriptions;  // ARNs, in subscription order
  std::uint64_t subscriptions_deleted = 0;
  std::uint64_t sequence = 0;               // FIFO sequence numbers
  std::map<std::string, DedupEntry> dedup;  // FIFO: deduplication id -> first publish
};

struct Subscription {
  std::string arn;
  std::string topic_arn;
  std::string protocol;
  std::string endpoint;
  std::string owner;
  std::string region;
  AttributeMap attributes;  // DeliveryPolicy, FilterPolicy, FilterPolicyScope, ...
  bool pending = false;
  bool authenticated = false;
  std::string token;
  std::optional<FilterPolicy> filter;
  TimeMs throttle_next_ms = 0;  // throttlePolicy.maxReceivesPerSecond
};

struct PlatformApplication {
  std::string arn;
  std::string name;
  std::string platform;
  std::string region;
  std::string account;
  AttributeMap attributes;
};

struct PlatformEndpoint {
  std::string arn;
  std::string application_arn;
  std::string region;
  std::string account;
  AttributeMap attributes;  // Token, Enabled, CustomUserData
};

struct SmsSettings {
  AttributeMap attributes;
  std::set<std::string> opted_out;
  std::map<std::string, std::string> sandbox;  // phone -> "Pending" | "Verified"
};

// A message on its way to an HTTP/S endpoint or a Lambda function, with what is needed
// to retry it and, once retries are exhausted, to dead-letter it.
struct PendingDelivery {
  std::string id;
  std::string kind;  // "http" | "lambda"
  std::string subscription_arn;
  std::string topic_arn;
  std::string region;
  std::string account;
  std::string message_id;
  std::string message_type;  // Notification, SubscriptionConfirmation, ...
  HttpOutRequest request;
  RetryPolicy policy;
  int attempts = 0;
  TimeMs next_at_ms = 0;
  std::uint64_t timer = 0;
  bool in_flight = false;
  bool dead_letter = true;   // confirmations are never dead-lettered
  QueueMessage dlq_message;  // what the dead-letter queue receives
  std::string endpoint;      // URL or function ARN, for the record
  std::string subject;
  std::string message;  // as delivered, for the record
};

// One SNS message as its JSON envelope describes it.
struct Notification {
  std::string type = "Notification";
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;
  std::string message;  // the published message (before per-protocol selection)
  std::map<std::string, std::string> per_protocol;  // MessageStructure=json
  std::string timestamp;
  std::string signature_version = "1";
  std::string signature;
  std::string signing_cert_url;
  // Subscribers getting the same text share one RSA signature (~250 us each) instead of
  // one per delivery: the per-subscriber copies of a publish's notification share this.
  struct SignatureCache {
    std::string message, signature, cert_url;
  };
  mutable std::shared_ptr<SignatureCache> signature_cache;
  std::string unsubscribe_url;
  std::string subscribe_url;
  std::string token;
  std::string sequence_number;
  std::string group_id;
  std::string deduplication_id;
  MessageAttributes attributes;
  bool fifo = false;
  std::string base_url;

  // The message a subscription of `protocol` receives.
  const std::string& message_for(const std::string& protocol) const;
};

// Error helpers: codes are the model's error shape names (api/sns maps them).
inline Error invalid_parameter(const std::string& message) {
  return Error::sender("InvalidParameterException", message);
}
inline Error invalid_parameter_value(const std::string& message) {
  return Error::sender("InvalidParameterValueException", message);
}
inline Error not_found(const std::string& message) {
  return Error::sender("NotFoundException", message, 404);
}

// Validation helpers shared by the engine files (validation.cpp).
bool valid_topic_name(const std::string& name, bool fifo);
bool is_e164(const std::string& phone);
Status validate_message_attributes(const MessageAttributes& attributes);
std::size_t message_size(const std::string& message, const MessageAttributes& attributes);
// Subscription attribute validation (Subscribe: `subscribe_call` selects AWS's prefix).
Status validate_subscription_attribute(const std::string& name, const std::string& value,
                                       const Subscription& sub, bool subscribe_call);
std::string page_token(const std::string& last_key);
std::optional<std::string> decode_page_token(const std::string& token);
std::string scope_key(const std::string& region, const std::string& account);

constexpr std::size_t kMaxMessageBytes = 262144;
constexpr std::size_t kPageSize = 100;
// SenderId SQS records for messages SNS delivers.
constexpr const char* kSnsSenderId = "AIDAIT2UOQQY3AUEKVGXU";

}  // namespace sluice::services::sns::detail
