#pragma once
// Plain values exchanged with the SQS engine. Names follow SQS's own vocabulary; no
// wire or HTTP types appear here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/clock.hpp"

namespace sluice::services::sqs {

// A queue is named by region, account and name: accounts and regions are isolated
// namespaces, as in AWS.
struct QueueId {
  std::string region;
  std::string account;
  std::string name;

  std::string arn() const { return "arn:aws:sqs:" + region + ":" + account + ":" + name; }
  std::string key() const { return region + "/" + account + "/" + name; }
  bool operator==(const QueueId&) const = default;
};

// Parses arn:aws:sqs:<region>:<account>:<name>; nullopt when it is not one.
std::optional<QueueId> parse_queue_arn(const std::string& arn);

using AttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

// A message (or message system) attribute. Binary values are raw bytes here; the wire
// layer encodes them as base64.
struct AttributeValue {
  std::string data_type;  // "String", "Number", "Binary", optionally with ".suffix"
  std::string string_value;
  std::string binary_value;
  bool is_binary() const { return data_type.compare(0, 6, "Binary") == 0; }
  bool operator==(const AttributeValue&) const = default;
};
// Sorted by name, which is also the order AWS digests them in.
using MessageAttributes = std::map<std::string, AttributeValue>;

struct SendRequest {
  std::string entry_id;  // batch entries only
  std::string body;
  std::optional<int> delay_seconds;
  MessageAttributes attributes;
  MessageAttributes system_attributes;  // AWSTraceHeader
  std::string group_id;
  std::string deduplication_id;
  std::string sender_id;  // who sent it (SenderId system attribute)
};

struct SendResult {
  std::string entry_id;
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;         // empty when the message has no attributes
  std::string md5_of_system_attributes;  // empty when none
  std::string sequence_number;           // FIFO only
};

// A per-entry failure of a batch request, reported in its Failed list.
struct BatchFailure {
  std::string entry_id;
  std::string code;
  std::string message;
  bool sender_fault = true;
};

struct ReceiveRequest {
  std::optional<int> max_messages;
  std::optional<int> visibility_timeout;
  std::optional<int> wait_seconds;
  std::vector<std::string> attribute_names;  // AttributeNames + MessageSystemAttributeNames
  std::vector<std::string> message_attribute_names;
  std::string receive_request_attempt_id;
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string md5_of_body;
  std::string body;
  AttributeMap attributes;  // system attributes selected by the request
  std::string md5_of_attributes;
  MessageAttributes message_attributes;  // selected by the request
};

// A page of queue URLs' identities plus the token for the next page.
struct QueuePage {
  std::vector<QueueId> queues;
  std::string next_token;
};

struct MoveTaskInfo {
  std::string task_handle;  // only for RUNNING tasks
  std::string status;       // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn;
  std::string destination_arn;
  std::optional<int> max_per_second;
  std::int64_t moved = 0;
  std::int64_t to_move = 0;
  std::string failure_reason;
  TimeMs started_ms = 0;
};

// A message as the inspection routes show it: everything, visibility unchanged.
struct PeekedMessage {
  std::string message_id;
  std::string body;
  std::string md5_of_body;
  std::string md5_of_attributes;
  AttributeMap attributes;  // every system attribute
  MessageAttributes message_attributes;
  std::string state;  // "visible", "inflight", "delayed"
  TimeMs visible_at_ms = 0;
};

}  // namespace sluice::services::sqs
