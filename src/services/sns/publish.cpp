// Publish and PublishBatch: validation, FIFO sequencing and deduplication, and the
// fan-out to the topic's subscriptions (filter policies applied here; the per-protocol
// delivery is in delivery.cpp). Direct publishes to phone numbers and platform
// endpoints are recorded.
#include <algorithm>
#include <regex>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sns {

using detail::invalid_parameter;
using detail::Json;

namespace {

// AWS: FIFO deduplication ids are remembered for five minutes.
constexpr TimeMs kDedupWindowMs = 5 * 60 * 1000;

Status check_subject(const std::optional<std::string>& subject) {
  if (!subject) return ok_status();
  // AWS: 1-100 printable ASCII characters, no line breaks or control characters.
  if (subject->empty() || subject->size() > 100)
    return invalid_parameter("Invalid parameter: Subject");
  for (unsigned char c : *subject)
    if (c < 0x20 || c >= 0x7f) return invalid_parameter("Invalid parameter: Subject");
  return ok_status();
}

// MessageStructure=json: a JSON object with a "default" string; keys with non-string
// values are ignored (AWS).
Result<std::map<std::string, std::string>> parse_structure(const std::string& message,
                                                           bool endpoint_publish) {
  auto doc = Json::parse(message, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid_parameter(
        "Invalid parameter: Message Structure - JSON message body failed to parse");
  std::map<std::string, std::string> out;
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  if (!out.count("default") && !endpoint_publish)
    return invalid_parameter(
        "Invalid parameter: Message Structure - No default entry in JSON message body");
  return out;
}

std::string sequence_string(std::uint64_t seq) {
  // AWS sequence numbers are 20-digit decimal strings that only grow.
  return std::to_string(10000000000000000000ULL + seq);
}

}  // namespace

Status SnsEngine::validate_publish(const PublishRequest& r, bool fifo_topic, bool in_batch) const {
  if (r.message.empty()) return invalid_parameter("Invalid parameter: Empty message");
  SLUICE_TRY(check_subject(r.subject));
  SLUICE_TRY(detail::validate_message_attributes(r.attributes));
  if (!in_batch && detail::message_size(r.message, r.attributes) > detail::kMaxMessageBytes)
    return invalid_parameter("Invalid parameter: Message too long");
  if (!r.message_structure.empty() && r.message_structure != "json")
    return invalid_parameter("Invalid parameter: MessageStructure");
  if (fifo_topic) {
    if (r.group_id.empty())
      return invalid_parameter(
          "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    if (r.group_id.size() > 128)
      return invalid_parameter("Invalid parameter: MessageGroupId Reason: length exceeds 128");
  } else if (!r.deduplication_id.empty()) {
    return invalid_parameter(
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  if (r.deduplication_id.size() > 128)
    return invalid_parameter(
        "Invalid parameter: MessageDeduplicationId Reason: length exceeds 128");
  return ok_status();
}

Result<PublishResult> SnsEngine::publish(const CallContext& ctx, PublishRequest request) {
  const int targets =
      !request.topic_arn.empty() + !request.target_arn.empty() + !request.phone_number.empty();
  if (targets == 0)
    return invalid_parameter(
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  if (targets > 1)
    return invalid_parameter(
        "Invalid parameter: TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can "
        "be specified");
  const bool endpoint_publish = request.target_arn.find(":endpoint/") != std::string::npos;
  const TimeMs now = runtime_.clock.now_ms();

  if (!request.phone_number.empty() || endpoint_publish) {
    SLUICE_TRY(validate_publish(request, false, false));
    std::map<std::string, std::string> per_protocol;
    if (request.message_structure == "json") {
      auto parsed = parse_structure(request.message, endpoint_publish);
      if (!parsed.ok()) return std::move(parsed).error();
      per_protocol = std::move(*parsed);
    }
    RecordedDelivery rec;
    rec.region = ctx.region;
    rec.account = ctx.account;
    rec.message_id = uuid_v4();
    rec.subject = request.subject.value_or("");
    rec.attributes = request.attributes;
    rec.status = "delivered";
    rec.attempts = 1;
    rec.timestamp_ms = now;
    std::lock_guard lock(mu_);
    if (!request.phone_number.empty()) {
      if (!detail::is_e164(request.phone_number))
        return invalid_parameter("Invalid parameter: PhoneNumber Reason: " + request.phone_number +
                                 " is not valid to publish to");
      auto sms = sms_.find(detail::scope_key(ctx.region, ctx.account));
      if (sms != sms_.end() && sms->second->opted_out.count(request.phone_number))
        return Error::sender("OptedOutException", "Phone number is opted out");
      rec.kind = "sms";
      rec.endpoint = request.phone_number;
      auto it = per_protocol.find("sms");
      rec.message = it != per_protocol.end()        ? it->second
                    : per_protocol.count("default") ? per_protocol["default"]
                                                    : request.message;
    } else {
      auto it = endpoints_.find(request.target_arn);
      if (it == endpoints_.end())
        return invalid_parameter(
            "Invalid parameter: TargetArn Reason: No endpoint found for the target arn "
            "specified");
      const detail::PlatformEndpoint& ep = *it->second;
      auto enabled = ep.attributes.find("Enabled");
      if (enabled != ep.attributes.end() && enabled->second != "true")
        return Error::sender("EndpointDisabledException", "Endpoint is disabled");
      std::string platform;
      if (auto app = applications_.find(ep.application_arn); app != applications_.end())
        platform = app->second->platform;
      rec.kind = "application";
      rec.endpoint = ep.arn;
      auto pm = per_protocol.find(platform);
      rec.message = pm != per_protocol.end()        ? pm->second
                    : per_protocol.count("default") ? per_protocol["default"]
                                                    : request.message;
    }
    PublishResult result{request.entry_id, rec.message_id, {}};
    record_locked(std::move(rec));
    return result;
  }

  const std::string& arn = request.topic_arn.empty() ? request.target_arn : request.topic_arn;
  // A standard topic's notification is signed before the engine's lock is taken: the RSA
  // signature is most of a Publish's CPU, and outside the lock both I/O threads sign at
  // once. (FIFO notifications carry no signature; MessageStructure=json texts are signed
  // per protocol under the lock.)
  detail::Notification presigned;
  if (request.message_structure != "json" && !arn.ends_with(".fifo")) {
    {
      std::lock_guard lock(mu_);
      auto found = require_topic(ctx, arn);
      // Only a topic with a confirmed subscription delivers anything to sign.
      const bool delivers =
          found.ok() && std::any_of((*found)->subscriptions.begin(), (*found)->subscriptions.end(),
                                    [this](const std::string& sub_arn) {
                                      const auto* sub = find_subscription(sub_arn);
                                      return sub && !sub->pending;
                                    });
      if (delivers) {
        presigned.topic_arn = (*found)->arn;
        auto sv = (*found)->attributes.find("SignatureVersion");
        if (sv != (*found)->attributes.end()) presigned.signature_version = sv->second;
      }
    }
    if (!presigned.topic_arn.empty()) {
      presigned.message_id = uuid_v4();
      presigned.timestamp = iso8601_ms(now);
      presigned.subject = request.subject;
      presigned.base_url = ctx.base_url;
      presigned.signature_cache = std::make_shared<detail::Notification::SignatureCache>();
      sign_notification(presigned, request.message);
    }
  }
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, arn, request.topic_arn.empty() ? "TargetArn" : "TopicArn");
  if (!found.ok()) return std::move(found).error();
  SLUICE_TRY(validate_publish(request, (*found)->fifo, false));
  return publish_to_topic_locked(ctx, **found, std::move(request), now,
                                 presigned.signature_cache ? &presigned : nullptr);
}

Result<PublishResult> SnsEngine::publish_to_topic_locked(const CallContext& ctx,
                                                         detail::Topic& topic,
                                                         PublishRequest request, TimeMs now,
                                                         const detail::Notification* presigned) {
  detail::Notification n;
  n.topic_arn = topic.arn;
  n.message = request.message;
  n.subject = request.subject;
  n.attributes = std::move(request.attributes);
  n.timestamp = iso8601_ms(now);
  n.base_url = ctx.base_url;
  n.fifo = topic.fifo;
  if (auto sv = topic.attributes.find("SignatureVersion"); sv != topic.attributes.end())
    n.signature_version = sv->second;
  // Signed before the lock (a standard topic: FIFO topic names end in .fifo; this
  // request's text): reuse it unless the topic's SignatureVersion changed meanwhile.
  if (presigned && presigned->topic_arn == topic.arn &&
      presigned->signature_version == n.signature_version) {
    n.message_id = presigned->message_id;
    n.timestamp = presigned->timestamp;
    n.signature_cache = presigned->signature_cache;
  }
  if (request.message_structure == "json") {
    auto parsed = parse_structure(request.message, false);
    if (!parsed.ok()) return std::move(parsed).error();
    n.per_protocol = std::move(*parsed);
  }
  if (topic.fifo) {
    std::string dedup = request.deduplication_id;
    if (dedup.empty()) {
      auto cbd = topic.attributes.find("ContentBasedDeduplication");
      if (cbd == topic.attributes.end() || cbd->second != "true")
        return invalid_parameter(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
            "or MessageDeduplicationId provided explicitly");
      // AWS: content-based deduplication hashes the message body with SHA-256.
      dedup = sha256_hex(request.message);
    }
    std::erase_if(topic.dedup, [now](const auto& kv) { return kv.second.expires_ms <= now; });
    if (auto seen = topic.dedup.find(dedup); seen != topic.dedup.end()) {
      // A duplicate within the window is accepted but not delivered again.
      return PublishResult{request.entry_id, seen->second.message_id, seen->second.sequence_number};
    }
    n.message_id = uuid_v4();
    n.sequence_number = sequence_string(++topic.sequence);
    n.group_id = request.group_id;
    n.deduplication_id = dedup;
    topic.dedup[dedup] = {now + kDedupWindowMs, n.message_id, n.sequence_number};
    persist_topic(topic);
  } else {
    if (n.message_id.empty()) n.message_id = uuid_v4();
    // Standard topics take a MessageGroupId and pass it on (SQS fair queues use it).
    n.group_id = request.group_id;
  }
  for (const auto& sub_arn : topic.subscriptions) {
    auto* sub = find_subscription(sub_arn);
    if (!sub || sub->pending) continue;
    if (sub->filter && !filter_matches(*sub->filter, n.message, n.attributes)) continue;
    deliver_locked(ctx, topic, *sub, n);
  }
  return PublishResult{request.entry_id, n.message_id, n.sequence_number};
}

Status SnsEngine::publish_batch(const CallContext& ctx, const std::string& topic_arn,
                                std::vector<PublishRequest> entries,
                                std::vector<PublishResult>& successful,
                                std::vector<BatchFailure>& failed) {
  std::lock_guard lock(mu_);
  auto found = require_topic(ctx, topic_arn);
  if (!found.ok()) return std::move(found).error();
  detail::Topic& topic = **found;
  if (entries.empty())
    return Error::sender("EmptyBatchRequestException",
                         "The batch request doesn't contain any entries.");
  if (entries.size() > 10)
    return Error::sender("TooManyEntriesInBatchRequestException",
                         "The batch request contains more entries than permissible.");
  std::set<std::string> ids;
  static const std::regex kIdPattern("^[A-Za-z0-9_-]+$");
  for (const auto& e : entries) {
    if (!ids.insert(e.entry_id).second)
      return Error::sender("BatchEntryIdsNotDistinctException",
                           "Two or more batch entries in the request have the same Id.");
    if (e.entry_id.size() > 80)
      return Error::sender("InvalidBatchEntryIdException",
                           "The Id of a batch entry in a batch request is too long: " + e.entry_id);
    if (!std::regex_match(e.entry_id, kIdPattern))
      return Error::sender("InvalidBatchEntryIdException",
                           "The Id of a batch entry in a batch request contains an impermissible "
                           "character: " +
                               e.entry_id);
  }
  std::size_t total = 0;
  for (const auto& e : entries)
    total += detail::message_size(e.message, e.attributes);
  if (total > detail::kMaxMessageBytes)
    return Error::sender("BatchRequestTooLongException",
                         "The length of all the messages put together is more than the limit.");
  // AWS fails the whole request for malformed entries (attributes, FIFO parameters).
  for (const auto& e : entries)
    SLUICE_TRY(validate_publish(e, topic.fifo, true));
  if (topic.fifo) {
    auto cbd = topic.attributes.find("ContentBasedDeduplication");
    const bool content_based = cbd != topic.attributes.end() && cbd->second == "true";
    for (const auto& e : entries)
      if (!content_based && e.deduplication_id.empty())
        return invalid_parameter(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
            "or MessageDeduplicationId provided explicitly");
  }
  const TimeMs now = runtime_.clock.now_ms();
  for (auto& e : entries) {
    const std::string id = e.entry_id;
    auto r = publish_to_topic_locked(ctx, topic, std::move(e), now);
    if (r.ok()) {
      successful.push_back(std::move(*r));
    } else {
      failed.push_back(
          {id, r.error().code == "InvalidParameterException" ? "InvalidParameter" : r.error().code,
           r.error().message, r.error().sender_fault});
    }
  }
  return ok_status();
}

}  // namespace sluice::services::sns
