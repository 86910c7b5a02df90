#pragma once
// Plain values exchanged with the SNS engine. No wire or HTTP types appear here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.hpp"

namespace sluice::services::sns {

using AttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

// A message attribute as the publisher sent it. Binary values are raw bytes here.
struct MessageAttribute {
  std::string data_type;  // "String", "Number", "Binary", "String.Array", with ".suffix"
  std::string string_value;
  std::string binary_value;
  bool is_binary() const { return data_type.compare(0, 6, "Binary") == 0; }
  bool operator==(const MessageAttribute&) const = default;
};
using MessageAttributes = std::map<std::string, MessageAttribute>;

// Who is calling and how URLs we hand out should be addressed.
struct CallContext {
  std::string region;
  std::string account;
  // Base for the SubscribeURL/UnsubscribeURL we hand out: "http://host:port".
  std::string base_url;
};

struct TopicSummary {
  std::string arn;
};

struct SubscriptionSummary {
  std::string arn;  // "PendingConfirmation" while pending
  std::string owner;
  std::string protocol;
  std::string endpoint;
  std::string topic_arn;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;
};

struct PublishRequest {
  std::string entry_id;  // PublishBatch only
  std::string topic_arn;
  std::string target_arn;
  std::string phone_number;
  std::string message;
  std::optional<std::string> subject;
  std::string message_structure;
  MessageAttributes attributes;
  std::string group_id;
  std::string deduplication_id;
};

struct PublishResult {
  std::string entry_id;
  std::string message_id;
  std::string sequence_number;  // FIFO topics only
};

struct BatchFailure {
  std::string entry_id;
  std::string code;
  std::string message;
  bool sender_fault = true;
};

struct PlatformApplicationInfo {
  std::string arn;
  AttributeMap attributes;
};

struct PlatformEndpointInfo {
  std::string arn;
  AttributeMap attributes;
};

struct SandboxPhoneNumber {
  std::string phone_number;
  std::string status;  // "Pending" | "Verified"
};

// What the inspection routes show of deliveries that leave no other trace (email,
// email-json, sms, application endpoints) and of every HTTP/Lambda attempt.
struct RecordedDelivery {
  std::string kind;  // "email", "email-json", "sms", "application", "http", "lambda"
  std::string region;
  std::string account;
  std::string message_id;
  std::string subscription_arn;  // empty for direct publishes
  std::string topic_arn;
  std::string endpoint;  // address, phone number, endpoint ARN or URL
  std::string subject;
  std::string message;  // what was (or would be) delivered
  MessageAttributes attributes;
  std::string status;  // "delivered", "failed", "retrying", "dead-lettered"
  int attempts = 0;
  TimeMs timestamp_ms = 0;
};

struct SubscriptionToken {
  std::string token;
  std::string subscription_arn;
  std::string topic_arn;
  std::string region;
  std::string account;
};

}  // namespace sluice::services::sns
