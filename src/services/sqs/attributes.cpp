// Queue attributes: names, ranges, defaults and errors as AWS documents them
// (CreateQueue / SetQueueAttributes / GetQueueAttributes), and queue names.
#include <nlohmann/json.hpp>

#include "internal.hpp"

namespace sluice::services::sqs {

using detail::Queue;
using detail::QueueConfig;
using Json = nlohmann::json;

namespace detail {

namespace {

const char* const kSettable[] = {"DelaySeconds",
                                 "MaximumMessageSize",
                                 "MessageRetentionPeriod",
                                 "Policy",
                                 "ReceiveMessageWaitTimeSeconds",
                                 "VisibilityTimeout",
                                 "RedrivePolicy",
                                 "RedriveAllowPolicy",
                                 "KmsMasterKeyId",
                                 "KmsDataKeyReusePeriodSeconds",
                                 "SqsManagedSseEnabled",
                                 "FifoQueue",
                                 "ContentBasedDeduplication",
                                 "DeduplicationScope",
                                 "FifoThroughputLimit"};

const char* const kComputed[] = {"All",
                                 "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesNotVisible",
                                 "ApproximateNumberOfMessagesDelayed",
                                 "CreatedTimestamp",
                                 "LastModifiedTimestamp",
                                 "QueueArn"};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool valid_queue_name(const std::string& name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  std::string base = name;
  if (fifo) {
    if (name.size() < 6 || name.compare(name.size() - 5, 5, ".fifo") != 0) return false;
    base = name.substr(0, name.size() - 5);
    if (base.empty()) return false;
  }
  for (char c : base)
    if (!is_name_char(c)) return false;
  return true;
}

bool is_settable_attribute(const std::string& name) {
  for (const char* n : kSettable)
    if (name == n) return true;
  return false;
}

bool is_known_attribute(const std::string& name) {
  if (is_settable_attribute(name)) return true;
  for (const char* n : kComputed)
    if (name == n) return true;
  return false;
}

}  // namespace detail

namespace {

Error invalid_value(const std::string& attribute) {
  return Error::sender("InvalidAttributeValue",
                       "Invalid value for the parameter " + attribute + ".");
}

Error unknown_attribute(const std::string& attribute) {
  return Error::sender("InvalidAttributeName", "Unknown Attribute " + attribute + ".");
}

Result<int> parse_int_in(const std::string& attribute, const std::string& text, int lo, int hi) {
  if (text.empty() || text.size() > 10) return invalid_value(attribute);
  long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return invalid_value(attribute);
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return invalid_value(attribute);
  return static_cast<int>(v);
}

Result<bool> parse_bool(const std::string& attribute, const std::string& text) {
  const std::string lower = ascii_lower(text);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return invalid_value(attribute);
}

Error invalid_policy_value(const std::string& attribute, const std::string& value,
                           const std::string& reason) {
  return Error::sender("InvalidParameterValue", "Value " + value + " for parameter " + attribute +
                                                    " is invalid. Reason: " + reason);
}

// RedriveAllowPolicy: {"redrivePermission": allowAll|denyAll|byQueue,
// "sourceQueueArns": [...] (byQueue only, 1 to 10)}.
Result<std::string> normalize_redrive_allow_policy(const std::string& text) {
  const auto bad = [&](const std::string& reason) {
    return invalid_policy_value("RedriveAllowPolicy", text, reason);
  };
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("Invalid JSON.");
  auto perm = doc.find("redrivePermission");
  if (perm == doc.end() || !perm->is_string())
    return bad("Amazon SQS can't find the redrivePermission parameter.");
  const std::string p = *perm;
  if (p != "allowAll" && p != "denyAll" && p != "byQueue")
    return bad("Invalid value for redrivePermission: " + p +
               ". Valid values are allowAll, denyAll and byQueue.");
  auto arns = doc.find("sourceQueueArns");
  if (p == "byQueue") {
    if (arns == doc.end() || !arns->is_array() || arns->empty())
      return bad("Amazon SQS can't find the sourceQueueArns parameter.");
    if (arns->size() > 10) return bad("Amazon SQS supports a maximum of 10 source queue ARNs.");
    for (const auto& a : *arns)
      if (!a.is_string() || !parse_queue_arn(a.get<std::string>()))
        return bad("Invalid source queue ARN.");
  } else if (arns != doc.end()) {
    return bad(
        "Amazon SQS can't specify the sourceQueueArns parameter when the redrivePermission "
        "parameter is set to " +
        p + ".");
  }
  Json out = {{"redrivePermission", p}};
  if (p == "byQueue") out["sourceQueueArns"] = *arns;
  return out.dump();
}

}  // namespace

std::optional<QueueId> parse_queue_arn(const std::string& arn) {
  // arn:aws:sqs:<region>:<account>:<name>
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(arn.substr(start));
  if (parts[0] != "arn" || parts[2] != "sqs" || parts[3].empty() || parts[4].empty() ||
      parts[5].empty() || parts[5].find(':') != std::string::npos)
    return std::nullopt;
  return QueueId{parts[3], parts[4], parts[5]};
}

Status SqsEngine::validate_redrive_target(const Queue& q, const std::string& text,
                                          std::string& normalized) {
  const auto bad = [&](const std::string& reason) {
    return invalid_policy_value("RedrivePolicy", text, reason);
  };
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("Redrive policy is not a valid JSON map.");
  auto target = doc.find("deadLetterTargetArn");
  auto count = doc.find("maxReceiveCount");
  if (target == doc.end() || !target->is_string())
    return bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (count == doc.end())
    return bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  long long n = -1;
  if (count->is_number_integer()) {
    n = count->get<long long>();
  } else if (count->is_string()) {
    const std::string s = *count;
    n = s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos
            ? -1
            : std::stoll(s);
  }
  if (n < 1 || n > 1000)
    return bad("Invalid value for maxReceiveCount: " +
               (count->is_string() ? count->get<std::string>() : count->dump()) +
               ", valid values are from 1 to 1000 both inclusive.");
  const std::string arn = *target;
  auto target_id = parse_queue_arn(arn);
  if (!target_id) return bad("Invalid value for deadLetterTargetArn.");
  Queue* dlq = find_queue(*target_id);
  if (!dlq) return bad("Dead letter target does not exist.");
  if (dlq->config.fifo != q.config.fifo)
    return bad("Dead-letter queue must be same type of queue as the source.");
  // The target's RedriveAllowPolicy decides which sources may use it.
  if (!dlq->config.redrive_allow_policy.empty()) {
    Json allow = Json::parse(dlq->config.redrive_allow_policy, nullptr, false);
    const std::string perm = allow.value("redrivePermission", "allowAll");
    bool allowed = perm == "allowAll";
    if (perm == "byQueue") {
      for (const auto& a : allow["sourceQueueArns"])
        if (a == q.arn) allowed = true;
    }
    if (!allowed)
      return bad("Queue " + q.arn + " is not allowed to use " + arn +
                 " as a dead-letter queue by its RedriveAllowPolicy.");
  }
  normalized = Json{{"deadLetterTargetArn", arn}, {"maxReceiveCount", n}}.dump();
  return ok_status();
}

Status SqsEngine::apply_attributes(Queue& q, const AttributeMap& attributes, bool creating) {
  QueueConfig c = q.config;
  bool sse_given = false;
  for (const auto& [name, value] : attributes) {
    if (!detail::is_settable_attribute(name)) return unknown_attribute(name);
    const bool fifo_only = name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
                           name == "FifoThroughputLimit";
    if (fifo_only && !c.fifo) return unknown_attribute(name);
    if (name == "DelaySeconds") {
      auto v = parse_int_in(name, value, 0, 900);
      SLUICE_TRY(v);
      c.delay_seconds = *v;
    } else if (name == "MaximumMessageSize") {
      auto v = parse_int_in(name, value, 1024, 1048576);
      SLUICE_TRY(v);
      c.maximum_message_size = *v;
    } else if (name == "MessageRetentionPeriod") {
      auto v = parse_int_in(name, value, 60, 1209600);
      SLUICE_TRY(v);
      c.message_retention_period = *v;
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      auto v = parse_int_in(name, value, 0, 20);
      SLUICE_TRY(v);
      c.receive_wait_seconds = *v;
    } else if (name == "VisibilityTimeout") {
      auto v = parse_int_in(name, value, 0, detail::kMaxVisibilitySeconds);
      SLUICE_TRY(v);
      c.visibility_timeout = *v;
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      auto v = parse_int_in(name, value, 60, 86400);
      SLUICE_TRY(v);
      c.kms_data_key_reuse_period = *v;
    } else if (name == "Policy") {
      if (!value.empty()) {
        Json doc = Json::parse(value, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) return invalid_value(name);
      }
      c.policy = value;
    } else if (name == "RedrivePolicy") {
      if (value.empty()) {
        c.redrive_policy.clear();
        c.redrive_target_arn.clear();
        c.max_receive_count = 0;
      } else {
        // q.config.fifo is fixed at creation, before attributes are applied.
        std::string normalized;
        SLUICE_TRY(validate_redrive_target(q, value, normalized));
        Json doc = Json::parse(normalized);
        c.redrive_policy = normalized;
        c.redrive_target_arn = doc["deadLetterTargetArn"];
        c.max_receive_count = doc["maxReceiveCount"];
      }
    } else if (name == "RedriveAllowPolicy") {
      if (value.empty()) {
        c.redrive_allow_policy.clear();
      } else {
        auto v = normalize_redrive_allow_policy(value);
        SLUICE_TRY(v);
        c.redrive_allow_policy = *v;
      }
    } else if (name == "KmsMasterKeyId") {
      c.kms_master_key_id = value;
    } else if (name == "SqsManagedSseEnabled") {
      auto v = parse_bool(name, value);
      SLUICE_TRY(v);
      c.sqs_managed_sse = *v;
      sse_given = true;
    } else if (name == "FifoQueue") {
      auto v = parse_bool(name, value);
      SLUICE_TRY(v);
      // The queue type never changes: a standard queue does not know the attribute, a
      // FIFO queue accepts only "true" again.
      if (!creating && !c.fifo) return unknown_attribute(name);
      if (*v != c.fifo) return invalid_value(name);
    } else if (name == "ContentBasedDeduplication") {
      auto v = parse_bool(name, value);
      SLUICE_TRY(v);
      c.content_based_deduplication = *v;
    } else if (name == "DeduplicationScope") {
      if (value != "queue" && value != "messageGroup") return invalid_value(name);
      c.deduplication_scope = value;
    } else if (name == "FifoThroughputLimit") {
      if (value != "perQueue" && value != "perMessageGroupId") return invalid_value(name);
      c.fifo_throughput_limit = value;
    }
  }
  // AWS: high-throughput FIFO (perMessageGroupId) needs message-group deduplication.
  if (c.fifo && c.fifo_throughput_limit == "perMessageGroupId" &&
      c.deduplication_scope != "messageGroup") {
    return Error::sender("InvalidAttributeValue",
                         "The perMessageGroupId value is allowed only when the value for "
                         "DeduplicationScope is messageGroup.");
  }
  // Only one server-side encryption option per queue: a KMS key turns SSE-SQS off.
  if (!c.kms_master_key_id.empty() && !sse_given) c.sqs_managed_sse = false;
  if (!c.kms_master_key_id.empty() && c.sqs_managed_sse) {
    return Error::sender("InvalidAttributeName",
                         "You can use one type of server-side encryption (SSE) at one time. You "
                         "can either enable KMS SSE or SQS SSE.");
  }
  q.config = std::move(c);
  return ok_status();
}

AttributeMap SqsEngine::all_attributes(const Queue& q) const {
  const QueueConfig& c = q.config;
  AttributeMap a;
  a["QueueArn"] = q.arn;
  a["ApproximateNumberOfMessages"] = std::to_string(q.visible.size());
  a["ApproximateNumberOfMessagesNotVisible"] = std::to_string(q.in_flight);
  a["ApproximateNumberOfMessagesDelayed"] = std::to_string(q.delayed);
  a["CreatedTimestamp"] = std::to_string(q.created_ms / 1000);
  a["LastModifiedTimestamp"] = std::to_string(q.modified_ms / 1000);
  a["VisibilityTimeout"] = std::to_string(c.visibility_timeout);
  a["MaximumMessageSize"] = std::to_string(c.maximum_message_size);
  a["MessageRetentionPeriod"] = std::to_string(c.message_retention_period);
  a["DelaySeconds"] = std::to_string(c.delay_seconds);
  a["ReceiveMessageWaitTimeSeconds"] = std::to_string(c.receive_wait_seconds);
  a["SqsManagedSseEnabled"] = c.sqs_managed_sse ? "true" : "false";
  if (!c.policy.empty()) a["Policy"] = c.policy;
  if (!c.redrive_policy.empty()) a["RedrivePolicy"] = c.redrive_policy;
  if (!c.redrive_allow_policy.empty()) a["RedriveAllowPolicy"] = c.redrive_allow_policy;
  if (!c.kms_master_key_id.empty()) {
    a["KmsMasterKeyId"] = c.kms_master_key_id;
    a["KmsDataKeyReusePeriodSeconds"] = std::to_string(c.kms_data_key_reuse_period);
  }
  if (c.fifo) {
    a["FifoQueue"] = "true";
    a["ContentBasedDeduplication"] = c.content_based_deduplication ? "true" : "false";
    a["DeduplicationScope"] = c.deduplication_scope;
    a["FifoThroughputLimit"] = c.fifo_throughput_limit;
  }
  return a;
}

}  // namespace sluice::services::sqs
