// SendMessage / SendMessageBatch: validation, delays, FIFO deduplication and sequence
// numbers, and waking parked receives.
#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sqs {

using detail::Completions;
using detail::MessageState;
using detail::Queue;
using detail::StoredMessage;

namespace {

constexpr std::size_t kMaxBatchBytes = 1048576;

// MessageGroupId / MessageDeduplicationId: 1 to 128 alphanumeric or punctuation characters.
bool valid_fifo_token(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || std::ispunct(u))) return false;
  }
  return true;
}

Error not_for_queue_type(const std::string& parameter, const std::string& value) {
  return detail::invalid_parameter("Value " + value + " for parameter " + parameter +
                                   " is invalid. Reason: The request include parameter that is "
                                   "not valid for this queue type.");
}

}  // namespace

namespace detail {

PreparedSend prepare_send(const SendRequest& req) {
  PreparedSend p;
  p.size = message_size(req);
  if (req.body.empty()) {
    p.checked =
        Error::sender("MissingParameter", "The request must contain the parameter MessageBody.");
  } else if (!valid_message_characters(req.body)) {
    p.checked = Error::sender("InvalidMessageContents",
                              "Invalid characters found. Valid values are: #x9 | #xA | #xD | "
                              "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  } else if (auto user = validate_message_attributes(req.attributes, false); !user.ok()) {
    p.checked = std::move(user);
  } else if (auto system = validate_message_attributes(req.system_attributes, true); !system.ok()) {
    p.checked = std::move(system);
  }
  if (!p.checked.ok()) return p;
  p.message_id = uuid_v4();
  p.md5_of_body = md5_hex(req.body);
  p.md5_of_attributes = md5_of_attributes(req.attributes);
  p.md5_of_system_attributes = md5_of_attributes(req.system_attributes);
  return p;
}

}  // namespace detail

Result<SendResult> SqsEngine::send_locked(Queue& q, SendRequest req, detail::PreparedSend& prepared,
                                          TimeMs now) {
  SLUICE_TRY(prepared.checked);
  const std::size_t size = prepared.size;
  if (size > static_cast<std::size_t>(q.config.maximum_message_size)) {
    return detail::invalid_parameter(
        "One or more parameters are invalid. Reason: Message must be shorter than " +
        std::to_string(q.config.maximum_message_size) + " bytes.");
  }
  int delay = q.config.delay_seconds;
  if (req.delay_seconds) {
    if (*req.delay_seconds < 0 || *req.delay_seconds > 900) {
      return detail::invalid_parameter("Value " + std::to_string(*req.delay_seconds) +
                                       " for parameter DelaySeconds is invalid. Reason: "
                                       "DelaySeconds must be >= 0 and <= 900.");
    }
    // AWS: FIFO queues take delays at the queue level only.
    if (q.config.fifo && *req.delay_seconds != 0)
      return not_for_queue_type("DelaySeconds", std::to_string(*req.delay_seconds));
    if (!q.config.fifo) delay = *req.delay_seconds;
  }
  if (!req.group_id.empty() && !valid_fifo_token(req.group_id)) {
    return detail::invalid_parameter("Value " + req.group_id +
                                     " for parameter MessageGroupId is invalid. Reason: "
                                     "MessageGroupId can only include alphanumeric and "
                                     "punctuation characters. 1 to 128 in length.");
  }
  std::string dedup_key;
  if (q.config.fifo) {
    if (req.group_id.empty())
      return Error::sender("MissingParameter",
                           "The request must contain the parameter MessageGroupId.");
    if (!req.deduplication_id.empty() && !valid_fifo_token(req.deduplication_id)) {
      return detail::invalid_parameter("Value " + req.deduplication_id +
                                       " for parameter MessageDeduplicationId is invalid. Reason: "
                                       "MessageDeduplicationId can only include alphanumeric and "
                                       "punctuation characters. 1 to 128 in length.");
    }
    if (req.deduplication_id.empty()) {
      if (!q.config.content_based_deduplication) {
        return detail::invalid_parameter(
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
      }
      // Content-based deduplication: SHA-256 of the body (not the attributes).
      req.deduplication_id = sha256_hex(req.body);
    }
    dedup_key = q.config.deduplication_scope == "messageGroup"
                    ? req.group_id + "\x1f" + req.deduplication_id
                    : req.deduplication_id;
    auto d = q.dedup.find(dedup_key);
    if (d != q.dedup.end() && d->second.expires_ms > now) {
      // A duplicate within the 5-minute window is accepted but not enqueued again.
      SendResult r;
      r.entry_id = req.entry_id;
      r.message_id = d->second.message_id;
      r.md5_of_body = d->second.md5_of_body;
      r.md5_of_attributes = d->second.md5_of_attributes;
      r.md5_of_system_attributes = d->second.md5_of_system_attributes;
      r.sequence_number = d->second.sequence_number;
      return r;
    }
  } else if (!req.deduplication_id.empty()) {
    return not_for_queue_type("MessageDeduplicationId", req.deduplication_id);
  }

  StoredMessage m;
  m.id = prepared.message_id;
  m.md5_of_body = prepared.md5_of_body;
  detail::MessageExtras x;
  x.md5_of_attributes = std::move(prepared.md5_of_attributes);
  x.md5_of_system_attributes = std::move(prepared.md5_of_system_attributes);
  x.attributes = std::move(req.attributes);
  x.system_attributes = std::move(req.system_attributes);
  x.group_id = std::move(req.group_id);
  if (q.config.fifo) {
    x.deduplication_id = std::move(req.deduplication_id);
    x.sequence_number = std::to_string(detail::kSequenceBase + q.next_sequence_number++);
  }
  m.set_extra(std::move(x));
  m.body = std::move(req.body);
  m.sender_id = std::move(req.sender_id);
  m.sent_ms = now;
  m.retention_base_ms = now;
  m.size = size;
  if (delay > 0) {
    m.state = MessageState::Delayed;
    m.visible_at = now + static_cast<TimeMs>(delay) * 1000;
  }
  SendResult r;
  r.entry_id = req.entry_id;
  r.message_id = m.id;
  r.md5_of_body = m.md5_of_body;
  r.md5_of_attributes = m.extra().md5_of_attributes;
  r.md5_of_system_attributes = m.extra().md5_of_system_attributes;
  r.sequence_number = m.extra().sequence_number;
  StoredMessage& stored = insert_message(q, std::move(m));
  persist_message(q, stored);
  if (q.config.fifo) {
    detail::DedupEntry entry{
        r.message_id,        r.sequence_number,          r.md5_of_body,
        r.md5_of_attributes, r.md5_of_system_attributes, now + detail::kDedupWindowMs};
    q.dedup[dedup_key] = entry;
    q.dedup_expiry.emplace_back(entry.expires_ms, dedup_key);
    persist_dedup(q, dedup_key);
    persist_queue(q);  // the sequence counter
  }
  return r;
}

Result<SendResult> SqsEngine::send_message(const QueueId& id, SendRequest request) {
  detail::PreparedSend prepared = detail::prepare_send(request);
  Completions out;
  Result<SendResult> result = Error::internal("unreached");
  {
    std::lock_guard lock(mu_);
    auto q = require_queue(id);
    SLUICE_TRY(q);
    const TimeMs now = runtime_.clock.now_ms();
    refresh(**q, now);
    result = send_locked(**q, std::move(request), prepared, now);
    if (result.ok()) {
      serve_waiters(**q, now, out);
      arm(**q);
    }
  }
  run(out);
  return result;
}

Result<SendResult> SqsEngine::send_message_to_arn(const std::string& queue_arn,
                                                  SendRequest request) {
  auto id = parse_queue_arn(queue_arn);
  if (!id) return Error::sender("QueueDoesNotExist", "The specified queue does not exist.");
  return send_message(*id, std::move(request));
}

Status SqsEngine::send_message_batch(const QueueId& id, std::vector<SendRequest> entries,
                                     std::vector<SendResult>& successful,
                                     std::vector<BatchFailure>& failed) {
  std::vector<std::string> ids;
  for (const auto& e : entries)
    ids.push_back(e.entry_id);
  SLUICE_TRY(check_batch_ids(ids, "SendMessageBatchRequestEntry"));
  std::vector<detail::PreparedSend> prepared;
  prepared.reserve(entries.size());
  std::size_t total = 0;
  for (const auto& e : entries) {
    prepared.push_back(detail::prepare_send(e));
    total += prepared.back().size;
  }
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto q = require_queue(id);
    SLUICE_TRY(q);
    if (total > kMaxBatchBytes) {
      return Error::sender("BatchRequestTooLong", "Batch requests cannot be longer than " +
                                                      std::to_string(kMaxBatchBytes) +
                                                      " bytes. You have sent " +
                                                      std::to_string(total) + " bytes.");
    }
    // AWS rejects a FIFO batch as a whole when an entry lacks its group or
    // deduplication id (a single SendMessage reports MissingParameter instead).
    if ((*q)->config.fifo) {
      for (const auto& e : entries) {
        if (e.group_id.empty())
          return detail::invalid_parameter(
              "The request must contain the parameter MessageGroupId.");
        if (e.deduplication_id.empty() && !(*q)->config.content_based_deduplication)
          return detail::invalid_parameter(
              "The queue should either have ContentBasedDeduplication enabled or "
              "MessageDeduplicationId provided explicitly");
      }
    }
    const TimeMs now = runtime_.clock.now_ms();
    refresh(**q, now);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string entry_id = entries[i].entry_id;
      auto r = send_locked(**q, std::move(entries[i]), prepared[i], now);
      if (r.ok()) {
        successful.push_back(std::move(*r));
      } else {
        const Error& err = r.error();
        failed.push_back(BatchFailure{entry_id, err.code, err.message, err.sender_fault});
      }
    }
    serve_waiters(**q, now, out);
    arm(**q);
  }
  run(out);
  return ok_status();
}

}  // namespace sluice::services::sqs
