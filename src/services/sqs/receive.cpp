// ReceiveMessage, DeleteMessage, ChangeMessageVisibility and receipt handles: who gets
// which message when (visibility, FIFO group locks, redrive on the receive that would
// exceed maxReceiveCount, long polling) and inspection without side effects.
#include <algorithm>

#include "internal.hpp"
#include "sluice/common/encoding.hpp"

namespace sluice::services::sqs {

using detail::Completions;
using detail::MessageState;
using detail::Queue;
using detail::StoredMessage;

namespace {

constexpr const char* kHandleTag = "sqs1";

struct ParsedHandle {
  std::string key;
  std::uint64_t seq = 0;
  std::uint64_t token = 0;
};

std::optional<ParsedHandle> parse_receipt_handle(const std::string& handle) {
  auto raw = base64_decode(handle);
  if (!raw) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto bar = raw->find('|', start);
    parts.push_back(raw->substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 5 || parts[0] != kHandleTag) return std::nullopt;
  ParsedHandle p;
  p.key = parts[1];
  try {
    std::size_t used = 0;
    p.seq = std::stoull(parts[2], &used);
    if (used != parts[2].size()) return std::nullopt;
    p.token = std::stoull(parts[3], &used);
    if (used != parts[3].size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return p;
}

Error invalid_handle(const std::string& handle) {
  return Error::sender("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle +
                                                     "\" is not a valid receipt handle.");
}

bool wants(const std::vector<std::string>& names, const char* name) {
  for (const auto& n : names)
    if (n == "All" || n == name) return true;
  return false;
}

AttributeMap system_attributes(const Queue& q, const StoredMessage& m,
                               const std::vector<std::string>& names, bool all) {
  AttributeMap a;
  auto put = [&](const char* name, const std::string& value) {
    if (all || wants(names, name)) a[name] = value;
  };
  put("SenderId", m.sender_id);
  put("SentTimestamp", std::to_string(m.sent_ms));
  put("ApproximateReceiveCount", std::to_string(m.receive_count));
  put("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
  if (q.config.fifo) {
    put("SequenceNumber", m.extra().sequence_number);
    put("MessageDeduplicationId", m.extra().deduplication_id);
  }
  if (!m.extra().group_id.empty()) put("MessageGroupId", m.extra().group_id);
  if (auto it = m.extra().system_attributes.find("AWSTraceHeader");
      it != m.extra().system_attributes.end())
    put("AWSTraceHeader", it->second.string_value);
  if (!m.extra().dead_letter_source_arn.empty())
    put("DeadLetterQueueSourceArn", m.extra().dead_letter_source_arn);
  return a;
}

MessageAttributes select_message_attributes(const MessageAttributes& all,
                                            const std::vector<std::string>& names) {
  MessageAttributes out;
  for (const auto& [name, value] : all) {
    for (const auto& n : names) {
      bool match = n == "All" || n == ".*" || n == "*" || n == name;
      // "Hel.*" selects every attribute whose name starts with "Hel".
      if (!match && n.size() > 2 && n.compare(n.size() - 2, 2, ".*") == 0)
        match = name.compare(0, n.size() - 2, n, 0, n.size() - 2) == 0;
      if (match) {
        out.emplace(name, value);
        break;
      }
    }
  }
  return out;
}

Status validate_receive(const ReceiveRequest& r) {
  if (r.max_messages && (*r.max_messages < 1 || *r.max_messages > 10)) {
    return detail::invalid_parameter("Value " + std::to_string(*r.max_messages) +
                                     " for parameter MaxNumberOfMessages is invalid. Reason: Must "
                                     "be between 1 and 10, if provided.");
  }
  if (r.visibility_timeout &&
      (*r.visibility_timeout < 0 || *r.visibility_timeout > detail::kMaxVisibilitySeconds)) {
    return detail::invalid_parameter("Value " + std::to_string(*r.visibility_timeout) +
                                     " for parameter VisibilityTimeout is invalid. Reason: Must be "
                                     ">= 0 and <= 43200, if provided.");
  }
  if (r.wait_seconds && (*r.wait_seconds < 0 || *r.wait_seconds > 20)) {
    return detail::invalid_parameter("Value " + std::to_string(*r.wait_seconds) +
                                     " for parameter WaitTimeSeconds is invalid. Reason: Must be "
                                     ">= 0 and <= 20, if provided.");
  }
  const std::string& a = r.receive_request_attempt_id;
  if (!a.empty()) {
    bool ok = a.size() <= 128;
    for (char c : a)
      if (!std::isalnum(static_cast<unsigned char>(c)) &&
          !std::ispunct(static_cast<unsigned char>(c)))
        ok = false;
    if (!ok) {
      return detail::invalid_parameter("Value " + a +
                                       " for parameter ReceiveRequestAttemptId is invalid. Reason: "
                                       "Must be 1 to 128 alphanumeric or punctuation characters.");
    }
  }
  return ok_status();
}

ReceivedMessage to_received(const Queue& q, const StoredMessage& m, const ReceiveRequest& req) {
  ReceivedMessage r;
  r.message_id = m.id;
  r.receipt_handle = detail::make_receipt_handle(q, m);
  r.md5_of_body = m.md5_of_body;
  r.body = m.body;
  r.attributes = system_attributes(q, m, req.attribute_names, false);
  r.message_attributes =
      select_message_attributes(m.extra().attributes, req.message_attribute_names);
  // AWS: the digest covers the attributes returned, and is absent when none are.
  r.md5_of_attributes = r.message_attributes.size() == m.extra().attributes.size()
                            ? m.extra().md5_of_attributes
                            : detail::md5_of_attributes(r.message_attributes);
  return r;
}

}  // namespace

std::string detail::make_receipt_handle(const Queue& q, const StoredMessage& m) {
  // The same receive always yields the same handle (ReceiveRequestAttemptId retries);
  // the digest only makes handles look as opaque as AWS's.
  const std::string core = std::string(kHandleTag) + "|" + q.key + "|" + std::to_string(m.seq) +
                           "|" + std::to_string(m.receipt_token);
  return base64_encode(core + "|" + md5_hex(core + std::string(m.id)).substr(0, 16));
}

std::vector<ReceivedMessage> SqsEngine::take_messages(Queue& q, const ReceiveRequest& req, int max,
                                                      TimeMs now) {
  std::vector<ReceivedMessage> out;
  const int vt = req.visibility_timeout.value_or(q.config.visibility_timeout);
  auto deliver = [&](StoredMessage& m) {
    ++m.receive_count;
    if (m.first_receive_ms == 0) m.first_receive_ms = now;
    m.received_ms = now;
    m.receipt_token = next_receipt_token_++;
    set_pending(q, m, now + static_cast<TimeMs>(vt) * 1000);
    persist_message_state(q, m);
    out.push_back(to_received(q, m, req));
  };
  // AWS moves a message to the dead-letter queue on the receive that would exceed
  // maxReceiveCount, instead of returning it.
  auto exhausted = [&](StoredMessage& m) {
    return q.config.max_receive_count > 0 && m.receive_count >= q.config.max_receive_count &&
           move_to_dead_letter_queue(q, m, now);
  };

  if (!q.config.fifo) {
    auto it = q.visible.begin();
    while (it != q.visible.end() && static_cast<int>(out.size()) < max) {
      const auto seq = *it;
      ++it;
      StoredMessage& m = q.messages.at(seq);
      if (exhausted(m)) continue;
      deliver(m);
    }
    return out;
  }

  // FIFO: strict order within a group; a group with a message in flight is locked; as
  // many messages of one group as possible, then other groups.
  std::vector<std::string> group_order;
  std::unordered_map<std::string, std::vector<std::uint64_t>> candidates;
  int found = 0;
  std::vector<std::uint64_t> redriven;
  // Groups in the order of their first message; each is served up to its first message
  // that is not visible: a head in flight locks the group, while a head made visible
  // again is served even if later messages of the group are still in flight (as AWS).
  for (const auto& [head, g] : q.group_heads) {
    if (found >= max) break;
    for (auto seq : q.groups.at(g)) {
      if (found >= max) break;
      StoredMessage& m = q.messages.at(seq);
      if (m.state != MessageState::Visible) break;
      if (q.config.max_receive_count > 0 && m.receive_count >= q.config.max_receive_count) {
        redriven.push_back(seq);
        continue;
      }
      auto [c, inserted] = candidates.try_emplace(g);
      if (inserted) group_order.push_back(g);
      c->second.push_back(seq);
      ++found;
    }
  }
  for (auto seq : redriven) {
    auto it = q.messages.find(seq);
    if (it != q.messages.end()) move_to_dead_letter_queue(q, it->second, now);
  }
  for (const auto& g : group_order) {
    for (auto seq : candidates[g]) {
      if (static_cast<int>(out.size()) >= max) break;
      deliver(q.messages.at(seq));
    }
  }
  return out;
}

void SqsEngine::receive_message(const QueueId& id, ReceiveRequest request, ReceiveCallback done) {
  if (auto v = validate_receive(request); !v.ok()) {
    done(std::move(v).error());
    return;
  }
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto found = require_queue(id);
    if (!found.ok()) {
      out.add([done, e = found.error()] { done(e); });
    } else {
      Queue& q = **found;
      const TimeMs now = runtime_.clock.now_ms();
      refresh(q, now);
      const int max = request.max_messages.value_or(1);
      const bool fifo_attempt = q.config.fifo && !request.receive_request_attempt_id.empty();
      std::vector<ReceivedMessage> messages;
      bool replayed = false;
      if (fifo_attempt) {
        // AWS: a retry with the same ReceiveRequestAttemptId within 5 minutes returns
        // the same messages and receipt handles while they are still in flight.
        auto a = q.attempts.find(request.receive_request_attempt_id);
        if (a != q.attempts.end() && !a->second.messages.empty()) {
          bool intact = true;
          for (auto [seq, token] : a->second.messages) {
            auto m = q.messages.find(seq);
            if (m == q.messages.end() || m->second.receipt_token != token ||
                m->second.state != MessageState::InFlight)
              intact = false;
          }
          if (intact) {
            for (auto [seq, token] : a->second.messages)
              messages.push_back(to_received(q, q.messages.at(seq), request));
            replayed = true;
          }
        }
      }
      if (!replayed) {
        messages = take_messages(q, request, max, now);
        if (fifo_attempt) {
          detail::ReceiveAttempt attempt;
          attempt.expires_ms = now + detail::kDedupWindowMs;
          for (const auto& m : messages) {
            auto parsed = parse_receipt_handle(m.receipt_handle);
            attempt.messages.emplace_back(parsed->seq, parsed->token);
          }
          const auto& stored = q.attempts[request.receive_request_attempt_id] = std::move(attempt);
          // An attempt that got nothing has nothing to replay: not worth a write.
          if (!stored.messages.empty())
            detail::persist_attempt(runtime_.store, q, request.receive_request_attempt_id, stored);
        }
      }
      const int wait = request.wait_seconds.value_or(q.config.receive_wait_seconds);
      if (!messages.empty() || wait <= 0) {
        out.add([&store = runtime_.store, done, messages = std::move(messages)]() mutable {
          store.after_durable([done, messages = std::move(messages)](Status s) mutable {
            if (!s.ok()) {
              done(std::move(s).error());
            } else {
              done(std::move(messages));
            }
          });
        });
      } else if (parked_receives() >= runtime_.max_long_polls) {
        // The process keeps at most --max-long-polls receives parked; more would hold
        // connections and memory without bound. OverLimit is ReceiveMessage's own limit
        // error, which clients back off on.
        out.add([done, limit = runtime_.max_long_polls] {
          done(Error::sender("OverLimit",
                             "Too many receives are waiting in long polls (limit " +
                                 std::to_string(limit) + ", --max-long-polls); try again later.",
                             403));
        });
      } else {
        // Long polling: park until a message becomes visible or the wait ends.
        detail::Waiter w;
        w.id = next_waiter_id_++;
        w.request = std::move(request);
        w.request.max_messages = max;
        w.done = std::move(done);
        std::weak_ptr<SqsEngine> weak = weak_from_this();
        w.timer = runtime_.timers.schedule_at(now + static_cast<TimeMs>(wait) * 1000,
                                              [weak, key = q.key, gen = q.generation, wid = w.id] {
                                                if (auto self = weak.lock())
                                                  self->expire_waiter(key, gen, wid);
                                              });
        q.waiters.push_back(std::move(w));
      }
      arm(q);
    }
  }
  run(out);
}

Status SqsEngine::delete_message(const QueueId& id, const std::string& receipt_handle) {
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto found = require_queue(id);
    SLUICE_TRY(found);
    Queue& q = **found;
    auto h = parse_receipt_handle(receipt_handle);
    if (!h || h->key != q.key) return invalid_handle(receipt_handle);
    const TimeMs now = runtime_.clock.now_ms();
    refresh(q, now);
    auto it = q.messages.find(h->seq);
    // AWS: deleting an already deleted message succeeds; so does a handle from an
    // earlier receive, though the message (received again since) stays.
    if (it == q.messages.end()) return ok_status();
    if (q.config.fifo &&
        (it->second.receipt_token != h->token || it->second.state != MessageState::InFlight)) {
      // AWS: on FIFO queues a handle stops working once its visibility timeout ended.
      return detail::invalid_parameter("Value " + receipt_handle +
                                       " for parameter ReceiptHandle is invalid. Reason: The "
                                       "receipt handle has expired.");
    }
    // Standard queues: an earlier handle of the message still deletes it (AWS: "If you
    // use an old ReceiptHandle, the request will succeed").
    const bool unlocks_group = q.config.fifo && it->second.state == MessageState::InFlight;
    erase_message(q, h->seq);
    unpersist_message(q, h->seq);
    if (unlocks_group) serve_waiters(q, now, out);
  }
  run(out);
  return ok_status();
}

Status SqsEngine::change_message_visibility(const QueueId& id, const std::string& receipt_handle,
                                            int visibility_timeout) {
  Completions out;
  {
    std::lock_guard lock(mu_);
    auto found = require_queue(id);
    SLUICE_TRY(found);
    Queue& q = **found;
    auto h = parse_receipt_handle(receipt_handle);
    if (!h || h->key != q.key) return invalid_handle(receipt_handle);
    if (visibility_timeout < 0 || visibility_timeout > detail::kMaxVisibilitySeconds) {
      return detail::invalid_parameter("Value " + std::to_string(visibility_timeout) +
                                       " for parameter VisibilityTimeout is invalid. Reason: Must "
                                       "be between 0 and 43200, if provided.");
    }
    const TimeMs now = runtime_.clock.now_ms();
    refresh(q, now);
    auto it = q.messages.find(h->seq);
    // Standard queues accept an earlier handle of a message received again since; FIFO
    // queues only the latest.
    if (it == q.messages.end() || (q.config.fifo && it->second.receipt_token != h->token)) {
      return detail::invalid_parameter("Value " + receipt_handle +
                                       " for parameter ReceiptHandle is invalid. Reason: Message "
                                       "does not exist or is not available for visibility timeout "
                                       "change.");
    }
    StoredMessage& m = it->second;
    if (m.state != MessageState::InFlight)
      return Error::sender("MessageNotInflight", "The message referred to isn't in flight.");
    // AWS: the visibility timeout counts at most 12 hours from the receive.
    const TimeMs deadline = now + static_cast<TimeMs>(visibility_timeout) * 1000;
    if (deadline - m.received_ms > static_cast<TimeMs>(detail::kMaxVisibilitySeconds) * 1000) {
      return detail::invalid_parameter("Value " + std::to_string(visibility_timeout) +
                                       " for parameter VisibilityTimeout is invalid. Reason: Total "
                                       "VisibilityTimeout for the message is beyond the limit "
                                       "[43200 seconds]");
    }
    if (visibility_timeout == 0) {
      make_visible(q, m);
      m.visible_at = 0;
    } else {
      set_pending(q, m, deadline);
    }
    persist_message_state(q, m);
    serve_waiters(q, now, out);
    arm(q);
  }
  run(out);
  return ok_status();
}

Result<std::vector<PeekedMessage>> SqsEngine::peek_messages(const QueueId& id) {
  std::lock_guard lock(mu_);
  auto found = require_queue(id);
  SLUICE_TRY(found);
  Queue& q = **found;
  refresh(q, runtime_.clock.now_ms());
  std::vector<PeekedMessage> out;
  out.reserve(q.messages.size());
  for (const auto& [seq, m] : q.messages) {
    PeekedMessage p;
    p.message_id = m.id;
    p.body = m.body;
    p.md5_of_body = m.md5_of_body;
    p.md5_of_attributes = m.extra().md5_of_attributes;
    p.attributes = system_attributes(q, m, {}, true);
    p.message_attributes = m.extra().attributes;
    p.state = m.state == MessageState::Visible
                  ? "visible"
                  : (m.state == MessageState::InFlight ? "inflight" : "delayed");
    p.visible_at_ms = m.visible_at;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace sluice::services::sqs
